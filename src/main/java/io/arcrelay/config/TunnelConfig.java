package io.arcrelay.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Tunnels: the domain they are reached under, the tokens agents open them with, and their
 * timeouts and caps. Each component is the setting it links to, described there.
 *
 * @param domain          {@link Setting#TUNNEL_DOMAIN}, lower case
 * @param tokens          {@link Setting#TUNNEL_TOKENS}, empty for tunnels off
 * @param connectTimeout  {@link Setting#TUNNEL_CONNECT_TIMEOUT}
 * @param responseTimeout {@link Setting#TUNNEL_RESPONSE_TIMEOUT}
 * @param linksPerTunnel  {@link Setting#TUNNEL_LINKS_PER_TUNNEL}
 * @param namesPerToken   {@link Setting#TUNNEL_NAMES_PER_TOKEN}
 */
public record TunnelConfig(String domain, List<String> tokens, Duration connectTimeout, Duration responseTimeout,
    int linksPerTunnel, int namesPerToken) {

  public TunnelConfig {
    tokens = List.copyOf(tokens);
    domain = domain == null ? "" : domain.toLowerCase(Locale.ROOT);
    if (!domain.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
      throw new ConfigException("tunnel-domain: must be a host name such as localhost or tunnels.example.com");
    }
    Checks.positive("tunnel-connect-timeout", connectTimeout);
    Checks.positive("tunnel-response-timeout", responseTimeout);
    if (linksPerTunnel <= 0) throw new ConfigException("tunnel-links-per-tunnel: must be positive");
    if (namesPerToken <= 0) throw new ConfigException("tunnel-names-per-token: must be positive");
  }

  /** True when agents may open tunnels: at least one tunnel token is set. */
  public boolean enabled() {
    return !tokens.isEmpty();
  }

  /** Hides the tokens, which the record's own toString would print. */
  @Override
  public String toString() {
    return "TunnelConfig[" + (enabled() ? "on *." + domain + ", " + tokens.size() + " tokens" : "off") + "]";
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Sets each component by name; every one must be set. */
  public static final class Builder {
    private String domain;
    private List<String> tokens;
    private Duration connectTimeout;
    private Duration responseTimeout;
    private Integer linksPerTunnel;
    private Integer namesPerToken;

    private Builder() {}

    public Builder domain(String domain) { this.domain = domain; return this; }
    public Builder tokens(List<String> tokens) { this.tokens = tokens; return this; }
    public Builder connectTimeout(Duration connectTimeout) { this.connectTimeout = connectTimeout; return this; }
    public Builder responseTimeout(Duration responseTimeout) { this.responseTimeout = responseTimeout; return this; }
    public Builder linksPerTunnel(int linksPerTunnel) { this.linksPerTunnel = linksPerTunnel; return this; }
    public Builder namesPerToken(int namesPerToken) { this.namesPerToken = namesPerToken; return this; }

    public TunnelConfig build() {
      return new TunnelConfig(domain, tokens, connectTimeout, responseTimeout,
          Checks.required("linksPerTunnel", linksPerTunnel), Checks.required("namesPerToken", namesPerToken));
    }
  }
}
