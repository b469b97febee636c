package io.arcrelay.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import io.arcrelay.config.ConfigLoader;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.config.Setting;
import io.arcrelay.edge.TrustedProxies;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads {@code compose.yaml} and checks it against the code and the files it uses: the relays'
 * settings load, their cluster ports stay on an internal network, the Hazelcast config finds the
 * three of them, HAProxy balances by pair code over them and is trusted by them, and a stop waits
 * for the drain.
 */
class ComposeFileTest {

  private static Map<String, Object> services;
  private static Map<String, Object> networks;

  @BeforeAll
  static void parse() throws IOException {
    try (Reader reader = Files.newBufferedReader(Path.of("compose.yaml"))) {
      Map<String, Object> compose = new Yaml().load(reader);
      services = map(compose, "services");
      networks = map(compose, "networks");
    }
  }

  @SuppressWarnings("unchecked")
  private static Object get(Object node, String key) {
    return ((Map<String, Object>) node).get(key);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object node, String key) {
    return (Map<String, Object>) get(node, key);
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object node, String key) {
    return ((List<Object>) get(node, key)).stream().map(String::valueOf).toList();
  }

  private static Map<String, Object> service(String name) {
    return map(services, name);
  }

  /** The services built from the repository's Dockerfile. */
  private static List<String> relays() {
    List<String> relays = services.keySet().stream().filter(s -> ".".equals(get(service(s), "build"))).toList();
    assertEquals(3, relays.size(), "relays: " + relays);
    return relays;
  }

  private static Map<String, Object> haproxy() {
    return services.keySet().stream().filter(s -> String.valueOf(get(service(s), "image")).startsWith("haproxy:"))
        .map(ComposeFileTest::service).findFirst().orElseThrow(() -> new AssertionError("no haproxy service"));
  }

