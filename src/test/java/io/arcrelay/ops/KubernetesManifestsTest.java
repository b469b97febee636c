package io.arcrelay.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Http;
import io.arcrelay.Relay;
import io.arcrelay.config.ConfigLoader;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.config.Setting;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
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
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders {@code k8s/} with a real {@code kubectl kustomize} ({@link Kustomize}) and checks what
 * {@code kubectl apply -k k8s/} would send: every object against the Kubernetes API's types
 * ({@link KubernetesSchema}), the pod against Pod Security "restricted" ({@link PodSecurity}), and
 * everything against the code: the config the ConfigMap carries loads, the probe and scrape paths
 * answer on a real node, ports and names line up, and every selector selects the pods it claims to.
 */
class KubernetesManifestsTest {

  private static final Path K8S = Path.of("k8s");
  private static Map<String, Map<String, Object>> byKind;
  private static List<Map<String, Object>> rendered;

  /** What {@code kubectl kustomize k8s/} renders; the test is skipped where no kubectl can (not under CI). */
  private static synchronized List<Map<String, Object>> rendered() throws IOException {
    if (rendered == null) {
      rendered = Kustomize.render(K8S);
      byKind = index(rendered);
    }
    return rendered;
  }

  private static Map<String, Map<String, Object>> index(List<Map<String, Object>> objects) {
    Map<String, Map<String, Object>> index = new HashMap<>();
    for (Map<String, Object> manifest : objects) {
      String kind = (String) manifest.get("kind");
      String name = kind.equals("Service") || kind.equals("Ingress") ? kind + "/" + str(manifest, "metadata.name") : kind;
      index.put(name, manifest);
    }
    return index;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yamlFile(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file)) {
      return (Map<String, Object>) new Yaml().load(reader);
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
    try {
      rendered();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
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
  void kustomizationListsEveryManifest() throws IOException {
    Map<String, Object> kustomization = yamlFile(K8S.resolve("kustomization.yaml"));
    Set<String> yaml;
    try (Stream<Path> list = Files.list(K8S)) {
      yaml = list.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml"))
          .collect(Collectors.toSet());
    }
    assertEquals(yaml, Set.copyOf(strings(kustomization, "resources")));
    assertEquals(List.of("relay.json"), strings(kustomization, "configMapGenerator.0.files"));
    Map<String, Object> component = yamlFile(K8S.resolve("prometheus-operator/kustomization.yaml"));
    assertEquals("Component", component.get("kind"));
    assertEquals(List.of("servicemonitor.yaml"), strings(component, "resources"));
  }

  @Test
  void everyObjectIsAKubernetesApiObjectOfACurrentVersionWithOnlyKnownFields() throws IOException {
    List<String> kinds = new ArrayList<>();
    for (Map<String, Object> object : rendered()) {
      KubernetesSchema.read(object);
      kinds.add((String) object.get("kind"));
    }
    assertTrue(kinds.containsAll(List.of("ConfigMap", "Deployment", "Service", "Ingress", "HorizontalPodAutoscaler",
        "PodDisruptionBudget", "NetworkPolicy")), kinds.toString());
    assertFalse(kinds.contains("ServiceMonitor"), "no CRD is needed to apply k8s/ as shipped");
    for (Map<String, Object> object : Kustomize.renderWith("prometheus-operator")) KubernetesSchema.read(object);
  }

  @Test
  void thePodPassesPodSecurityRestricted() throws IOException {
    Deployment deployment = (Deployment) KubernetesSchema.read(manifest("Deployment"));
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertEquals(List.of(), PodSecurity.restrictedViolations(pod));
    // The root file system is read-only; what the JVM writes goes to an emptyDir.
    Container relay = pod.getContainers().get(0);
    assertEquals(true, relay.getSecurityContext().getReadOnlyRootFilesystem());
    String tmpVolume = relay.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp"))
        .map(VolumeMount::getName).findFirst().orElseThrow(() -> new AssertionError("no writable /tmp"));
    assertNotNull(pod.getVolumes().stream().filter(v -> v.getName().equals(tmpVolume)).findFirst().orElseThrow().getEmptyDir());
    // The image runs as the user the pod names (Dockerfile: USER 10001:10001).
    assertTrue(Files.readString(Path.of("Dockerfile")).contains("USER " + pod.getSecurityContext().getRunAsUser() + ":"));
  }

  @Test
  void podsSpreadOverNodesAndZones() throws IOException {
    Deployment deployment = (Deployment) KubernetesSchema.read(manifest("Deployment"));
    List<TopologySpreadConstraint> spread = deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints();
    Map<String, String> byKey = new HashMap<>();
    for (TopologySpreadConstraint c : spread) {
      byKey.put(c.getTopologyKey(), c.getWhenUnsatisfiable());
      assertEquals(1, c.getMaxSkew());
      assertTrue(podLabels().entrySet().containsAll(c.getLabelSelector().getMatchLabels().entrySet()), "counts relay pods");
    }
    // A node at most one pod ahead of another: losing a node costs one member, never the quorum.
    assertEquals("DoNotSchedule", byKey.get("kubernetes.io/hostname"));
    // Zones where the nodes have them; a cluster without zone labels still schedules.
    assertEquals("ScheduleAnyway", byKey.get("topology.kubernetes.io/zone"));
  }

  @Test
  void theImageIsNamedInOnePlaceAndPulledByItsTag() throws IOException {
    Map<String, Object> kustomization = yamlFile(K8S.resolve("kustomization.yaml"));
    Map<String, Object> image = list(kustomization, "images").get(0);
    Map<String, Object> source = yamlFile(K8S.resolve("deployment.yaml"));
    assertEquals(str(image, "name"), str(list(source, "spec.template.spec.containers").get(0), "image"),
        "deployment.yaml names the image by the name kustomization.yaml's images: replaces");
    String tag = str(image, "newTag");
    assertFalse(tag.equals("latest"), "a tag that names one build");
    assertEquals(str(image, "newName") + ":" + tag, str(container(), "image"));
    assertEquals("IfNotPresent", str(container(), "imagePullPolicy"));
  }

  @Test
  void aConfigChangeRollsThePods() throws IOException {
    String configMap = str(manifest("ConfigMap"), "metadata.name");
    assertTrue(configMap.startsWith("arc-relay-config-"), "the ConfigMap's name carries a hash of its content: " + configMap);
    String mounted = list(manifest("Deployment"), "spec.template.spec.volumes").stream()
        .filter(v -> v.get("configMap") != null).map(v -> str(v, "configMap.name")).findFirst().orElseThrow();
    assertEquals(configMap, mounted, "the pods name the hashed ConfigMap, so a new one changes the pod template");

    // The same kustomization with one setting changed: a new name, so a new pod template and a rollout.
    Path copy = Path.of("target", "k8s-changed");
    if (Files.exists(copy)) {
      try (Stream<Path> old = Files.walk(copy)) {
        old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Files.createDirectories(copy);
    try (Stream<Path> list = Files.list(K8S)) {
      for (Path file : list.filter(Files::isRegularFile).toList()) Files.copy(file, copy.resolve(file.getFileName()));
    }
    Files.writeString(copy.resolve("relay.json"), Files.readString(copy.resolve("relay.json")).replace("\"5m\"", "\"6m\""));
    String changed = index(Kustomize.render(copy)).get("ConfigMap").get("metadata") instanceof Map<?, ?> meta
        ? String.valueOf(meta.get("name")) : null;
    assertNotNull(changed);
    assertNotEquals(configMap, changed, "a changed relay.json is a new ConfigMap name");
  }

  @Test
  void bothIngressesServeTlsFromASecretTheyName() throws IOException {
    for (String name : List.of("Ingress/arc-relay", "Ingress/arc-relay-tunnels")) {
      Ingress ingress = (Ingress) KubernetesSchema.read(manifest(name));
      Set<String> covered = new HashSet<>();
      for (IngressTLS tls : ingress.getSpec().getTls()) {
        assertNotNull(tls.getSecretName(), name + " names its certificate's Secret");
        covered.addAll(tls.getHosts());
      }
      for (IngressRule rule : ingress.getSpec().getRules()) {
        assertTrue(covered.contains(rule.getHost()), name + ": " + rule.getHost() + " has no certificate (agents use wss://)");
      }
    }
  }

  @Test
  void eachPodIsScrapedOnceWithOrWithoutThePrometheusOperator() throws IOException {
    Map<String, Object> annotations = map(manifest("Deployment"), "spec.template.metadata.annotations");
    assertEquals("true", annotations.get("prometheus.io/scrape"));
    assertFalse(byKind.containsKey("ServiceMonitor"));

    Map<String, Map<String, Object>> withOperator = index(Kustomize.renderWith("prometheus-operator"));
    assertTrue(withOperator.containsKey("ServiceMonitor"));
    Map<String, Object> podAnnotations = map(withOperator.get("Deployment"), "spec.template.metadata");
    Object left = podAnnotations.get("annotations");
    assertTrue(left == null || ((Map<?, ?>) left).keySet().stream().noneMatch(k -> String.valueOf(k).startsWith("prometheus.io/")),
        "with a ServiceMonitor the pods carry no scrape annotations: " + left);
  }

  @Test
  void theHeapCanBeRaisedFromTheEnvironment() throws IOException {
    // The container runs scripts/arc-relay (Dockerfile), which puts JAVA_OPTS after scripts/jvm-options.
    assertTrue(list(container(), "env").stream().anyMatch(e -> "JAVA_OPTS".equals(e.get("name"))), "JAVA_OPTS in the Deployment");
    assertTrue(Files.readString(Path.of("Dockerfile")).contains("ENTRYPOINT [\"/app/scripts/arc-relay\""));
    String launcher = Files.readString(Path.of("scripts/arc-relay"));
    assertTrue(launcher.contains("exec java $ARC_RELAY_JVM_OPTIONS ${JAVA_OPTS:-}"), "later options win");
  }

  @Test
  void thePodsConfigurationLoadsAndItsPortsAreTheContainersPorts() throws IOException {
    RelayConfig config = podConfig(Map.of());
    assertTrue(config.cluster().enabled());
    assertEquals(config.listen().port(), containerPort("http"));
    assertEquals(config.listen().managementPort(), containerPort("management"));
    assertEquals(config.cluster().port(), containerPort("eventbus"));
    assertTrue(Files.exists(Path.of(config.cluster().hazelcastConfig())), config.cluster().hazelcastConfig() + " is in the image");
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
    String xml = Files.readString(Path.of(podConfig(Map.of()).cluster().hazelcastConfig()));
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
        assertNotNull(at(container(), probe + ".timeoutSeconds"), probe + " has a timeout");
        assertEquals(200, management.get(path).status(), probe + " " + path);
      }
      String annotated = str(deployment, "spec.template.metadata.annotations.prometheus\\.io/path");
      assertEquals(200, management.get(annotated).status());
      String monitored = str(list(index(Kustomize.renderWith("prometheus-operator")).get("ServiceMonitor"), "spec.endpoints").get(0), "path");
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
    assertEquals(null, at(deployment, "spec.replicas"), "the HPA owns the replica count");
    assertEquals(0, at(deployment, "spec.strategy.rollingUpdate.maxUnavailable"));
    assertEquals(1, at(deployment, "spec.strategy.rollingUpdate.maxSurge"));
    assertSelectsPods(map(deployment, "spec.selector.matchLabels"), "the Deployment");
    List<String> preStop = strings(container(), "lifecycle.preStop.exec.command");
    assertEquals("sleep", preStop.get(0));
    RelayConfig config = podConfig(Map.of());
    long needed = Long.parseLong(preStop.get(1)) + config.lifecycle().drainDelay().toSeconds() + config.lifecycle().shutdownGrace().toSeconds();
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
    assertEquals("*." + podConfig(Map.of()).tunnel().domain(), str(tunnels, "spec.rules.0.host"));
    assertEquals("arc-relay", str(tunnels, "spec.rules.0.http.paths.0.backend.service.name"));
    assertEquals(null, at(tunnels, "metadata.annotations.nginx\\.ingress\\.kubernetes\\.io/upstream-hash-by"),
        "tunnel visitors are spread over the pods");
    Map<String, Object> tokens = list(container(), "env").stream()
        .filter(e -> "ARC_RELAY_TUNNEL_TOKENS".equals(e.get("name"))).findFirst().orElseThrow();
    assertEquals(true, at(tokens, "valueFrom.secretKeyRef.optional"));
    assertEquals(false, podConfig(Map.of()).tunnel().enabled(), "tunnels off while the Secret is absent");

    Map<String, Object> hpa = manifest("HorizontalPodAutoscaler");
    assertEquals("Deployment", str(hpa, "spec.scaleTargetRef.kind"));
    assertEquals(str(manifest("Deployment"), "metadata.name"), str(hpa, "spec.scaleTargetRef.name"));
    int minReplicas = (Integer) at(hpa, "spec.minReplicas");
    assertEquals(minReplicas / 2 + 1, podConfig(Map.of()).cluster().quorum(), "clusterQuorum is a majority of minReplicas");

    assertSelectsPods(map(manifest("PodDisruptionBudget"), "spec.selector.matchLabels"), "the PodDisruptionBudget");

    // The client Service, the Ingress's backend, carries the client port only.
    assertEquals(List.of("http"), list(service, "spec.ports").stream().map(p -> String.valueOf(p.get("targetPort"))).toList(),
        "the Ingress can reach no port but the client port");

    Map<String, Object> managementService = manifest("Service/arc-relay-management");
    assertSelectsPods(map(managementService, "spec.selector"), "the management Service");
    assertEquals("management", str(managementService, "spec.ports.0.targetPort"));
    assertEquals(containerPort("management"), at(managementService, "spec.ports.0.port"));

    Map<String, Object> monitor = index(Kustomize.renderWith("prometheus-operator")).get("ServiceMonitor");
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
    String xml = Files.readString(Path.of(config.cluster().hazelcastConfig()));
    Matcher hazelcast = Pattern.compile("<port[^>]*>(\\d+)</port>").matcher(xml);
    assertTrue(hazelcast.find());
    assertEquals(Integer.parseInt(hazelcast.group(1)), containerPort("hazelcast"));
    assertEquals(config.cluster().port(), containerPort("eventbus"));
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
