package io.arcrelay;

import io.arcrelay.config.RelayConfig;
import io.arcrelay.pair.LocalPairRegistry;
import io.arcrelay.pair.PairRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/** A running relay node: one {@link RelayVerticle} per event loop sharing one port and one registry. */
public final class Relay {

  private final Vertx vertx;
  private final PairRegistry registry;
  private final int port;
  private final List<String> deployments;

  private Relay(Vertx vertx, PairRegistry registry, int port, List<String> deployments) {
    this.vertx = vertx;
    this.registry = registry;
    this.port = port;
    this.deployments = deployments;
  }

  /** Starts a single-node relay on {@code vertx}. */
  public static Future<Relay> start(Vertx vertx, RelayConfig config) {
    return start(vertx, config, new LocalPairRegistry(vertx, config.pairTtl()));
  }

  static Future<Relay> start(Vertx vertx, RelayConfig config, PairRegistry registry) {
    // The first instance binds (possibly a random port); the others then share that exact port.
    RelayVerticle first = new RelayVerticle(config, registry);
    return vertx.deployVerticle(first).compose(firstId -> {
      int port = first.actualPort();
      List<String> ids = new ArrayList<>(List.of(firstId));
      if (config.eventLoops() == 1) return Future.succeededFuture(new Relay(vertx, registry, port, ids));
      RelayConfig samePort = config.withPort(port);
      return vertx.deployVerticle(() -> new RelayVerticle(samePort, registry),
              new DeploymentOptions().setInstances(config.eventLoops() - 1))
          .map(restId -> {
            ids.add(restId);
            return new Relay(vertx, registry, port, ids);
          });
    });
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
    return Future.all(deployments.stream().map(vertx::undeploy).toList()).mapEmpty();
  }
}
