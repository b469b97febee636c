package io.arcrelay.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Http;
import io.arcrelay.Relay;
import io.arcrelay.config.ConfigLoader;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.config.Setting;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads every manifest in {@code k8s/} and checks it against the code: the config the ConfigMap
 * carries loads, the probe and scrape paths answer on a real node, ports and names line up, and
 * every selector selects the pods it claims to.
 */
class KubernetesManifestsTest {

  private static final Path K8S = Path.of("k8s");
  private static final Map<String, Map<String, Object>> byKind = new HashMap<>();
  private static final List<String> files = new ArrayList<>();

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void parse() throws IOException {
    try (Stream<Path> list = Files.list(K8S)) {
      for (Path file : list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        files.add(file.getFileName().toString());
        try (Reader reader = Files.newBufferedReader(file)) {
          for (Object doc : new Yaml().loadAll(reader)) {
            Map<String, Object> manifest = (Map<String, Object>) doc;
            String kind = (String) manifest.get("kind");
            String name = kind.equals("Service") || kind.equals("Ingress") ? kind + "/" + str(manifest, "metadata.name") : kind;
            byKind.put(name, manifest);
          }
        }
      }
    }
  }

  // ---- small helpers to walk parsed YAML ----

  /** The node at a dotted path; list indexes are numbers, and {@code \\.} is a dot inside a key. */
  @SuppressWarnings("unchecked")
  private static Object at(Object node, String path) {
    for (String escaped : path.split("(?<!\\\\)\\.")) {
      String key = escaped.replace("\\.", ".");
      assertNotNull(node, path);
      node = key.matches("\\d+") ? ((List<Object>) node).get(Integer.parseInt(key)) : ((Map<String, Object>) node).get(key);
    }
    return node;
  }

  private static String str(Object node, String path) {
    return String.valueOf(at(node, path));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object node, String path) {
    return (Map<String, Object>) at(node, path);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object node, String path) {
    return (List<Map<String, Object>>) at(node, path);
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object node, String path) {
    return ((List<Object>) at(node, path)).stream().map(String::valueOf).toList();
  }

  private static Map<String, Object> manifest(String kind) {
    Map<String, Object> m = byKind.get(kind);
    assertNotNull(m, kind + " missing from k8s/");
    return m;
  }

  private static Map<String, Object> container() {
    return list(manifest("Deployment"), "spec.template.spec.containers").get(0);
  }

  private static Map<String, Object> podLabels() {
    return map(manifest("Deployment"), "spec.template.metadata.labels");
  }

