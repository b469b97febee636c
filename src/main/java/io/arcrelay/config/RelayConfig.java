package io.arcrelay.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a relay node needs to know, immutable and validated.
 *
 * <p>Build one with {@link ConfigLoader}, which layers (lowest to highest precedence) the defaults
 * below, a JSON file in {@code conf/}, {@code ARC_RELAY_*} environment variables and command-line
 * flags. Every setting is listed, with its key, variable and flag, in {@link Setting}.
 *
 * @param host           interface the relay listens on
 * @param port           TCP port of the relay (WebSocket and HTTP endpoints), 0 for any free port
 * @param managementHost interface the management port listens on ({@code host} unless set)
 * @param managementPort port serving {@code /metrics} and {@code /health*} apart from the clients, 0 to
 *                       serve them on {@code port} as well
 * @param pairTtl        how long a side may wait alone for its peer before it is closed with 1001
 * @param pingInterval   how often every socket is pinged; a socket silent for two intervals is closed
 * @param holdLimit      bytes held per side before its peer joins; past it the socket stops being read
 * @param maxMessageSize largest message (sum of its frames) forwarded; larger closes the sender with 1009
 * @param maxFrameSize   largest single WebSocket frame accepted
 * @param queueLimit     bytes queued for one client before the side feeding it stops being read
 * @param memoryBudget   bytes of frames the node may hold in all before it pauses reading and refuses upgrades
 * @param stallTimeout   how long a client may take nothing of what is queued for it before it is closed
 * @param maxConnections TCP connections served at once; past it upgrades are refused with 503
 * @param maxConnectionsPerIp TCP connections from one client address at once (0: no cap)
 * @param upgradesPerIp  upgrades per second from one client address, bursts of twice that (0: no cap)
 * @param refusalsPerIp  refused upgrades per minute from one client address before it is refused with 429 (0: no cap)
 * @param requestTimeout time a connection has to send a complete request head
 * @param trustedProxies proxies whose {@code X-Forwarded-For} names the client
 * @param proxyProtocol  every connection starts with a PROXY protocol header
 * @param minCodeLength  shortest pair code accepted
 * @param accessSecret   HMAC secret tokens are checked with, empty for no access control
 * @param allowedOrigins browser origins allowed to upgrade, empty for any
 * @param tlsCert        PEM certificate chain to serve TLS with, empty for plain TCP
 * @param tlsKey         PEM private key of {@code tlsCert}
 * @param eventLoops     relay verticle instances, one per event loop
 * @param drainDelay     on SIGTERM, how long the node stays up but not ready before it closes every socket
 * @param shutdownGrace  how long a stopping relay waits for its sockets to close before it exits
 * @param cluster        whether to join a Hazelcast cluster of relays
 * @param clusterHost    the address other nodes reach this node's event bus at
 * @param clusterPort    the event bus's TCP port between nodes, 0 for any free port
 * @param clusterDns     DNS name of the relay pods for Kubernetes discovery, {@code ${arc-relay.cluster-dns}} in the XML
 * @param clusterQuorum  members a cluster half needs to keep pairing after a split; 0 or 1 for no such check
 * @param clusterConfig  Hazelcast XML config: a file path, or {@code classpath:NAME}
 * @param clusterTlsCert PEM certificate this node shows on the event bus, empty for plain TCP between nodes
 * @param clusterTlsKey  PEM private key of {@code clusterTlsCert}
 * @param clusterTlsCa   PEM certificate of the CA every node's {@code clusterTlsCert} must be signed by
 * @param tunnelDomain   domain under which {@code <name>.<tunnelDomain>} reaches the tunnel {@code name}
 * @param tunnelTokens   tokens agents may open tunnels with; empty for tunnels off
 * @param tunnelConnectTimeout how long a visitor waits for the agent's data connection before a 504
 * @param tunnelResponseTimeout how long a tunnel request waits for its response to begin before a 504
 * @param tunnelLinksPerTunnel visitor connections (data links) one tunnel serves at once on a node
 * @param tunnelNamesPerToken tunnel names one agent token may hold at once
 */
