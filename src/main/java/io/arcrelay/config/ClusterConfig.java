package io.arcrelay.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether and how the node joins a Hazelcast cluster of relays, and the TLS of its event bus.
 * Each component is the setting it links to, described there.
 *
 * @param enabled         {@link Setting#CLUSTER}
 * @param host            {@link Setting#CLUSTER_HOST}
 * @param port            {@link Setting#CLUSTER_PORT}
 * @param dns             {@link Setting#CLUSTER_DNS}
 * @param quorum          {@link Setting#CLUSTER_QUORUM}
 * @param hazelcastConfig {@link Setting#CLUSTER_CONFIG}
 * @param tlsCert         {@link Setting#CLUSTER_TLS_CERT}
 * @param tlsKey          {@link Setting#CLUSTER_TLS_KEY}
 * @param tlsCa           {@link Setting#CLUSTER_TLS_CA}
 */
public record ClusterConfig(boolean enabled, String host, int port, String dns, int quorum, String hazelcastConfig,
    String tlsCert, String tlsKey, String tlsCa) {

  public ClusterConfig {
    requireAllOrNone(tlsCert, tlsKey, tlsCa);
    Checks.port("cluster-port", port);
    if (quorum < 0) throw new ConfigException("cluster-quorum: must not be negative (0: off)");
  }

  /** True when the event bus between nodes runs over TLS with both ends authenticated. */
  public boolean tls() {
    return !tlsCert.isEmpty();
  }

  /**
   * Event-bus TLS needs the node's certificate, its key and the CA together: with any one missing
   * a node would either fail every handshake or, worse, accept peers it cannot check.
   */
  private static void requireAllOrNone(String cert, String key, String ca) {
    List<String> missing = new ArrayList<>();
    if (cert.isEmpty()) missing.add("cluster-tls-cert");
    if (key.isEmpty()) missing.add("cluster-tls-key");
    if (ca.isEmpty()) missing.add("cluster-tls-ca");
    if (!missing.isEmpty() && missing.size() < 3) {
      throw new ConfigException("cluster-tls-cert, cluster-tls-key and cluster-tls-ca: give all three or none (missing: "
          + String.join(", ", missing) + ")");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Sets each component by name; every one must be set. */
  public static final class Builder {
    private Boolean enabled;
    private String host;
    private Integer port;
    private String dns;
    private Integer quorum;
    private String hazelcastConfig;
    private String tlsCert;
    private String tlsKey;
    private String tlsCa;

    private Builder() {}

    public Builder enabled(boolean enabled) { this.enabled = enabled; return this; }
    public Builder host(String host) { this.host = host; return this; }
    public Builder port(int port) { this.port = port; return this; }
    public Builder dns(String dns) { this.dns = dns; return this; }
    public Builder quorum(int quorum) { this.quorum = quorum; return this; }
    public Builder hazelcastConfig(String hazelcastConfig) { this.hazelcastConfig = hazelcastConfig; return this; }
    public Builder tlsCert(String tlsCert) { this.tlsCert = tlsCert; return this; }
    public Builder tlsKey(String tlsKey) { this.tlsKey = tlsKey; return this; }
    public Builder tlsCa(String tlsCa) { this.tlsCa = tlsCa; return this; }

    public ClusterConfig build() {
      return new ClusterConfig(Checks.required("enabled", enabled), host, Checks.required("port", port), dns,
          Checks.required("quorum", quorum), hazelcastConfig, tlsCert, tlsKey, tlsCa);
    }
  }
}