  private static int containerPort(String name) {
    return list(container(), "ports").stream().filter(p -> name.equals(p.get("name")))
        .map(p -> (Integer) p.get("containerPort")).findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + name));
  }

  private static void assertSelectsPods(Map<String, Object> selector, String who) {
    assertTrue(podLabels().entrySet().containsAll(selector.entrySet()), who + " selects no relay pod: " + selector);
  }

  private static String env(String name) {
    return list(container(), "env").stream().filter(e -> name.equals(e.get("name")) && e.get("value") != null)
        .map(e -> String.valueOf(e.get("value"))).findFirst().orElse(null);
  }

  /** The node configuration the pods run with: the ConfigMap's relay.json plus the Deployment's variables. */
  private static RelayConfig podConfig(Map<Setting, String> overrides) throws IOException {
    Path json = Files.createTempFile("relay", ".json");
    Files.writeString(json, str(manifest("ConfigMap"), "data.relay\\.json"));
    Map<String, String> environment = new HashMap<>();
    for (Setting s : Setting.values()) {
      if (env(s.env()) != null) environment.put(s.env(), env(s.env()).replace("$(POD_IP)", "127.0.0.1"));
    }
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.putAll(overrides);
    return ConfigLoader.load(flags, environment, json);
  }

  // ---- the checks ----

  @Test
  void kustomizationListsEveryManifest() {
    List<String> resources = strings(manifest("Kustomization"), "resources");
    Set<String> manifests = files.stream().filter(f -> !f.equals("kustomization.yaml")).collect(Collectors.toSet());
    assertEquals(manifests, Set.copyOf(resources));
  }

  @Test
  void thePodsConfigurationLoadsAndItsPortsAreTheContainersPorts() throws IOException {
    RelayConfig config = podConfig(Map.of());
    assertTrue(config.cluster());
    assertEquals(config.port(), containerPort("http"));
    assertEquals(config.managementPort(), containerPort("management"));
    assertEquals(config.clusterPort(), containerPort("eventbus"));
    assertTrue(Files.exists(Path.of(config.clusterConfig())), config.clusterConfig() + " is in the image");
    for (Map<String, Object> e : list(container(), "env")) {
      String name = (String) e.get("name");
      if (name.startsWith("ARC_RELAY_") && !name.startsWith("ARC_RELAY_LOG_")) {
        assertTrue(Arrays.stream(Setting.values()).anyMatch(s -> s.env().equals(name)), name + " is no setting");
      }
    }
  }

  @Test
  void hazelcastIsFoundThroughTheHeadlessService() throws IOException {
    Map<String, Object> headless = manifest("Service/arc-relay-hazelcast");
    assertEquals("None", str(headless, "spec.clusterIP"));
    assertEquals(true, at(headless, "spec.publishNotReadyAddresses"), "pods are findable before they are ready");
    assertSelectsPods(map(headless, "spec.selector"), "the headless Service");
    assertEquals("hazelcast", str(headless, "spec.ports.0.targetPort"));
    String xml = Files.readString(Path.of(podConfig(Map.of()).clusterConfig()));
    Matcher port = Pattern.compile("<service-port>(\\d+)</service-port>").matcher(xml);
    assertTrue(port.find());
    assertEquals(Integer.parseInt(port.group(1)), containerPort("hazelcast"));
    assertEquals(containerPort("hazelcast"), at(headless, "spec.ports.0.port"));
    assertTrue(xml.contains("${arc-relay.cluster-dns}"));
    assertTrue(env("ARC_RELAY_CLUSTER_DNS").startsWith("arc-relay-hazelcast."),
        "the DNS name the pods look up is the headless Service's");
  }

  @Test
  void probesAndScrapePathsAnswerOnTheManagementPortOfARealNodeAndNotOnTheClientPort() throws IOException {
    Map<String, Object> deployment = manifest("Deployment");
    Map<Setting, String> local = Map.of(Setting.CLUSTER, "false", Setting.PORT, "0", Setting.HOST, "127.0.0.1",
        Setting.MANAGEMENT_PORT, String.valueOf(freePort()));
    Vertx vertx = Vertx.vertx();
    try {
      Relay relay = Relay.start(vertx, podConfig(local)).await();
      Http management = new Http(vertx, relay.managementPort());
      Http clients = new Http(vertx, relay.port());
      for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
        assertEquals("management", str(container(), probe + ".httpGet.port"));
        String path = str(container(), probe + ".httpGet.path");
        assertEquals(200, management.get(path).status(), probe + " " + path);
      }
      String annotated = str(deployment, "spec.template.metadata.annotations.prometheus\\.io/path");
      assertEquals(200, management.get(annotated).status());
      String monitored = str(list(manifest("ServiceMonitor"), "spec.endpoints").get(0), "path");
      assertEquals(200, management.get(monitored).status());
      for (String path : List.of(annotated, monitored, "/health")) {
        assertEquals(404, clients.get(path).status(), path + " is not served on the port the Ingress reaches");
      }
    } finally {
      vertx.close().await();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void aRollingUpdateTakesOnePodAtATimeAndWaitsForTheDrain() throws IOException {
    Map<String, Object> deployment = manifest("Deployment");
    assertEquals(3, at(deployment, "spec.replicas"));
    assertEquals(0, at(deployment, "spec.strategy.rollingUpdate.maxUnavailable"));
    assertEquals(1, at(deployment, "spec.strategy.rollingUpdate.maxSurge"));
    assertSelectsPods(map(deployment, "spec.selector.matchLabels"), "the Deployment");
    List<String> preStop = strings(container(), "lifecycle.preStop.exec.command");
    assertEquals("sleep", preStop.get(0));
    RelayConfig config = podConfig(Map.of());
    long needed = Long.parseLong(preStop.get(1)) + config.drainDelay().toSeconds() + config.shutdownGrace().toSeconds();
    int grace = (Integer) at(deployment, "spec.template.spec.terminationGracePeriodSeconds");
    assertTrue(grace > needed, "terminationGracePeriodSeconds " + grace + " must exceed " + needed);
    assertNotNull(at(container(), "resources.requests.cpu"), "the HPA needs CPU requests");
  }

  @Test
  void servicesIngressAutoscalerBudgetAndMonitorPointAtTheRelay() throws IOException {
    Map<String, Object> service = manifest("Service/arc-relay");
    assertSelectsPods(map(service, "spec.selector"), "the client Service");
    assertEquals("http", str(service, "spec.ports.0.targetPort"));

    Map<String, Object> ingress = manifest("Ingress/arc-relay");
    assertEquals("arc-relay", str(ingress, "spec.rules.0.http.paths.0.backend.service.name"));
    assertEquals(str(service, "spec.ports.0.name"), str(ingress, "spec.rules.0.http.paths.0.backend.service.port.name"));
    assertEquals("$arg_pair", str(ingress, "metadata.annotations.nginx\\.ingress\\.kubernetes\\.io/upstream-hash-by"),
        "affinity by pair code");

    // Tunnels: the wildcard host of the tunnel domain, to the same Service, spread over the pods;
    // tokens only from a Secret, optional, so tunnels are off until one is created.
    Map<String, Object> tunnels = manifest("Ingress/arc-relay-tunnels");
    assertEquals("*." + podConfig(Map.of()).tunnelDomain(), str(tunnels, "spec.rules.0.host"));
    assertEquals("arc-relay", str(tunnels, "spec.rules.0.http.paths.0.backend.service.name"));
    assertEquals(null, at(tunnels, "metadata.annotations.nginx\\.ingress\\.kubernetes\\.io/upstream-hash-by"),
        "tunnel visitors are spread over the pods");
    Map<String, Object> tokens = list(container(), "env").stream()
        .filter(e -> "ARC_RELAY_TUNNEL_TOKENS".equals(e.get("name"))).findFirst().orElseThrow();
    assertEquals(true, at(tokens, "valueFrom.secretKeyRef.optional"));
    assertEquals(false, podConfig(Map.of()).tunnels(), "tunnels off while the Secret is absent");

    Map<String, Object> hpa = manifest("HorizontalPodAutoscaler");
    assertEquals("Deployment", str(hpa, "spec.scaleTargetRef.kind"));
    assertEquals(str(manifest("Deployment"), "metadata.name"), str(hpa, "spec.scaleTargetRef.name"));
    assertEquals(at(manifest("Deployment"), "spec.replicas"), at(hpa, "spec.minReplicas"));

    assertSelectsPods(map(manifest("PodDisruptionBudget"), "spec.selector.matchLabels"), "the PodDisruptionBudget");

    // The client Service, the Ingress's backend, carries the client port only.
    assertEquals(List.of("http"), list(service, "spec.ports").stream().map(p -> String.valueOf(p.get("targetPort"))).toList(),
        "the Ingress can reach no port but the client port");

    Map<String, Object> managementService = manifest("Service/arc-relay-management");
    assertSelectsPods(map(managementService, "spec.selector"), "the management Service");
    assertEquals("management", str(managementService, "spec.ports.0.targetPort"));
    assertEquals(containerPort("management"), at(managementService, "spec.ports.0.port"));

    Map<String, Object> monitor = manifest("ServiceMonitor");
    Map<String, Object> wanted = map(monitor, "spec.selector.matchLabels");
    assertTrue(map(managementService, "metadata.labels").entrySet().containsAll(wanted.entrySet()),
        "monitor selects the management Service");
    for (String other : List.of("Service/arc-relay", "Service/arc-relay-hazelcast")) {
      assertTrue(!map(manifest(other), "metadata.labels").entrySet().containsAll(wanted.entrySet()),
          "and not " + other + ", which has no metrics port");
    }
    assertEquals(str(managementService, "spec.ports.0.name"), str(monitor, "spec.endpoints.0.port"));
    assertEquals(String.valueOf(containerPort("management")),
        str(manifest("Deployment"), "spec.template.metadata.annotations.prometheus\\.io/port"));
  }

  @Test
  void onlyRelayPodsReachTheClusterPorts() throws IOException {
    Map<String, Object> policy = manifest("NetworkPolicy");
    assertSelectsPods(map(policy, "spec.podSelector.matchLabels"), "the NetworkPolicy");
    assertEquals(List.of("Ingress"), strings(policy, "spec.policyTypes"));

    // The ports Hazelcast and the event bus listen on, as the pods run them.
    RelayConfig config = podConfig(Map.of());
    String xml = Files.readString(Path.of(config.clusterConfig()));
    Matcher hazelcast = Pattern.compile("<port[^>]*>(\\d+)</port>").matcher(xml);
    assertTrue(hazelcast.find());
    assertEquals(Integer.parseInt(hazelcast.group(1)), containerPort("hazelcast"));
    assertEquals(config.clusterPort(), containerPort("eventbus"));
    Set<Object> clusterPorts = Set.of(containerPort("hazelcast"), containerPort("eventbus"));

    Set<Object> admittedFromRelays = new HashSet<>();
    boolean clientPortOpen = false;
    boolean managementPortAdmitted = false;
    for (Map<String, Object> rule : list(policy, "spec.ingress")) {
      // A rule without ports admits every port.
      Set<Object> ports = rule.containsKey("ports")
          ? list(rule, "ports").stream().map(p -> p.get("port")).collect(Collectors.toSet()) : null;
      if (ports == null || ports.stream().anyMatch(clusterPorts::contains)) {
        List<Map<String, Object>> from = list(rule, "from");
        assertTrue(from != null && !from.isEmpty(), "cluster ports open to any source: " + rule);
        for (Map<String, Object> peer : from) {
          assertEquals(Set.of("podSelector"), peer.keySet(), "a peer other than the relay pods: " + peer);
          assertEquals(podLabels(), map(peer, "podSelector.matchLabels"), "cluster ports open to other pods");
        }
        if (ports != null) admittedFromRelays.addAll(ports);
      } else {
        if (ports.contains(containerPort("http")) && !rule.containsKey("from")) clientPortOpen = true;
        if (ports.contains(containerPort("management"))) managementPortAdmitted = true;
      }
    }
    assertEquals(clusterPorts, admittedFromRelays, "relay pods reach each other's cluster ports");
    assertTrue(clientPortOpen, "clients reach the http port");
    assertTrue(managementPortAdmitted, "Prometheus reaches the management port");
  }
}
