package io.arcrelay;

import io.arcrelay.config.RelayConfig;
import io.arcrelay.ops.HealthEndpoint;
import io.arcrelay.ops.MetricsEndpoint;
import io.arcrelay.ops.NodeHealth;
import io.arcrelay.ops.RelayMetrics;
import io.arcrelay.pair.Keepalive;
import io.arcrelay.pair.PairEndpoint;
import io.arcrelay.pair.PairRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;

/**
 * Wires one event loop's share of the relay: the HTTP server (shared by every instance on the same
 * port), its routes (health, metrics, then the pair upgrade on every other path), and the keepalive
 * timer for the sockets this loop accepts.
 */
public final class RelayVerticle extends VerticleBase {

  private final RelayConfig config;
  private final PairRegistry registry;
  private final RelayMetrics metrics;
  private final NodeHealth health;
  private Keepalive keepalive;
  private HttpServer server;

  public RelayVerticle(RelayConfig config, PairRegistry registry, RelayMetrics metrics, NodeHealth health) {
    this.config = config;
    this.registry = registry;
    this.metrics = metrics;
    this.health = health;
  }

  @Override
  public Future<?> start() {
    keepalive = new Keepalive(vertx, config.pingInterval());
    Router router = Router.router(vertx);
    new HealthEndpoint(registry, health).addRoutes(router);
    new MetricsEndpoint(metrics).addRoutes(router);
    new PairEndpoint(registry, keepalive, config, metrics).addRoutes(router);
    health.watch(context);
    server = vertx.createHttpServer(serverOptions()).requestHandler(router);
    return server.listen();
  }

  private HttpServerOptions serverOptions() {
    return new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setTcpNoDelay(true)
        .setMaxWebSocketFrameSize(config.maxFrameSize())
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        .setRegisterWebSocketWriteHandlers(false)
        // Every response is written on its connection's event loop. In return Vert.x skips the
        // 4 KB multi-producer write queue of the HTTP connection, which an upgraded WebSocket keeps
        // alive: 80 MB less resident memory with 16,000 sockets (docs/benchmarks.md).
        .setStrictThreadMode(true);
  }

  /** Closes every socket with 1001 "relay stopping" (through their shutdown handlers), then the server. */
  @Override
  public Future<?> stop() {
    registry.stopping();
    keepalive.stop();
    return server.shutdown(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The port actually bound, useful when the config asked for port 0. */
  public int actualPort() {
    return server.actualPort();
  }
}
