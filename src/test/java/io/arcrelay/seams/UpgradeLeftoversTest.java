package io.arcrelay.seams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Await;
import io.arcrelay.TestClient;
import io.netty.channel.Channel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.net.impl.ConnectionBase;
import java.lang.ref.WeakReference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UpgradeLeftoversTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /**
   * After the release the upgrade request is garbage, while the socket it became still works: what
   * Vert.x left reachable was only the handshake's (docs/benchmarks.md, session 14).
   */
  @Test
  void theUpgradeRequestIsCollectedWhileItsSocketLives() throws Exception {
    CompletableFuture<WeakReference<HttpServerRequest>> request = new CompletableFuture<>();
    CompletableFuture<ServerWebSocket> upgraded = new CompletableFuture<>();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      request.complete(new WeakReference<>(req));
      Channel channel = ((ConnectionBase) req.connection()).channel();
      req.toWebSocket().onSuccess(ws -> {
        UpgradeLeftovers.release(channel, ws);
        ws.binaryMessageHandler(ws::writeBinaryMessage); // echo
        upgraded.complete(ws);
      });
    }).listen(0, "127.0.0.1").await();
    WebSocket client = TestClient.newClient(vertx).connect(server.actualPort(), "127.0.0.1", "/?pair=x").await();
    ServerWebSocket ws = upgraded.get(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);
    WeakReference<HttpServerRequest> gone = request.get(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);

    assertTrue(ws.headers().isEmpty());
    Await.until("the upgrade request is collected", () -> {
      System.gc();
      return gone.get() == null;
    });
    CompletableFuture<Buffer> echo = new CompletableFuture<>();
    client.binaryMessageHandler(echo::complete);
    Future<Void> sent = client.writeBinaryMessage(Buffer.buffer("still relayed"));
    sent.await();
    assertEquals("still relayed", echo.get(TestClient.WAIT_SECONDS, TimeUnit.SECONDS).toString());
  }
}
