package io.arcrelay;

import io.arcrelay.cluster.ClusterNode;
import io.arcrelay.cluster.ClusteredPairRegistry;
import io.arcrelay.cluster.Membership;
import io.arcrelay.config.ConfigLoader;
import io.arcrelay.config.ListenConfig;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.edge.Admission;
import io.arcrelay.edge.TlsFiles;
import io.arcrelay.ops.NodeHealth;
import io.arcrelay.ops.RelayMetrics;
import io.arcrelay.pair.LocalPairRegistry;
import io.arcrelay.pair.PairRegistry;
import io.arcrelay.pair.Registries;
import io.arcrelay.splice.MemoryBudget;
import io.arcrelay.tunnel.TunnelMetrics;
import io.arcrelay.tunnel.TunnelNames;
import io.arcrelay.tunnel.Tunnels;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A running relay node: one {@link RelayVerticle} per event loop sharing one port, one pair
 * registry, one set of metrics and one health state.
 */
public final class Relay {

  private final Vertx vertx;
  private final Node node;
  private final PairRegistry registry;
  private final MemoryBudget memory;
  private final NodeHealth health;
  private final int port;
  private final int managementPort;
  private final String deployment;
  private final String managementDeployment;
  private final List<Long> housekeeping;

  private Relay(Vertx vertx, Node node, int port, String deployment, Management management, List<Long> housekeeping) {
    this.housekeeping = housekeeping;
    this.vertx = vertx;
    this.node = node;
    this.registry = node.registry();
    this.memory = node.memory();
    this.health = node.health();
    this.port = port;
    this.deployment = deployment;
    this.managementPort = management == null ? port : management.port();
    this.managementDeployment = management == null ? null : management.deployment();
  }

  /** The management port's verticle, when the config asks for one. */
  private record Management(String deployment, int port) {}

