package io.arcrelay.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/** What every scenario shares: a Vert.x client tuned for relaying, pair URLs, connection batches. */
final class Clients {

  static final int MAX_MESSAGE = 64 * 1024 * 1024;

  final Vertx vertx;
  final WebSocketClient client;
  private volatile boolean closing;

  Clients() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setBlockedThreadCheckInterval(60_000));
    client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(MAX_MESSAGE)
        .setMaxMessageSize(MAX_MESSAGE)
        .setMaxConnections(100_000)
        .setConnectTimeout(60_000)
        .setIdleTimeout(0)
        .setTryUsePerMessageCompression(false)
        .setTryUsePerFrameCompression(false));
  }

  static String pairUrl(String relay, String code) {
    return relay + (relay.contains("?") ? "&" : "?") + "pair=" + URLEncoder.encode(code, StandardCharsets.UTF_8);
  }

  /**
   * The {@code Host} header upgrades send, instead of the URL's: a tunnel's name
   * ({@code myapp.localhost:8765}) while connecting to the relay's address. Null for the URL's.
   */
  String hostHeader;

  Future<WebSocket> connect(String url) {
    return client.connect(options(url));
  }

  private WebSocketConnectOptions options(String url) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setAbsoluteURI(url);
    return hostHeader == null ? options : options.addHeader("Host", hostHeader);
  }

  /**
   * Connects with {@code handlers} set first: what a peer sent before this side joined arrives
   * with the upgrade answer, and a socket whose handlers are set after connecting may miss it.
   */
  Future<WebSocket> connect(String url, Consumer<WebSocket> handlers) {
    ClientWebSocket ws = client.webSocket();
    handlers.accept(ws);
    return ws.connect(options(url));
  }

  /** Connects {@code urls} at most {@code parallel} at a time, in order. */
  List<WebSocket> connectAll(List<String> urls, int parallel) {
    List<WebSocket> sockets = new ArrayList<>();
    for (int from = 0; from < urls.size(); from += parallel) {
      List<Future<WebSocket>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(urls.size(), from + parallel); i++) batch.add(connect(urls.get(i)));
      Future.all(batch).await();
      batch.forEach(f -> sockets.add(f.result()));
    }
    return sockets;
  }

  /**
   * Writes {@code message} over and over as fast as the socket's back-pressure allows, calling
   * {@code written} with each write that reached the kernel. Call on the socket's context.
   */
  void pump(WebSocket ws, Buffer message, LongConsumer written) {
    // A socket being closed refuses writes without filling its queue: stop before closing them.
    while (!closing && !ws.isClosed() && !ws.writeQueueFull()) {
      Future<Void> write = ws.writeBinaryMessage(message);
      // A connection the peer reset fails writes at once without filling the queue, and is marked
      // closed only by an event queued behind this loop: without this it would spin forever.
      if (write.failed()) return;
      write.onSuccess(done -> written.accept(message.length()));
    }
    if (!closing && !ws.isClosed()) ws.drainHandler(v -> pump(ws, message, written));
  }

  void close() {
    closing = true;
    vertx.close().await();
  }
}