public record RelayConfig(
    String host,
    int port,
    String managementHost,
    int managementPort,
    Duration pairTtl,
    Duration pingInterval,
    long holdLimit,
    int maxMessageSize,
    int maxFrameSize,
    long queueLimit,
    long memoryBudget,
    Duration stallTimeout,
    int maxConnections,
    int maxConnectionsPerIp,
    int upgradesPerIp,
    int refusalsPerIp,
    Duration requestTimeout,
    List<String> trustedProxies,
    boolean proxyProtocol,
    int minCodeLength,
    String accessSecret,
    List<String> allowedOrigins,
    String tlsCert,
    String tlsKey,
    int eventLoops,
    Duration drainDelay,
    Duration shutdownGrace,
    boolean cluster,
    String clusterHost,
    int clusterPort,
    String clusterDns,
    int clusterQuorum,
    String clusterConfig,
    String clusterTlsCert,
    String clusterTlsKey,
    String clusterTlsCa,
    String tunnelDomain,
    List<String> tunnelTokens,
    Duration tunnelConnectTimeout,
    Duration tunnelResponseTimeout,
    int tunnelLinksPerTunnel,
    int tunnelNamesPerToken) {

  /** The longest pair code, in characters after URL decoding; {@code PairCode} enforces it. */
  public static final int MAX_CODE_LENGTH = 256;

  public RelayConfig {
    requirePositive("pair-ttl", pairTtl);
    requirePositive("ping-interval", pingInterval);
    requirePositive("shutdown-grace", shutdownGrace);
    requirePositive("stall-timeout", stallTimeout);
    requirePositive("request-timeout", requestTimeout);
    if (queueLimit <= 0) throw new ConfigException("queue-limit: must be positive");
    if (memoryBudget < 2L * maxFrameSize) {
      throw new ConfigException("memory-budget: must be at least twice max-frame-size (" + 2L * maxFrameSize + " bytes)");
    }
    if (maxConnections <= 0) throw new ConfigException("max-connections: must be positive");
    if (maxConnectionsPerIp < 0 || upgradesPerIp < 0 || refusalsPerIp < 0) {
      throw new ConfigException("per-IP limits: must not be negative (0 means no cap)");
    }
    if (minCodeLength < 1 || minCodeLength > MAX_CODE_LENGTH) {
      throw new ConfigException("min-code-length: must be 1.." + MAX_CODE_LENGTH);
    }
    if (tlsCert.isEmpty() != tlsKey.isEmpty()) throw new ConfigException("tls-cert and tls-key: give both or neither");
    trustedProxies = List.copyOf(trustedProxies);
    allowedOrigins = List.copyOf(allowedOrigins);
    if (drainDelay == null || drainDelay.isNegative()) throw new ConfigException("drain-delay: must not be negative");
    if (host == null || host.isBlank()) throw new ConfigException("host: must not be empty");
    if (port < 0 || port > 65535) throw new ConfigException("port: must be 0..65535, got " + port);
    if (managementPort < 0 || managementPort > 65535) {
      throw new ConfigException("management-port: must be 0..65535, got " + managementPort);
    }
    if (managementPort != 0 && managementPort == port) {
      throw new ConfigException("management-port: must differ from port (0 serves health and metrics on port)");
    }
    if (managementHost == null || managementHost.isBlank()) throw new ConfigException("management-host: must not be empty");
    requireAllOrNone(clusterTlsCert, clusterTlsKey, clusterTlsCa);
    if (clusterPort < 0 || clusterPort > 65535) {
      throw new ConfigException("cluster-port: must be 0..65535, got " + clusterPort);
    }
    if (clusterQuorum < 0) throw new ConfigException("cluster-quorum: must not be negative (0: off)");
    if (holdLimit < 0) throw new ConfigException("hold-limit: must not be negative");
    if (maxMessageSize <= 0) throw new ConfigException("max-message-size: must be positive");
    if (maxFrameSize <= 0) throw new ConfigException("max-frame-size: must be positive");
    if (eventLoops <= 0) throw new ConfigException("event-loops: must be positive");
    tunnelTokens = List.copyOf(tunnelTokens);
    tunnelDomain = tunnelDomain == null ? "" : tunnelDomain.toLowerCase(java.util.Locale.ROOT);
    if (!tunnelDomain.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
      throw new ConfigException("tunnel-domain: must be a host name such as localhost or tunnels.example.com");
    }
    requirePositive("tunnel-connect-timeout", tunnelConnectTimeout);
    requirePositive("tunnel-response-timeout", tunnelResponseTimeout);
    if (tunnelLinksPerTunnel <= 0) throw new ConfigException("tunnel-links-per-tunnel: must be positive");
    if (tunnelNamesPerToken <= 0) throw new ConfigException("tunnel-names-per-token: must be positive");
  }

  /** True when agents may open tunnels: at least one tunnel token is set. */
  public boolean tunnels() {
    return !tunnelTokens.isEmpty();
  }

  /** True when the relay serves TLS itself. */
  public boolean tls() {
    return !tlsCert.isEmpty();
  }

  /** True when health and metrics have a port of their own, away from the clients. */
  public boolean managementPortSet() {
    return managementPort != 0;
  }

  /** True when the event bus between nodes runs over TLS with both ends authenticated. */
  public boolean clusterTls() {
    return !clusterTlsCert.isEmpty();
  }

  /** Hides the access secret and the tunnel tokens, which would otherwise be printed with the record. */
  @Override
  public String toString() {
    return "RelayConfig[" + host + ":" + port + (accessSecret.isEmpty() ? "" : ", access secret set")
        + (tunnels() ? ", tunnels on *." + tunnelDomain : "") + "]";
  }

  /** The defaults: the TypeScript relay's port and TTL (its clients work unchanged), plus the limits that keep memory bounded. */
  public static RelayConfig defaults() {
    return ConfigLoader.load(java.util.Map.of(), java.util.Map.of(), null);
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

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new ConfigException(name + ": must be a positive duration");
    }
  }
}
