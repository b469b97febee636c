package io.arcrelay;

import io.arcrelay.config.ListenConfig;
import io.arcrelay.ops.HealthEndpoint;
import io.arcrelay.ops.MetricsEndpoint;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Wires the management port, when {@link ListenConfig#managementPort()} sets one: {@code /metrics},
 * {@code /health}, {@code /health/live} and {@code /health/ready}, for Prometheus and the
 * orchestrator's probes, on a port the Ingress or load balancer does not route to. One instance:
 * scrapes and probes are a few requests a second.
 *
 * <p>Plain HTTP, without the client port's connection guard: it is meant for an internal interface
 * or network (a NetworkPolicy, a firewall), not for clients. Its connections do not count against
 * {@code maxConnections}, so a node full of clients still answers its probes here.
 */
final class ManagementVerticle extends VerticleBase {

  private final ListenConfig listen;
  private final Duration requestTimeout;
  private final Relay.Node node;
  private HttpServer server;

  /** {@code requestTimeout}: how long a connection may idle, as on the client port. */
  ManagementVerticle(ListenConfig listen, Duration requestTimeout, Relay.Node node) {
    this.listen = listen;
    this.requestTimeout = requestTimeout;
    this.node = node;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    new HealthEndpoint(node.registry(), node.cluster(), node.health()).addRoutes(router);
    new MetricsEndpoint(node.metrics()).addRoutes(router);
    // As on the client port: a request the router cannot parse must not log an ERROR.
    for (int status : new int[] {400, 404}) {
      router.errorHandler(status, rc ->
          rc.response().setStatusCode(status).putHeader(HttpHeaders.CONNECTION, "close").end());
    }
    server = vertx.createHttpServer(new HttpServerOptions()
            .setHost(listen.managementHost())
            .setPort(listen.managementPort())
            .setHttp2ClearTextEnabled(false)
            // Idle connections are closed as slow ones are on the client port: nothing piles up.
            .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis()))
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS))
        .requestHandler(router);
    return server.listen();
  }

  /** Closes last (the relay undeploys it after its sockets are closed), so probes see the drain to the end. */
  @Override
  public Future<?> stop() {
    return server.close();
  }

  /** The port actually bound. */
  int actualPort() {
    return server.actualPort();
  }
}
