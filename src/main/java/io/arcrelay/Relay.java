package io.arcrelay;

import io.arcrelay.cluster.ClusteredPairRegistry;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.pair.LocalPairRegistry;
import io.arcrelay.pair.PairRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A running relay node: one {@link RelayVerticle} per event loop sharing one port and one registry. */
public final class Relay {

  private final Vertx vertx;
  private final PairRegistry registry;
  private final int port;
  private final String deployment;

  private Relay(Vertx vertx, PairRegistry registry, int port, String deployment) {
    this.vertx = vertx;
    this.registry = registry;
    this.port = port;
    this.deployment = deployment;
  }

  /** Starts a relay node on {@code vertx}: clustered if {@code vertx} is, single-node otherwise. */
  public static Future<Relay> start(Vertx vertx, RelayConfig config) {
    Future<PairRegistry> registry = vertx.isClustered()
        ? ClusteredPairRegistry.create(vertx, config.pairTtl())
        : Future.succeededFuture(new LocalPairRegistry(vertx, config.pairTtl()));
    return registry.compose(r -> start(vertx, config, r));
  }

  static Future<Relay> start(Vertx vertx, RelayConfig config, PairRegistry registry) {
    List<RelayVerticle> instances = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
          RelayVerticle verticle = new RelayVerticle(config, registry);
          instances.add(verticle);
          return verticle;
        }, new DeploymentOptions().setInstances(config.eventLoops()))
        .map(id -> new Relay(vertx, registry, instances.get(0).actualPort(), id));
  }

  public int port() {
    return port;
  }

  public PairRegistry registry() {
    return registry;
  }

  /** Graceful stop: every socket is closed with 1001 "relay stopping", then the servers close. */
  public Future<Void> stop() {
    registry.stopping();
    return vertx.undeploy(deployment).eventually(registry::close);
  }
}
