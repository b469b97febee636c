package io.arcrelay.seams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.TestClient;
import io.netty.channel.Channel;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.net.impl.VertxConnection;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The swapped queue is Vert.x's single-threaded one, so it must only ever be used on the socket's
 * event loop: this fails if the seam stops swapping, or if Vert.x starts using the queue from
 * another thread (a race nothing else would show).
 */
class DirectWritesTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void theDirectQueueIsInstalledAndOnlyUsedOnItsEventLoop() throws Exception {
    AtomicInteger onLoop = new AtomicInteger();
    AtomicInteger offLoop = new AtomicInteger();
    CompletableFuture<String> installed = new CompletableFuture<>();
    // As the relay's servers are: strict thread mode, so the upgrade's own writes are direct too.
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setStrictThreadMode(true)).requestHandler(req -> {
      Channel channel = VertxChannels.of(req.connection());
      req.toWebSocket().onSuccess(ws -> {
        try {
          boolean swapped = DirectWrites.install(channel);
          VertxConnection connection = VertxChannels.handler(channel).getConnection();
          Object direct = DirectWrites.QUEUE.get(connection);
          installed.complete(swapped + " " + direct.getClass().getSimpleName());
          DirectWrites.QUEUE.set(connection, watched(direct, channel, onLoop, offLoop));
        } catch (ReflectiveOperationException | RuntimeException e) {
          installed.completeExceptionally(e);
        }
        ws.binaryMessageHandler(data -> {
          ws.writeBinaryMessage(data); // echo, then close: writes, a ping answer and a close frame
          ws.writePing(Buffer.buffer());
          ws.close();
        });
      });
    }).listen(0, "127.0.0.1").await();
    WebSocket client;
    try {
      client = TestClient.newClient(vertx).connect(server.actualPort(), "127.0.0.1", "/").await();
    } catch (RuntimeException e) {
      installed.get(TestClient.WAIT_SECONDS, TimeUnit.SECONDS); // the server's reason first
      throw e;
    }
    CompletableFuture<Buffer> echo = new CompletableFuture<>();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    client.binaryMessageHandler(echo::complete);
    client.closeHandler(v -> closed.complete(null));
    client.writeBinaryMessage(Buffer.buffer("hello")).await();

    assertEquals("true DirectOutboundMessageQueue", installed.get(TestClient.WAIT_SECONDS, TimeUnit.SECONDS));
    assertEquals("hello", echo.get(TestClient.WAIT_SECONDS, TimeUnit.SECONDS).toString());
    closed.get(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);
    assertTrue(onLoop.get() > 0, "the queue was used");
    assertEquals(0, offLoop.get(), "uses of the queue off the socket's event loop");
  }

  /** The queue, counting on which thread each call comes. */
  private static Object watched(Object queue, Channel channel, AtomicInteger onLoop, AtomicInteger offLoop) {
    Class<?> type = DirectWrites.QUEUE.getType();
    return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
      (channel.eventLoop().inEventLoop() ? onLoop : offLoop).incrementAndGet();
      Method target = queue.getClass().getMethod(method.getName(), method.getParameterTypes());
      target.setAccessible(true);
      try {
        return target.invoke(queue, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    });
  }
}
