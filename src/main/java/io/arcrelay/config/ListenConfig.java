package io.arcrelay.config;

/**
 * Where the relay listens: the client port, the management port and the TLS it serves. Each
 * component is the setting it links to, described there.
 *
 * @param host           {@link Setting#HOST}
 * @param port           {@link Setting#PORT}
 * @param managementHost {@link Setting#MANAGEMENT_HOST}, already {@code host} when that is empty
 * @param managementPort {@link Setting#MANAGEMENT_PORT}
 * @param tlsCert        {@link Setting#TLS_CERT}
 * @param tlsKey         {@link Setting#TLS_KEY}
 */
public record ListenConfig(String host, int port, String managementHost, int managementPort, String tlsCert,
    String tlsKey) {

  public ListenConfig {
    if (tlsCert.isEmpty() != tlsKey.isEmpty()) throw new ConfigException("tls-cert and tls-key: give both or neither");
    if (host == null || host.isBlank()) throw new ConfigException("host: must not be empty");
    Checks.port("port", port);
    Checks.port("management-port", managementPort);
    if (managementPort != 0 && managementPort == port) {
      throw new ConfigException("management-port: must differ from port (0 serves health and metrics on port)");
    }
    if (managementHost == null || managementHost.isBlank()) throw new ConfigException("management-host: must not be empty");
  }

  /** True when the relay serves TLS itself. */
  public boolean tls() {
    return !tlsCert.isEmpty();
  }

  /** True when health and metrics have a port of their own, away from the clients. */
  public boolean managementPortSet() {
    return managementPort != 0;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Sets each component by name; every one must be set. */
  public static final class Builder {
    private String host;
    private Integer port;
    private String managementHost;
    private Integer managementPort;
    private String tlsCert;
    private String tlsKey;

    private Builder() {}

    public Builder host(String host) { this.host = host; return this; }
    public Builder port(int port) { this.port = port; return this; }
    public Builder managementHost(String managementHost) { this.managementHost = managementHost; return this; }
    public Builder managementPort(int managementPort) { this.managementPort = managementPort; return this; }
    public Builder tlsCert(String tlsCert) { this.tlsCert = tlsCert; return this; }
    public Builder tlsKey(String tlsKey) { this.tlsKey = tlsKey; return this; }

    public ListenConfig build() {
      return new ListenConfig(host, Checks.required("port", port), managementHost,
          Checks.required("managementPort", managementPort), tlsCert, tlsKey);
    }
  }
}
