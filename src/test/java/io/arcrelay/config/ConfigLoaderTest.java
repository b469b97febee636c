package io.arcrelay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir
  Path dir;

  @Test
  void durationsArePrintedAsTheyAreWritten() {
    for (String written : java.util.List.of("5m", "2s", "250ms", "1h", "0s", "90s", "1500ms")) {
      assertEquals(written, ConfigLoader.formatDuration(ConfigLoader.parseDuration(written)));
    }
  }

  @Test
  void defaultsMatchTheSeedRelay() {
    RelayConfig c = RelayConfig.defaults();
    assertEquals(8765, c.listen().port());
    assertEquals("0.0.0.0", c.listen().host());
    assertEquals(Duration.ofMinutes(5), c.pairing().pairTtl());
    assertEquals(Duration.ofSeconds(30), c.limits().pingInterval());
    assertEquals(1 << 20, c.limits().holdLimit());
    assertEquals(16 << 20, c.limits().maxMessageSize());
  }

  @Test
  void flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults() throws Exception {
    Path file = dir.resolve("relay.json");
    Files.writeString(file, "{\"port\": 1111, \"pairTtl\": \"1m\", \"holdLimit\": \"64KiB\", \"host\": \"127.0.0.1\"}");
    RelayConfig c = ConfigLoader.load(
        Map.of(Setting.PORT, "3333"),
        Map.of("ARC_RELAY_PORT", "2222", "ARC_RELAY_PAIR_TTL", "90s", "UNRELATED", "x"),
        file);
    assertEquals(3333, c.listen().port());
    assertEquals(Duration.ofSeconds(90), c.pairing().pairTtl());
    assertEquals(64 * 1024, c.limits().holdLimit());
    assertEquals("127.0.0.1", c.listen().host());
    assertEquals(Duration.ofSeconds(30), c.limits().pingInterval());
  }

  @Test
  void tunnelsAreOffUntilATokenIsSetInAnyLayer() throws Exception {
    RelayConfig off = RelayConfig.defaults();
    assertEquals(false, off.tunnel().enabled());
    assertEquals("localhost", off.tunnel().domain());
    assertEquals(Duration.ofSeconds(10), off.tunnel().connectTimeout());
    Path file = dir.resolve("tunnels.json");
    Files.writeString(file, "{\"tunnelTokens\": [\"from-file\"], \"tunnelDomain\": \"Tunnels.Example.com\"}");
    RelayConfig fromFile = ConfigLoader.load(Map.of(), Map.of(), file);
    assertEquals(java.util.List.of("from-file"), fromFile.tunnel().tokens());
    assertEquals("tunnels.example.com", fromFile.tunnel().domain());
    RelayConfig fromEnv = ConfigLoader.load(Map.of(), Map.of("ARC_RELAY_TUNNEL_TOKENS", "a,b"), file);
    assertEquals(java.util.List.of("a", "b"), fromEnv.tunnel().tokens());
    RelayConfig fromFlag = ConfigLoader.load(Map.of(Setting.TUNNEL_TOKENS, "c"), Map.of("ARC_RELAY_TUNNEL_TOKENS", "a,b"), file);
    assertEquals(java.util.List.of("c"), fromFlag.tunnel().tokens());
    assertEquals(false, fromFlag.toString().contains("c,") || fromFlag.toString().contains("from-file"), "tokens never printed");
    assertEquals(false, fromFile.tunnel().toString().contains("from-file"), "not by the tunnel record either");
    assertEquals("tunnel-domain: must be a host name such as localhost or tunnels.example.com",
        assertThrows(ConfigException.class, () -> load(Map.of(Setting.TUNNEL_DOMAIN, "*.example.com"), Map.of())).getMessage());
    assertEquals(true, load(Map.of(Setting.TUNNEL_TOKENS, "t", Setting.CLUSTER, "true"), Map.of()).tunnel().enabled(), "tunnels run on a cluster too");
  }

  /** A setting given on its own value, and where the config must show it. */
  private record Given(Setting setting, String text, Object value, Function<RelayConfig, Object> read) {}

  /**
   * Every setting at once, each with a value no other has (the durations 101s..108s, the sizes and
   * numbers apart too): each must arrive in the component named after it. Two settings swapped on
   * the way, say pingInterval and stallTimeout, or one dropped, fail here instead of compiling silently.
   */
  @Test
  void everySettingArrivesInTheComponentNamedAfterIt() {
    List<Given> all = List.of(
        new Given(Setting.HOST, "10.0.0.1", "10.0.0.1", c -> c.listen().host()),
        new Given(Setting.PORT, "1101", 1101, c -> c.listen().port()),
        new Given(Setting.MANAGEMENT_HOST, "10.0.0.2", "10.0.0.2", c -> c.listen().managementHost()),
        new Given(Setting.MANAGEMENT_PORT, "1102", 1102, c -> c.listen().managementPort()),
        new Given(Setting.TLS_CERT, "relay.crt", "relay.crt", c -> c.listen().tlsCert()),
        new Given(Setting.TLS_KEY, "relay.key", "relay.key", c -> c.listen().tlsKey()),
        new Given(Setting.PAIR_TTL, "101s", Duration.ofSeconds(101), c -> c.pairing().pairTtl()),
        new Given(Setting.MIN_CODE_LENGTH, "21", 21, c -> c.pairing().minCodeLength()),
        new Given(Setting.PING_INTERVAL, "102s", Duration.ofSeconds(102), c -> c.limits().pingInterval()),
        new Given(Setting.STALL_TIMEOUT, "103s", Duration.ofSeconds(103), c -> c.limits().stallTimeout()),
        new Given(Setting.HOLD_LIMIT, "1001", 1001L, c -> c.limits().holdLimit()),
        new Given(Setting.MAX_MESSAGE_SIZE, "1002", 1002, c -> c.limits().maxMessageSize()),
        new Given(Setting.MAX_FRAME_SIZE, "1003", 1003, c -> c.limits().maxFrameSize()),
        new Given(Setting.QUEUE_LIMIT, "1004", 1004L, c -> c.limits().queueLimit()),
        new Given(Setting.MEMORY_BUDGET, "100000", 100000L, c -> c.limits().memoryBudget()),
        new Given(Setting.MAX_CONNECTIONS, "22", 22, c -> c.edge().maxConnections()),
        new Given(Setting.MAX_CONNECTIONS_PER_IP, "23", 23, c -> c.edge().maxConnectionsPerIp()),
        new Given(Setting.UPGRADES_PER_IP, "24", 24, c -> c.edge().upgradesPerIp()),
        new Given(Setting.REFUSALS_PER_IP, "25", 25, c -> c.edge().refusalsPerIp()),
        new Given(Setting.REQUEST_TIMEOUT, "104s", Duration.ofSeconds(104), c -> c.edge().requestTimeout()),
        new Given(Setting.TRUSTED_PROXIES, "10.9.0.0/16", List.of("10.9.0.0/16"), c -> c.edge().trustedProxies()),
        new Given(Setting.PROXY_PROTOCOL, "true", true, c -> c.edge().proxyProtocol()),
        new Given(Setting.ACCESS_SECRET, "secret-of-the-edge", "secret-of-the-edge", c -> c.edge().accessSecret()),
        new Given(Setting.ALLOWED_ORIGINS, "https://a.example", List.of("https://a.example"), c -> c.edge().allowedOrigins()),
        new Given(Setting.EVENT_LOOPS, "26", 26, c -> c.lifecycle().eventLoops()),
        new Given(Setting.DRAIN_DELAY, "105s", Duration.ofSeconds(105), c -> c.lifecycle().drainDelay()),
        new Given(Setting.SHUTDOWN_GRACE, "106s", Duration.ofSeconds(106), c -> c.lifecycle().shutdownGrace()),
        new Given(Setting.CLUSTER, "true", true, c -> c.cluster().enabled()),
        new Given(Setting.CLUSTER_HOST, "10.0.0.3", "10.0.0.3", c -> c.cluster().host()),
        new Given(Setting.CLUSTER_PORT, "1103", 1103, c -> c.cluster().port()),
        new Given(Setting.CLUSTER_DNS, "relays.example", "relays.example", c -> c.cluster().dns()),
        new Given(Setting.CLUSTER_QUORUM, "27", 27, c -> c.cluster().quorum()),
        new Given(Setting.CLUSTER_CONFIG, "classpath:nodes.xml", "classpath:nodes.xml", c -> c.cluster().hazelcastConfig()),
        new Given(Setting.CLUSTER_TLS_CERT, "node.crt", "node.crt", c -> c.cluster().tlsCert()),
        new Given(Setting.CLUSTER_TLS_KEY, "node.key", "node.key", c -> c.cluster().tlsKey()),
        new Given(Setting.CLUSTER_TLS_CA, "ca.crt", "ca.crt", c -> c.cluster().tlsCa()),
        new Given(Setting.TUNNEL_DOMAIN, "tunnels.example", "tunnels.example", c -> c.tunnel().domain()),
        new Given(Setting.TUNNEL_TOKENS, "a-token", List.of("a-token"), c -> c.tunnel().tokens()),
        new Given(Setting.TUNNEL_CONNECT_TIMEOUT, "107s", Duration.ofSeconds(107), c -> c.tunnel().connectTimeout()),
        new Given(Setting.TUNNEL_RESPONSE_TIMEOUT, "108s", Duration.ofSeconds(108), c -> c.tunnel().responseTimeout()),
        new Given(Setting.TUNNEL_LINKS_PER_TUNNEL, "28", 28, c -> c.tunnel().linksPerTunnel()),
        new Given(Setting.TUNNEL_NAMES_PER_TOKEN, "29", 29, c -> c.tunnel().namesPerToken()));
    assertEquals(Arrays.stream(Setting.values()).collect(Collectors.toSet()),
        all.stream().map(Given::setting).collect(Collectors.toSet()), "every setting is checked here");
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    all.forEach(given -> flags.put(given.setting(), given.text()));
    RelayConfig config = load(flags, Map.of());
    for (Given given : all) assertEquals(given.value(), given.read().apply(config), given.setting().key());
    // The two switches share the value true above: one alone must not turn on the other.
    assertFalse(load(Map.of(Setting.PROXY_PROTOCOL, "true"), Map.of()).cluster().enabled());
    assertFalse(load(Map.of(Setting.CLUSTER, "true"), Map.of()).edge().proxyProtocol());
  }

  /** Built by name in code too: the builder sets each component by its name, whatever the order. */
  @Test
  void recordsAreBuiltByName() {
    LifecycleConfig lifecycle = LifecycleConfig.builder()
        .shutdownGrace(Duration.ofSeconds(5)).drainDelay(Duration.ofSeconds(2)).eventLoops(4).build();
    assertEquals(new LifecycleConfig(4, Duration.ofSeconds(2), Duration.ofSeconds(5)), lifecycle);
    assertEquals("stall-timeout: must be a positive duration", assertThrows(ConfigException.class, () ->
        LimitsConfig.builder().pingInterval(Duration.ofSeconds(30)).holdLimit(0).maxMessageSize(1).maxFrameSize(1)
            .queueLimit(1).memoryBudget(2).build()).getMessage());
    assertEquals("eventLoops not set", assertThrows(IllegalStateException.class, () ->
        LifecycleConfig.builder().drainDelay(Duration.ofSeconds(2)).shutdownGrace(Duration.ofSeconds(5)).build())
        .getMessage(), "a number left out is an error, not a silent 0");
  }

  /** Each record checks its own settings, with the messages the relay has always given. */
  @Test
  void eachRecordChecksItsOwnSettings() {
    record Bad(Setting setting, String value, String message) {}
    for (Bad bad : List.of(
        new Bad(Setting.EVENT_LOOPS, "0", "event-loops: must be positive"),
        new Bad(Setting.MIN_CODE_LENGTH, "0", "min-code-length: must be 1..256"),
        new Bad(Setting.QUEUE_LIMIT, "0", "queue-limit: must be positive"),
        new Bad(Setting.MAX_CONNECTIONS, "-1", "max-connections: must be positive"),
        new Bad(Setting.UPGRADES_PER_IP, "-1", "per-IP limits: must not be negative (0 means no cap)"),
        new Bad(Setting.REQUEST_TIMEOUT, "0s", "request-timeout: must be a positive duration"),
        new Bad(Setting.CLUSTER_PORT, "70000", "cluster-port: must be 0..65535, got 70000"),
        new Bad(Setting.CLUSTER_QUORUM, "-1", "cluster-quorum: must not be negative (0: off)"),
        new Bad(Setting.TUNNEL_LINKS_PER_TUNNEL, "0", "tunnel-links-per-tunnel: must be positive"),
        new Bad(Setting.TUNNEL_RESPONSE_TIMEOUT, "0s", "tunnel-response-timeout: must be a positive duration"))) {
      assertEquals(bad.message(), assertThrows(ConfigException.class,
          () -> load(Map.of(bad.setting(), bad.value()), Map.of())).getMessage());
    }
  }

  @Test
  void badValuesNameTheirSourceInOneLine() {
    assertEquals("--pair-ttl: expected a duration like 250ms, 30s, 5m or 1h, got 'soon'",
        assertThrows(ConfigException.class, () -> load(Map.of(Setting.PAIR_TTL, "soon"), Map.of())).getMessage());
    assertEquals("ARC_RELAY_PORT: expected a whole number, got 'http'",
        assertThrows(ConfigException.class, () -> load(Map.of(), Map.of("ARC_RELAY_PORT", "http"))).getMessage());
    assertEquals("port: must be 0..65535, got 70000",
        assertThrows(ConfigException.class, () -> load(Map.of(Setting.PORT, "70000"), Map.of())).getMessage());
    assertEquals("pair-ttl: must be a positive duration",
        assertThrows(ConfigException.class, () -> load(Map.of(Setting.PAIR_TTL, "0s"), Map.of())).getMessage());
  }

  @Test
  void unknownKeysAndMissingFilesAreErrors() throws Exception {
    Path file = dir.resolve("typo.json");
    Files.writeString(file, "{\"pairTTL\": \"1m\"}");
    assertEquals(file + ": unknown setting 'pairTTL'",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of(), Map.of(), file)).getMessage());
    Path missing = dir.resolve("missing.json");
    assertEquals(missing + ": no such config file",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of(), Map.of(), missing)).getMessage());
  }

  @Test
  void listsComeCommaSeparatedOrAsJsonArrays() throws Exception {
    Path file = dir.resolve("relay.json");
    Files.writeString(file, "{\"trustedProxies\": [\"10.0.0.0/8\", \"::1\"]}");
    assertEquals(java.util.List.of("10.0.0.0/8", "::1"), ConfigLoader.load(Map.of(), Map.of(), file).edge().trustedProxies());
    assertEquals(java.util.List.of("https://a.example", "https://b.example"),
        load(Map.of(), Map.of("ARC_RELAY_ALLOWED_ORIGINS", "https://a.example, https://b.example")).edge().allowedOrigins());
    assertEquals(java.util.List.of(), RelayConfig.defaults().edge().trustedProxies());
  }

  @Test
  void theEdgeLimitsHaveSafeDefaultsAndAreChecked() {
    RelayConfig c = RelayConfig.defaults();
    assertEquals(160L << 20, c.limits().memoryBudget());
    assertEquals(256, c.edge().maxConnectionsPerIp());
    assertEquals(Duration.ofSeconds(10), c.edge().requestTimeout());
    assertEquals(false, c.listen().tls());
    assertEquals("memory-budget: must be at least twice max-frame-size (33554432 bytes)",
        assertThrows(ConfigException.class, () -> load(Map.of(Setting.MEMORY_BUDGET, "16MiB"), Map.of())).getMessage());
    assertEquals("tls-cert and tls-key: give both or neither",
        assertThrows(ConfigException.class, () -> load(Map.of(Setting.TLS_CERT, "cert.pem"), Map.of())).getMessage());
    assertEquals("ARC_RELAY_PAIR_TTL: duration too large, got '99999999999999999h'",
        assertThrows(ConfigException.class, () -> load(Map.of(), Map.of("ARC_RELAY_PAIR_TTL", "99999999999999999h"))).getMessage());
    RelayConfig secret = load(Map.of(Setting.ACCESS_SECRET, "do-not-print-me-anywhere"), Map.of());
    assertEquals(false, secret.toString().contains("do-not-print-me"), "the secret stays out of toString");
    assertEquals(false, secret.edge().toString().contains("do-not-print-me"), "and out of the edge record's");
  }

  @Test
  void clusterTlsTakesCertificateKeyAndCaTogether() {
    RelayConfig none = RelayConfig.defaults();
    assertEquals(false, none.cluster().tls());
    RelayConfig all = load(Map.of(Setting.CLUSTER_TLS_CERT, "node.crt", Setting.CLUSTER_TLS_KEY, "node.key"),
        Map.of("ARC_RELAY_CLUSTER_TLS_CA", "ca.crt"));
    assertEquals(true, all.cluster().tls());
    assertEquals("ca.crt", all.cluster().tlsCa());
    assertEquals("cluster-tls-cert, cluster-tls-key and cluster-tls-ca: give all three or none (missing: cluster-tls-key, cluster-tls-ca)",
        assertThrows(ConfigException.class, () -> load(Map.of(Setting.CLUSTER_TLS_CERT, "node.crt"), Map.of())).getMessage());
    assertEquals("cluster-tls-cert, cluster-tls-key and cluster-tls-ca: give all three or none (missing: cluster-tls-cert)",
        assertThrows(ConfigException.class, () -> load(Map.of(),
            Map.of("ARC_RELAY_CLUSTER_TLS_KEY", "node.key", "ARC_RELAY_CLUSTER_TLS_CA", "ca.crt"))).getMessage());
  }

  @Test
  void theManagementPortIsOffByDefaultAndListensOnHostUnlessToldOtherwise() {
    RelayConfig c = RelayConfig.defaults();
    assertEquals(0, c.listen().managementPort());
    assertEquals(false, c.listen().managementPortSet());
    RelayConfig set = load(Map.of(Setting.HOST, "10.1.2.3", Setting.MANAGEMENT_PORT, "9090"), Map.of());
    assertEquals("10.1.2.3", set.listen().managementHost());
    assertEquals("127.0.0.1", load(Map.of(Setting.MANAGEMENT_PORT, "9090"),
        Map.of("ARC_RELAY_MANAGEMENT_HOST", "127.0.0.1")).listen().managementHost());
    assertEquals("management-port: must differ from port (0 serves health and metrics on port)",
        assertThrows(ConfigException.class, () -> load(Map.of(Setting.MANAGEMENT_PORT, "8765"), Map.of())).getMessage());
    assertEquals("management-port: must be 0..65535, got -1",
        assertThrows(ConfigException.class, () -> load(Map.of(Setting.MANAGEMENT_PORT, "-1"), Map.of())).getMessage());
  }

  @Test
  void parsesSizesAndDurations() {
    assertEquals(65536, ConfigLoader.parseSize("65536"));
    assertEquals(65536, ConfigLoader.parseSize("64KiB"));
    assertEquals(16L << 20, ConfigLoader.parseSize("16m"));
    assertEquals(Duration.ofMillis(250), ConfigLoader.parseDuration("250ms"));
    assertEquals(Duration.ofHours(1), ConfigLoader.parseDuration("1h"));
  }

  private static RelayConfig load(Map<Setting, String> flags, Map<String, String> env) {
    return ConfigLoader.load(flags, env, null);
  }
}