  /**
   * The Vert.x a relay node runs on, with Vert.x and JVM metrics recorded in {@code metrics}:
   * clustered if {@link io.arcrelay.config.ClusterConfig#enabled()} says so, otherwise a plain single node.
   */
  public static Future<Vertx> vertx(RelayConfig config, RelayMetrics metrics) {
    VertxOptions options = new VertxOptions()
        // Only the loops the relay uses: sockets, the event bus and timers then share threads
        // instead of handing every frame from one thread to another.
        .setEventLoopPoolSize(config.lifecycle().eventLoops())
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true));
    VertxBuilder builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(metrics.registry()));
    return config.cluster().enabled()
        ? ClusterNode.start(config.cluster(), options, builder)
        : Future.succeededFuture(builder.with(options).build());
  }

  /** Starts a relay node on {@code vertx} with metrics of its own (tests, embedding). */
  public static Future<Relay> start(Vertx vertx, RelayConfig config) {
    return start(vertx, config, new RelayMetrics());
  }

  /** Starts a relay node on {@code vertx}: clustered if {@code vertx} is, single-node otherwise. */
  public static Future<Relay> start(Vertx vertx, RelayConfig config, RelayMetrics metrics) {
    MemoryBudget memory = new MemoryBudget(config.limits().memoryBudget());
    // On this node alone or across the cluster: decided here, once; each part gets what it needs.
    if (!vertx.isClustered()) {
      Registries local = (name, ttl, meters) -> Future.succeededFuture(new LocalPairRegistry(vertx, ttl, meters));
      return start(vertx, config, metrics, memory, local, new LocalPairRegistry(vertx, config.pairing().pairTtl(), metrics), null,
          TunnelNames.Membership.singleNode());
    }
    Registries clustered = (name, ttl, meters) ->
        ClusteredPairRegistry.create(vertx, name, ttl, config.cluster().quorum(), meters, memory).map(PairRegistry.class::cast);
    return ClusteredPairRegistry.create(vertx, config.pairing().pairTtl(), config.cluster().quorum(), metrics, memory)
        .compose(pairs -> start(vertx, config, metrics, memory, clustered, pairs, pairs,
            new TunnelNames.Membership(pairs.nodeId(), pairs::clusterTime, node -> pairs.members().contains(node))));
  }

  /** {@code cluster}: null on a single node. */
  private static Future<Relay> start(Vertx vertx, RelayConfig config, RelayMetrics metrics, MemoryBudget memory,
      Registries registries, PairRegistry registry, Membership cluster, TunnelNames.Membership names) {
    Future<Tunnels> tunnels = config.tunnel().enabled()
        ? Tunnels.start(vertx, config, memory, new TunnelMetrics(metrics.registry()), registries, names)
        : Future.succeededFuture();
    return tunnels.compose(started -> {
      metrics.observe(registry::census);
      metrics.observe(memory);
      metrics.observeMembers(cluster == null ? () -> 1 : () -> cluster.members().size());
      Admission admission = new Admission(config.edge(), memory, metrics);
      metrics.observe(admission);
      NodeHealth health = new NodeHealth(vertx, cluster == null ? null : cluster::outOfService);
      ListenConfig listen = config.listen();
      TlsFiles tls = listen.tls() ? new TlsFiles(Path.of(listen.tlsCert()), Path.of(listen.tlsKey())) : null;
      return deploy(vertx, config, new Node(registry, cluster, memory, admission, metrics, health, tls, started));
    });
  }

  /**
   * What every event loop's verticle shares: one registry, the cluster ({@code null} on a single
   * node), memory budget, admission, set of metrics and health, the TLS certificate files
   * ({@code null} for plain TCP) and the tunnels ({@code null} while {@code tunnelTokens} is empty).
   */
  record Node(PairRegistry registry, Membership cluster, MemoryBudget memory, Admission admission, RelayMetrics metrics,
      NodeHealth health, TlsFiles tls, Tunnels tunnels) {

    /** From now on, sides that leave take their peer down with "relay stopping", pairs and tunnel links alike. */
    void stopping() {
      registry.stopping();
      if (tunnels != null) tunnels.stopping();
    }
  }

  private static Future<Relay> deploy(Vertx vertx, RelayConfig config, Node node) {
    List<RelayVerticle> instances = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
          // One instance watches the certificate files: servers sharing a port use the SSL context of
          // the one that bound it, and one watcher logs each problem once.
          RelayVerticle verticle = new RelayVerticle(config, node, instances.isEmpty());
          instances.add(verticle);
          return verticle;
        }, new DeploymentOptions().setInstances(config.lifecycle().eventLoops()))
        .compose(id -> deployManagement(vertx, config, node)
            .recover(failed -> vertx.undeploy(id).transform(undeployed -> Future.<Management>failedFuture(failed)))
            .map(management -> {
              // Sockets woken from a spent budget may stay quiet and make no room for the rest: look each
              // second. Quiet addresses' rate-limit buckets are forgotten every 10 s.
              List<Long> housekeeping = List.of(
                  vertx.setPeriodic(1_000, tick -> node.memory().poke()),
                  vertx.setPeriodic(10_000, tick -> node.admission().sweep()));
              return new Relay(vertx, node, instances.get(0).actualPort(), id, management, housekeeping);
            }));
  }

  /** Starts the management port's server when the config sets one; {@code null} otherwise. */
  private static Future<Management> deployManagement(Vertx vertx, RelayConfig config, Node node) {
    if (!config.listen().managementPortSet()) return Future.succeededFuture();
    ManagementVerticle management = new ManagementVerticle(config.listen(), config.edge().requestTimeout(), node);
    return vertx.deployVerticle(management).map(id -> new Management(id, management.actualPort()));
  }

  /**
   * The line a started node logs: where it listens and how it runs, durations as they are written
   * in the config ({@code pair TTL 5m}).
   */
  public static String listening(RelayConfig config, Relay relay, boolean clustered) {
    ListenConfig listen = config.listen();
    int eventLoops = config.lifecycle().eventLoops();
    String scheme = listen.tls() ? "https" : "http";
    StringBuilder line = new StringBuilder("arc-relay listening on ").append(scheme).append("://")
        .append(listen.host()).append(':').append(relay.port()).append(" (")
        .append(eventLoops).append(eventLoops == 1 ? " event loop" : " event loops")
        .append(", pair TTL ").append(ConfigLoader.formatDuration(config.pairing().pairTtl()));
    if (clustered) line.append(config.cluster().tls() ? ", clustered, event bus over TLS" : ", clustered");
    if (config.tunnel().enabled()) line.append(", tunnels on *.").append(config.tunnel().domain());
    if (listen.managementPortSet()) {
      line.append(", health and metrics on ").append(listen.managementHost()).append(':').append(relay.managementPort());
    }
    return line.append(')').toString();
  }

  public int port() {
    return port;
  }

  /**
   * The port {@code /metrics} and {@code /health} are answered on: the management port when the
   * config sets one, otherwise the client port, {@link #port()}.
   */
  public int managementPort() {
    return managementPort;
  }

  public PairRegistry registry() {
    return registry;
  }

  /** What the node holds of its clients' bytes now. */
  public MemoryBudget memory() {
    return memory;
  }

  /**
   * Graceful drain: readiness turns 503 at once so load balancers stop sending new connections;
   * after {@code delay} (time for them to notice) the node stops as {@link #stop()} does.
   */
  public Future<Void> drain(Duration delay) {
    health.drain();
    if (delay.isZero()) return stop();
    return vertx.timer(delay.toMillis()).compose(v -> stop());
  }

  /** Stops now: every socket is closed with 1001 "relay stopping", then the servers close. */
  public Future<Void> stop() {
    health.drain();
    node.stopping();
    housekeeping.forEach(vertx::cancelTimer);
    // The management port closes last: probes and scrapes see the node until its sockets are gone.
    return vertx.undeploy(deployment)
        .eventually(registry::close)
        .eventually(() -> node.tunnels() == null ? Future.<Void>succeededFuture() : node.tunnels().close())
        .eventually(() -> managementDeployment == null ? Future.<Void>succeededFuture() : vertx.undeploy(managementDeployment));
  }
}
