package io.arcrelay.config;

import java.time.Duration;
import java.util.List;

/**
 * Who may connect and how much: the node's and each address's caps, the proxies in front, the
 * browser origins and the access secret. Each component is the setting it links to, described there.
 *
 * @param maxConnections      {@link Setting#MAX_CONNECTIONS}, 0 already resolved to the open-file limit
 * @param maxConnectionsPerIp {@link Setting#MAX_CONNECTIONS_PER_IP}
 * @param upgradesPerIp       {@link Setting#UPGRADES_PER_IP}
 * @param refusalsPerIp       {@link Setting#REFUSALS_PER_IP}
 * @param requestTimeout      {@link Setting#REQUEST_TIMEOUT}
 * @param trustedProxies      {@link Setting#TRUSTED_PROXIES}
 * @param proxyProtocol       {@link Setting#PROXY_PROTOCOL}
 * @param accessSecret        {@link Setting#ACCESS_SECRET}, empty for no access control
 * @param allowedOrigins      {@link Setting#ALLOWED_ORIGINS}, empty for any
 */
public record EdgeConfig(int maxConnections, int maxConnectionsPerIp, int upgradesPerIp, int refusalsPerIp,
    Duration requestTimeout, List<String> trustedProxies, boolean proxyProtocol, String accessSecret,
    List<String> allowedOrigins) {

  public EdgeConfig {
    Checks.positive("request-timeout", requestTimeout);
    if (maxConnections <= 0) throw new ConfigException("max-connections: must be positive");
    if (maxConnectionsPerIp < 0 || upgradesPerIp < 0 || refusalsPerIp < 0) {
      throw new ConfigException("per-IP limits: must not be negative (0 means no cap)");
    }
    trustedProxies = List.copyOf(trustedProxies);
    allowedOrigins = List.copyOf(allowedOrigins);
  }

  /** Hides the access secret, which the record's own toString would print. */
  @Override
  public String toString() {
    return "EdgeConfig[max " + maxConnections + " connections" + (accessSecret.isEmpty() ? "" : ", access secret set") + "]";
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Sets each component by name; every one must be set. */
  public static final class Builder {
    private Integer maxConnections;
    private Integer maxConnectionsPerIp;
    private Integer upgradesPerIp;
    private Integer refusalsPerIp;
    private Duration requestTimeout;
    private List<String> trustedProxies;
    private Boolean proxyProtocol;
    private String accessSecret;
    private List<String> allowedOrigins;

    private Builder() {}

    public Builder maxConnections(int maxConnections) { this.maxConnections = maxConnections; return this; }
    public Builder maxConnectionsPerIp(int maxConnectionsPerIp) { this.maxConnectionsPerIp = maxConnectionsPerIp; return this; }
    public Builder upgradesPerIp(int upgradesPerIp) { this.upgradesPerIp = upgradesPerIp; return this; }
    public Builder refusalsPerIp(int refusalsPerIp) { this.refusalsPerIp = refusalsPerIp; return this; }
    public Builder requestTimeout(Duration requestTimeout) { this.requestTimeout = requestTimeout; return this; }
    public Builder trustedProxies(List<String> trustedProxies) { this.trustedProxies = trustedProxies; return this; }
    public Builder proxyProtocol(boolean proxyProtocol) { this.proxyProtocol = proxyProtocol; return this; }
    public Builder accessSecret(String accessSecret) { this.accessSecret = accessSecret; return this; }
    public Builder allowedOrigins(List<String> allowedOrigins) { this.allowedOrigins = allowedOrigins; return this; }

    public EdgeConfig build() {
      return new EdgeConfig(Checks.required("maxConnections", maxConnections),
          Checks.required("maxConnectionsPerIp", maxConnectionsPerIp),
          Checks.required("upgradesPerIp", upgradesPerIp), Checks.required("refusalsPerIp", refusalsPerIp),
          requestTimeout, trustedProxies, Checks.required("proxyProtocol", proxyProtocol), accessSecret,
          allowedOrigins);
    }
  }
}
