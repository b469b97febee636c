package io.arcrelay;

import io.arcrelay.cluster.ClusterNode;
import io.arcrelay.cluster.ClusteredPairRegistry;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.ops.NodeHealth;
import io.arcrelay.ops.RelayMetrics;
import io.arcrelay.pair.LocalPairRegistry;
import io.arcrelay.pair.PairRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A running relay node: one {@link RelayVerticle} per event loop sharing one port, one pair
 * registry, one set of metrics and one health state.
 */
public final class Relay {

  private final Vertx vertx;
  private final PairRegistry registry;
  private final NodeHealth health;
  private final int port;
  private final String deployment;

  private Relay(Vertx vertx, PairRegistry registry, NodeHealth health, int port, String deployment) {
    this.vertx = vertx;
    this.registry = registry;
    this.health = health;
    this.port = port;
    this.deployment = deployment;
  }

  /**
   * The Vert.x a relay node runs on, with Vert.x and JVM metrics recorded in {@code metrics}:
   * clustered if {@link RelayConfig#cluster()} says so, otherwise a plain single node.
   */
  public static Future<Vertx> vertx(RelayConfig config, RelayMetrics metrics) {
    VertxOptions options = new VertxOptions()
        // Only the loops the relay uses: sockets, the event bus and timers then share threads
        // instead of handing every frame from one thread to another.
        .setEventLoopPoolSize(config.eventLoops())
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true));
    VertxBuilder builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(metrics.registry()));
    return config.cluster()
        ? ClusterNode.start(config, options, builder)
        : Future.succeededFuture(builder.with(options).build());
  }

  /** Starts a relay node on {@code vertx} with metrics of its own (tests, embedding). */
  public static Future<Relay> start(Vertx vertx, RelayConfig config) {
    return start(vertx, config, new RelayMetrics());
  }

  /** Starts a relay node on {@code vertx}: clustered if {@code vertx} is, single-node otherwise. */
  public static Future<Relay> start(Vertx vertx, RelayConfig config, RelayMetrics metrics) {
    Future<PairRegistry> registry = vertx.isClustered()
        ? ClusteredPairRegistry.create(vertx, config.pairTtl(), metrics)
        : Future.succeededFuture(new LocalPairRegistry(vertx, config.pairTtl(), metrics));
    return registry.compose(r -> {
      metrics.observe(r::census);
      NodeHealth health = new NodeHealth(vertx,
          r instanceof ClusteredPairRegistry clustered ? clustered::member : null);
      return deploy(vertx, config, r, metrics, health);
    });
  }

  private static Future<Relay> deploy(Vertx vertx, RelayConfig config, PairRegistry registry,
      RelayMetrics metrics, NodeHealth health) {
    List<RelayVerticle> instances = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
          RelayVerticle verticle = new RelayVerticle(config, registry, metrics, health);
          instances.add(verticle);
          return verticle;
        }, new DeploymentOptions().setInstances(config.eventLoops()))
        .map(id -> new Relay(vertx, registry, health, instances.get(0).actualPort(), id));
  }

  public int port() {
    return port;
  }

  public PairRegistry registry() {
    return registry;
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
    registry.stopping();
    return vertx.undeploy(deployment).eventually(registry::close);
  }
}