  private static Map<String, String> env(Map<String, Object> service) {
    return map(service, "environment").entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())));
  }

  /** A relay's settings as its container reads them: the image's conf/relay.json, then the environment. */
  private static RelayConfig config(String relay) {
    return ConfigLoader.load(Map.of(), env(service(relay)), Path.of("conf", "relay.json"));
  }

  /** The network on which the relay's cluster host is one of its names. */
  private static String clusterNetwork(String relay) {
    Map<String, Object> attached = map(service(relay), "networks");
    List<String> carrying = attached.keySet().stream()
        .filter(n -> attached.get(n) != null && get(attached.get(n), "aliases") != null)
        .filter(n -> strings(attached.get(n), "aliases").contains(config(relay).cluster().host()))
        .toList();
    assertEquals(1, carrying.size(), relay + "'s cluster host is a name on one network: " + carrying);
    return carrying.get(0);
  }

  /** What HAProxy runs: the files mounted into it, concatenated in the order its entrypoint names them. */
  private static String haproxyConfig() throws IOException {
    String entrypoint = String.join(" ", strings(haproxy(), "entrypoint"));
    TreeMap<Integer, Path> files = new TreeMap<>();
    for (String volume : strings(haproxy(), "volumes")) {
      String[] hostAndContainer = volume.split(":");
      int at = entrypoint.indexOf(hostAndContainer[1]);
      if (at >= 0) files.put(at, Path.of(hostAndContainer[0]));
    }
    assertEquals(Path.of("./conf/haproxy.cfg"), files.firstEntry().getValue(), "conf/haproxy.cfg, then the servers");
    StringBuilder config = new StringBuilder();
    for (Path file : files.values()) config.append(Files.readString(file));
    return config.toString();
  }

  // ---- the checks ----

  @Test
  void everyRelayVariableIsASettingAndLoads() {
    for (String relay : relays()) {
      for (String name : env(service(relay)).keySet()) {
        if (!name.startsWith("ARC_RELAY_")) continue;
        assertTrue(Arrays.stream(Setting.values()).anyMatch(s -> s.env().equals(name)), name + " is no setting");
      }
      RelayConfig config = config(relay);
      assertTrue(config.cluster().enabled(), relay);
      assertEquals(5702, config.cluster().port(), "a fixed event-bus port");
      assertTrue(config.listen().managementPortSet(), relay + ": metrics and detailed health off the port HAProxy forwards to");
    }
  }

  @Test
  void theClusterPortsStayOnAnInternalNetwork() {
    for (String name : services.keySet()) {
      Map<String, Object> s = service(name);
      assertFalse("host".equals(s.get("network_mode")), name + " shares the host's ports");
      if (!s.containsKey("ports")) continue;
      for (String mapping : strings(s, "ports")) {
        String target = mapping.substring(mapping.lastIndexOf(':') + 1).replace("/tcp", "");
        assertFalse(Set.of("5701", "5702", "9090").contains(target), name + " publishes " + mapping);
      }
    }
    for (String relay : relays()) {
      assertEquals(9090, config(relay).listen().managementPort(), "the management port no service publishes");
      assertFalse(service(relay).containsKey("ports"), relay + " is reached through HAProxy only");
      String network = clusterNetwork(relay);
      assertEquals(true, map(networks, network).get("internal"), network + " is internal");
      assertFalse(map(haproxy(), "networks").containsKey(network), "HAProxy stays off " + network);
    }
  }

  @Test
  void theClusterConfigFindsTheThreeRelaysOnTheirClusterNames() throws IOException {
    // The Dockerfile copies conf/ to /app/conf and runs in /app: the relative path is the repository's.
    assertTrue(Files.readString(Path.of("Dockerfile")).contains("COPY conf /app/conf"));
    String file = config(relays().get(0)).cluster().hazelcastConfig();
    for (String relay : relays()) assertEquals(file, config(relay).cluster().hazelcastConfig());
    Config hazelcast = new FileSystemXmlConfig(file);

    int port = hazelcast.getNetworkConfig().getPort();
    assertEquals(5701, port);
    Set<String> members = Set.copyOf(hazelcast.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
    Set<String> names = relays().stream().map(r -> config(r).cluster().host() + ":" + port).collect(Collectors.toSet());
    assertEquals(names, members);
    assertEquals("false", hazelcast.getProperty("hazelcast.socket.bind.any"), "Hazelcast binds its cluster name only");
    assertTrue(hazelcast.getMultiMapConfigs().containsKey("__vertx.subs"));
    for (String map : List.of("__vertx.haInfo", "__vertx.nodeInfo", "arc-relay.pairs")) {
      assertTrue(hazelcast.getMapConfigs().containsKey(map), map);
    }
  }

  @Test
  void haproxyBalancesByPairOverTheRelaysAndIsTrusted() throws IOException {
    String config = haproxyConfig();
    assertTrue(config.contains("\n    balance url_param pair\n"));
    assertTrue(config.contains("\n    option httpchk GET /health/ready\n"));
    assertTrue(config.contains("\n    option forwardfor\n"), "the relays learn the client's address");
    for (String relay : relays()) {
      assertTrue(config.contains("\n    server " + relay + " " + relay + ":" + config(relay).listen().port() + "\n"), relay);
    }
    Map<String, String> env = env(haproxy());
    assertEquals("0.0.0.0", env.get("ARC_RELAY_LB_ADDR"), "reachable from outside its container");
    assertEquals(List.of(env.get("ARC_RELAY_LB_PORT")), strings(haproxy(), "ports").stream()
        .map(p -> p.substring(p.lastIndexOf(':') + 1)).toList(), "the published port is HAProxy's");

    List<String> addresses = map(haproxy(), "networks").values().stream()
        .map(n -> String.valueOf(get(n, "ipv4_address"))).toList();
    for (String relay : relays()) {
      TrustedProxies trusted = TrustedProxies.parse(config(relay).edge().trustedProxies());
      assertTrue(addresses.stream().anyMatch(trusted::trusts), relay + " trusts HAProxy at " + addresses);
    }
  }

  @Test
  void aStopWaitsForTheDrainAndHaproxyNoticesItFirst() throws IOException {
    Matcher check = Pattern.compile("check inter (\\w+) fall (\\d+)").matcher(haproxyConfig());
    assertTrue(check.find());
    Duration noticed = ConfigLoader.parseDuration(check.group(1)).multipliedBy(Integer.parseInt(check.group(2)));
    for (String relay : relays()) {
      RelayConfig config = config(relay);
      assertTrue(noticed.compareTo(config.lifecycle().drainDelay()) < 0, "HAProxy takes a draining node out within drainDelay");
      Object grace = get(service(relay), "stop_grace_period");
      assertNotNull(grace, relay + " stop_grace_period");
      Duration stop = ConfigLoader.parseDuration(String.valueOf(grace));
      assertTrue(stop.compareTo(config.lifecycle().drainDelay().plus(config.lifecycle().shutdownGrace())) > 0,
          relay + ": stop_grace_period " + stop + " must exceed drainDelay + shutdownGrace");
    }
  }
}
