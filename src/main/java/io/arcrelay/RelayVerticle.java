package io.arcrelay;

import io.arcrelay.config.RelayConfig;
import io.arcrelay.edge.ConnectionGuard;
import io.arcrelay.ops.HealthEndpoint;
import io.arcrelay.ops.MetricsEndpoint;
import io.arcrelay.pair.PairEndpoint;
import io.arcrelay.splice.Keepalive;
import io.arcrelay.tunnel.AgentEndpoint;
import io.arcrelay.tunnel.TunnelRouter;
import io.arcrelay.tunnel.protocol.LinkMessages;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires one event loop's share of the relay: the HTTP server (shared by every instance on the same
 * port), the connection guard in front of it, the tunnel router (requests for a tunnel's host, when
 * tunnels are on), its routes (health, metrics, the tunnel agents' endpoints, then the pair upgrade
 * on every other path), and the keepalive timer for the sockets this loop accepts. With a management
 * port, health and metrics move to {@link ManagementVerticle} and only status-only probes stay here.
 */
public final class RelayVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(RelayVerticle.class);

  /** How often the certificate files are compared with what is served. */
  private static final Duration TLS_RELOAD_INTERVAL = Duration.ofSeconds(10);

  private final RelayConfig config;
  private final Relay.Node node;
  private final boolean watchesTls;
  private Keepalive keepalive;
  private HttpServer server;

  RelayVerticle(RelayConfig config, Relay.Node node, boolean watchesTls) {
    this.config = config;
    this.node = node;
    this.watchesTls = watchesTls;
  }

  @Override
  public Future<?> start() {
    keepalive = new Keepalive(vertx, config.limits().pingInterval());
    Router router = Router.router(vertx);
    HealthEndpoint health = new HealthEndpoint(node.registry(), node.cluster(), node.health());
    if (config.listen().managementPortSet()) {
      // Metrics and the detailed health live on the management port (ManagementVerticle); load
      // balancers and container health checks that only reach this port still get their answer.
      health.addProbeRoutes(router);
    } else {
      health.addRoutes(router);
      new MetricsEndpoint(node.metrics()).addRoutes(router);
    }
    TunnelRouter tunnels = node.tunnels() == null ? null : new TunnelRouter(node.tunnels(), keepalive, node.admission());
    if (node.tunnels() != null) new AgentEndpoint(node.tunnels(), keepalive, node.admission()).addRoutes(router);
    new PairEndpoint(node.registry(), keepalive, config.pairing(), config.limits(), node.memory(), node.admission(),
        node.metrics()).addRoutes(router);
    answerMalformedRequests(router);
    node.health().watch(context);
    ConnectionGuard guard = new ConnectionGuard(node.admission(), config.edge().requestTimeout());
    HttpServerOptions options = serverOptions();
    server = vertx.createHttpServer(options)
        .connectionHandler(guard::accepted)
        .invalidRequestHandler(ConnectionGuard.invalidRequests(node.metrics()))
        .requestHandler(request -> {
          guard.requestArrived(request);
          // A tunnel's Host never reaches the relay's own routes, whatever its path.
          if (tunnels == null || !tunnels.handle(request, context)) router.handle(request);
        });
    return server.listen().onSuccess(listening -> watchTls(options));
  }

  private void watchTls(HttpServerOptions options) {
    if (node.tls() == null || !watchesTls) return;
    node.tls().watch(vertx, TLS_RELOAD_INTERVAL, keyCert ->
        server.updateSSLOptions(options.getSslOptions().copy().setKeyCertOptions(keyCert)));
  }

  /**
   * Requests the router cannot even parse (a target that is not a path, a bad escape, no Host) get
   * a plain 400 or 404 and lose their connection. Without a handler of its own for these, the router
   * logs each at ERROR: any client could fill the logs.
   */
  private static void answerMalformedRequests(Router router) {
    for (int status : new int[] {400, 404}) {
      router.errorHandler(status, rc -> {
        log.debug("malformed request answered {}: {}", status, String.valueOf(rc.failure()));
        rc.response().setStatusCode(status).putHeader(HttpHeaders.CONNECTION, "close").end();
      });
    }
  }

  private HttpServerOptions serverOptions() {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.listen().host())
        .setPort(config.listen().port())
        .setTcpNoDelay(true)
        .setUseProxyProtocol(config.edge().proxyProtocol())
        // Without HTTP/2 prior knowledge Vert.x makes the HTTP/1 connection (and calls the
        // connection guard) when the TCP connection is accepted, not after its first request.
        .setHttp2ClearTextEnabled(false)
        // Vert.x's defaults, stated because docs/protocol.md promises them: longer gets 414 or 431.
        .setMaxInitialLineLength(4096)
        .setMaxHeaderSize(8192)
        // A tunnel visitor's request body arrives in chunks of this size, each one message to the agent:
        // 8 KiB (the default) costs eight times the messages of 64 KiB (one read) for the same upload.
        .setMaxChunkSize(LinkMessages.MAX_CHUNK)
        .setMaxWebSocketFrameSize(config.limits().maxFrameSize())
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        .setRegisterWebSocketWriteHandlers(false)
        // Every response is written on its connection's event loop. In return Vert.x skips the
        // 4 KB multi-producer write queue of the HTTP connection, which an upgraded WebSocket keeps
        // alive: 80 MB less resident memory with 16,000 sockets (docs/benchmarks.md).
        .setStrictThreadMode(true);
    if (node.tls() != null) {
      // TLSv1.2 and TLSv1.3: Vert.x 5.0.10's defaults (SSLOptions.DEFAULT_ENABLED_SECURE_TRANSPORT_PROTOCOLS)
      options.setSsl(true).setKeyCertOptions(node.tls().keyCertOptions());
    }
    return options;
  }

  /** Closes every socket with 1001 "relay stopping" (through their shutdown handlers), then the server. */
  @Override
  public Future<?> stop() {
    node.stopping();
    keepalive.stop();
    return server.shutdown(config.lifecycle().shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The port actually bound, useful when the config asked for port 0. */
  public int actualPort() {
    return server.actualPort();
  }
}
