package io.arcrelay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
    assertEquals(8765, c.port());
    assertEquals("0.0.0.0", c.host());
    assertEquals(Duration.ofMinutes(5), c.pairTtl());
    assertEquals(Duration.ofSeconds(30), c.pingInterval());
    assertEquals(1 << 20, c.holdLimit());
    assertEquals(16 << 20, c.maxMessageSize());
  }

  @Test
  void flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults() throws Exception {
    Path file = dir.resolve("relay.json");
    Files.writeString(file, "{\"port\": 1111, \"pairTtl\": \"1m\", \"holdLimit\": \"64KiB\", \"host\": \"127.0.0.1\"}");
    RelayConfig c = ConfigLoader.load(
        Map.of(Setting.PORT, "3333"),
        Map.of("ARC_RELAY_PORT", "2222", "ARC_RELAY_PAIR_TTL", "90s", "UNRELATED", "x"),
        file);
    assertEquals(3333, c.port());
    assertEquals(Duration.ofSeconds(90), c.pairTtl());
    assertEquals(64 * 1024, c.holdLimit());
    assertEquals("127.0.0.1", c.host());
    assertEquals(Duration.ofSeconds(30), c.pingInterval());
  }

  @Test
  void tunnelsAreOffUntilATokenIsSetInAnyLayer() throws Exception {
    RelayConfig off = RelayConfig.defaults();
    assertEquals(false, off.tunnels());
    assertEquals("localhost", off.tunnelDomain());
    assertEquals(Duration.ofSeconds(10), off.tunnelConnectTimeout());
    Path file = dir.resolve("tunnels.json");
    Files.writeString(file, "{\"tunnelTokens\": [\"from-file\"], \"tunnelDomain\": \"Tunnels.Example.com\"}");
    RelayConfig fromFile = ConfigLoader.load(Map.of(), Map.of(), file);
    assertEquals(java.util.List.of("from-file"), fromFile.tunnelTokens());
    assertEquals("tunnels.example.com", fromFile.tunnelDomain());
    RelayConfig fromEnv = ConfigLoader.load(Map.of(), Map.of("ARC_RELAY_TUNNEL_TOKENS", "a,b"), file);
    assertEquals(java.util.List.of("a", "b"), fromEnv.tunnelTokens());
    RelayConfig fromFlag = ConfigLoader.load(Map.of(Setting.TUNNEL_TOKENS, "c"), Map.of("ARC_RELAY_TUNNEL_TOKENS", "a,b"), file);
    assertEquals(java.util.List.of("c"), fromFlag.tunnelTokens());
    assertEquals(false, fromFlag.toString().contains("c,") || fromFlag.toString().contains("from-file"), "tokens never printed");
    assertEquals("tunnel-domain: must be a host name such as localhost or tunnels.example.com",
        assertThrows(ConfigException.class, () -> load(Map.of(Setting.TUNNEL_DOMAIN, "*.example.com"), Map.of())).getMessage());
    assertEquals(true, load(Map.of(Setting.TUNNEL_TOKENS, "t", Setting.CLUSTER, "true"), Map.of()).tunnels(), "tunnels run on a cluster too");
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
    assertEquals(java.util.List.of("10.0.0.0/8", "::1"), ConfigLoader.load(Map.of(), Map.of(), file).trustedProxies());
    assertEquals(java.util.List.of("https://a.example", "https://b.example"),
        load(Map.of(), Map.of("ARC_RELAY_ALLOWED_ORIGINS", "https://a.example, https://b.example")).allowedOrigins());
    assertEquals(java.util.List.of(), RelayConfig.defaults().trustedProxies());
  }

  @Test
  void theEdgeLimitsHaveSafeDefaultsAndAreChecked() {
    RelayConfig c = RelayConfig.defaults();
    assertEquals(160L << 20, c.memoryBudget());
    assertEquals(256, c.maxConnectionsPerIp());
    assertEquals(Duration.ofSeconds(10), c.requestTimeout());
    assertEquals(false, c.tls());
    assertEquals("memory-budget: must be at least twice max-frame-size (33554432 bytes)",
        assertThrows(ConfigException.class, () -> load(Map.of(Setting.MEMORY_BUDGET, "16MiB"), Map.of())).getMessage());
    assertEquals("tls-cert and tls-key: give both or neither",
        assertThrows(ConfigException.class, () -> load(Map.of(Setting.TLS_CERT, "cert.pem"), Map.of())).getMessage());
    assertEquals("ARC_RELAY_PAIR_TTL: duration too large, got '99999999999999999h'",
        assertThrows(ConfigException.class, () -> load(Map.of(), Map.of("ARC_RELAY_PAIR_TTL", "99999999999999999h"))).getMessage());
    RelayConfig secret = load(Map.of(Setting.ACCESS_SECRET, "do-not-print-me-anywhere"), Map.of());
    assertEquals(false, secret.toString().contains("do-not-print-me"), "the secret stays out of toString");
  }

  @Test
  void clusterTlsTakesCertificateKeyAndCaTogether() {
    RelayConfig none = RelayConfig.defaults();
    assertEquals(false, none.clusterTls());
    RelayConfig all = load(Map.of(Setting.CLUSTER_TLS_CERT, "node.crt", Setting.CLUSTER_TLS_KEY, "node.key"),
        Map.of("ARC_RELAY_CLUSTER_TLS_CA", "ca.crt"));
    assertEquals(true, all.clusterTls());
    assertEquals("ca.crt", all.clusterTlsCa());
    assertEquals("cluster-tls-cert, cluster-tls-key and cluster-tls-ca: give all three or none (missing: cluster-tls-key, cluster-tls-ca)",
        assertThrows(ConfigException.class, () -> load(Map.of(Setting.CLUSTER_TLS_CERT, "node.crt"), Map.of())).getMessage());
    assertEquals("cluster-tls-cert, cluster-tls-key and cluster-tls-ca: give all three or none (missing: cluster-tls-cert)",
        assertThrows(ConfigException.class, () -> load(Map.of(),
            Map.of("ARC_RELAY_CLUSTER_TLS_KEY", "node.key", "ARC_RELAY_CLUSTER_TLS_CA", "ca.crt"))).getMessage());
  }

  @Test
  void theManagementPortIsOffByDefaultAndListensOnHostUnlessToldOtherwise() {
    RelayConfig c = RelayConfig.defaults();
    assertEquals(0, c.managementPort());
    assertEquals(false, c.managementPortSet());
    RelayConfig set = load(Map.of(Setting.HOST, "10.1.2.3", Setting.MANAGEMENT_PORT, "9090"), Map.of());
    assertEquals("10.1.2.3", set.managementHost());
    assertEquals("127.0.0.1", load(Map.of(Setting.MANAGEMENT_PORT, "9090"),
        Map.of("ARC_RELAY_MANAGEMENT_HOST", "127.0.0.1")).managementHost());
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
