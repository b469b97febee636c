package io.arcrelay.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.util.function.Consumer;

/** The direct baseline: a plain Vert.x WebSocket server with no relay in between. */
final class SinkServer {

  private SinkServer() {}

  /** Starts a server on {@code port} (0 for any) handing every accepted socket to {@code onSocket}. */
  static HttpServer start(Vertx vertx, String host, int port, Consumer<ServerWebSocket> onSocket) {
    return vertx.createHttpServer(new HttpServerOptions()
            .setHost(host).setPort(port)
            .setMaxWebSocketFrameSize(Clients.MAX_MESSAGE)
            .setMaxWebSocketMessageSize(Clients.MAX_MESSAGE)
            .setPerFrameWebSocketCompressionSupported(false)
            .setPerMessageWebSocketCompressionSupported(false))
        .webSocketHandler(onSocket::accept)
        .listen().await();
  }
}
