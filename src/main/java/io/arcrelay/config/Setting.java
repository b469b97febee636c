package io.arcrelay.config;

import java.util.Locale;

/**
 * The relay's settings, each described here and nowhere else: --help, docs/configuration.md's
 * table (checked by a test) and the config records' javadoc all point here. Each has one name, used
 * as the JSON key in the config file (camelCase), the environment variable ({@code ARC_RELAY_} +
 * upper snake case) and the flag ({@code --} + kebab case), plus its default as it would be written
 * on the command line.
 */
public enum Setting {
  HOST("host", "0.0.0.0", "interface to listen on"),
  PORT("port", "8765", "TCP port for WebSockets and HTTP endpoints (0: any free port)"),
  MANAGEMENT_PORT("managementPort", "0",
      "port serving /metrics and /health* (0: they stay on port; otherwise port keeps only /health/live "
          + "and /health/ready, status only)"),
  MANAGEMENT_HOST("managementHost", "", "interface the management port listens on (empty: host)"),
  PAIR_TTL("pairTtl", "5m", "how long a side may wait alone before it is closed with 1001"),
  PING_INTERVAL("pingInterval", "30s", "ping every socket this often; close it after two silent intervals"),
  HOLD_LIMIT("holdLimit", "1MiB", "bytes held per side before its peer joins; then reading pauses"),
  MAX_MESSAGE_SIZE("maxMessageSize", "16MiB", "largest message forwarded; larger closes the sender with 1009"),
  MAX_FRAME_SIZE("maxFrameSize", "16MiB", "largest single WebSocket frame accepted"),
  EVENT_LOOPS("eventLoops", String.valueOf(Math.max(1, Runtime.getRuntime().availableProcessors() / 2)),
      "event loops (sockets, event bus, timers; the other half of the CPUs is for the kernel's TCP work)"),
  DRAIN_DELAY("drainDelay", "2s",
      "on SIGTERM, how long the node stays up but not ready (for load balancers to notice) before it "
          + "closes every socket; SIGINT skips it"),
  SHUTDOWN_GRACE("shutdownGrace", "5s", "on stop, how long to wait for sockets to close"),
  QUEUE_LIMIT("queueLimit", "1MiB",
      "bytes queued for one client before the side feeding it stops being read (plus at most one frame)"),
  MEMORY_BUDGET("memoryBudget", "160MiB",
      "bytes of frames the node may hold in all (being received, held, queued, in flight to other nodes); "
          + "when spent, reading pauses and upgrades get 503"),
  STALL_TIMEOUT("stallTimeout", "2m",
      "a client that takes nothing of what is queued for it for this long is closed (1008)"),
  MAX_CONNECTIONS("maxConnections", "0",
      "TCP connections the node serves at once (0: the open-file limit minus 1024); past it upgrades get 503"),
  MAX_CONNECTIONS_PER_IP("maxConnectionsPerIp", "256", "TCP connections from one client address at once (0: no cap)"),
  UPGRADES_PER_IP("upgradesPerIp", "20",
      "WebSocket upgrades per second from one client address, bursts of twice that (0: no cap)"),
  REFUSALS_PER_IP("refusalsPerIp", "60",
      "refused upgrades (400, 409, 401, 403) per minute from one client address before it gets 429 (0: no cap)"),
  REQUEST_TIMEOUT("requestTimeout", "10s",
      "time a connection has to send a complete request head (also the idle time allowed between requests)"),
  TRUSTED_PROXIES("trustedProxies", "",
      "addresses or CIDRs of proxies whose X-Forwarded-For is believed, comma-separated (empty: none)"),
  PROXY_PROTOCOL("proxyProtocol", "false",
      "expect a PROXY protocol header (HAProxy send-proxy) on every connection"),
  MIN_CODE_LENGTH("minCodeLength", "1", "shortest pair code accepted (1: any code)"),
  ACCESS_SECRET("accessSecret", "",
      "HMAC secret (16+ bytes); when set, upgrades need a token minted with it (arc-relay token)"),
  ALLOWED_ORIGINS("allowedOrigins", "",
      "browser Origins allowed to upgrade, comma-separated, https://*.example.com style (empty: any)"),
  TLS_CERT("tlsCert", "", "PEM certificate chain: serve wss:// and https:// (with tlsKey); reloaded when the file changes"),
  TLS_KEY("tlsKey", "", "PEM private key for tlsCert"),
  CLUSTER("cluster", "false", "join a Hazelcast cluster of relays (true/false)"),
  CLUSTER_HOST("clusterHost", "127.0.0.1", "address other nodes reach this one's event bus at (the pod IP)"),
  CLUSTER_PORT("clusterPort", "0", "event-bus port between nodes (0: any free port; fix it where firewalls need to know)"),
  CLUSTER_DNS("clusterDns", "",
      "DNS name listing every relay pod (a headless Service), for conf/cluster-kubernetes.xml's ${arc-relay.cluster-dns}"),
  CLUSTER_QUORUM("clusterQuorum", "0",
      "nodes a cluster half needs to go on pairing after a split, a majority (2 of 3); below it upgrades get 503, waiting sides are closed, /health/ready is 503 (0: off)"),
  CLUSTER_CONFIG("clusterConfig", "conf/cluster.xml",
      "Hazelcast config: a file, or classpath:NAME (conf/cluster-kubernetes.xml for DNS discovery)"),
  CLUSTER_TLS_CERT("clusterTlsCert", "",
      "PEM certificate of this node for the event bus between nodes: TLS, both ends authenticated "
          + "(with clusterTlsKey and clusterTlsCa)"),
  CLUSTER_TLS_KEY("clusterTlsKey", "", "PEM private key of clusterTlsCert"),
  CLUSTER_TLS_CA("clusterTlsCa", "",
      "PEM certificate of the CA that signs every node's clusterTlsCert; nodes without such a certificate are refused"),
  TUNNEL_DOMAIN("tunnelDomain", "localhost",
      "requests for <name>.<tunnelDomain> go to the tunnel <name> (localhost: http://myapp.localhost:8765/ needs no DNS)"),
  TUNNEL_TOKENS("tunnelTokens", "",
      "tokens agents may open tunnels with, comma-separated (empty: tunnels are off)"),
  TUNNEL_CONNECT_TIMEOUT("tunnelConnectTimeout", "10s",
      "how long a visitor waits for the agent's data connection before it gets 504"),
  TUNNEL_RESPONSE_TIMEOUT("tunnelResponseTimeout", "60s",
      "how long a tunnel request waits for its response to begin (after the request is all sent) before it gets 504"),
  TUNNEL_LINKS_PER_TUNNEL("tunnelLinksPerTunnel", "2048",
      "visitor connections one tunnel serves at once on a node (one data link each); past it visitors get 503"),
  TUNNEL_NAMES_PER_TOKEN("tunnelNamesPerToken", "20",
      "tunnel names one agent token may hold at once; past it a hello gets names-exhausted");

  private final String key;
  private final String defaultValue;
  private final String description;

  Setting(String key, String defaultValue, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  /** One line for --help and the table of docs/configuration.md. */
  public String description() {
    return description;
  }

  /**
   * The default as help shows it: the value, {@code half the CPUs} for {@link #EVENT_LOOPS} (whose
   * value depends on the machine), or null for an empty default (the description says what empty means).
   */
  public String defaultText() {
    if (this == EVENT_LOOPS) return "half the CPUs";
    return defaultValue.isEmpty() ? null : defaultValue;
  }

  /** True for on/off settings, which may be given as a bare flag ({@code --cluster}). */
  public boolean isSwitch() {
    return defaultValue.equals("false");
  }

  /** JSON key in the config file, e.g. {@code pairTtl}. */
  public String key() {
    return key;
  }

  /** Environment variable, e.g. {@code ARC_RELAY_PAIR_TTL}. */
  public String env() {
    return "ARC_RELAY_" + name();
  }

  /** Command-line flag, e.g. {@code --pair-ttl}. */
  public String flag() {
    return "--" + name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public String defaultValue() {
    return defaultValue;
  }
}
