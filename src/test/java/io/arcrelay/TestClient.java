package io.arcrelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A real WebSocket client of the relay that records what it receives and how it was closed. */
public final class TestClient {

  /** Upper bound for anything a test waits for; generous because CI machines are slow, never a pacing sleep. */
  public static final long WAIT_SECONDS = 30;

  public record Closed(int code, String reason) {}

  private final WebSocket ws;
  private final LinkedBlockingQueue<Buffer> messages = new LinkedBlockingQueue<>();
  private final AtomicLong receivedBytes = new AtomicLong();
  private final CompletableFuture<Closed> closed = new CompletableFuture<>();

  private TestClient(WebSocket ws, boolean keepMessages) {
    this.ws = ws;
    ws.binaryMessageHandler(data -> {
      receivedBytes.addAndGet(data.length());
      if (keepMessages) messages.add(data);
    });
    ws.closeHandler(v -> closed.complete(new Closed(
        ws.closeStatusCode() == null ? -1 : ws.closeStatusCode(), ws.closeReason())));
  }

  /** A client options fit for the tests: large messages, no compression. */
  public static WebSocketClient newClient(Vertx vertx) {
    return vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxMessageSize(64 * 1024 * 1024)
        .setMaxFrameSize(16 * 1024 * 1024)
        .setMaxConnections(1000)
        .setTryUsePerMessageCompression(false)
        .setTryUsePerFrameCompression(false));
  }

  public static String uri(int port, String code) {
    return "ws://127.0.0.1:" + port + "/?pair=" + URLEncoder.encode(code, StandardCharsets.UTF_8);
  }

  /**
   * Handlers are set before connecting: the relay may deliver held frames together with its
   * upgrade answer, and a socket connected first would drop what arrives before its handlers.
   */
  public static Future<TestClient> connect(WebSocketClient client, String uri) {
    return connect(client, uri, true);
  }

  private static Future<TestClient> connect(WebSocketClient client, String uri, boolean keepMessages) {
    return connect(client, new WebSocketConnectOptions().setAbsoluteURI(uri), keepMessages);
  }

  private static Future<TestClient> connect(WebSocketClient client, WebSocketConnectOptions options,
      boolean keepMessages) {
    ClientWebSocket ws = client.webSocket();
    TestClient connected = new TestClient(ws, keepMessages);
    return ws.connect(options).map(w -> connected);
  }

  /** Connects a client that only counts the bytes it receives (for bulk transfers). */
  public static TestClient counting(WebSocketClient client, String uri) {
    return connect(client, uri, false).await();
  }

  public static TestClient join(WebSocketClient client, String uri) {
    return connect(client, uri).await();
  }

  /** Joins with options of its own (headers, say). */
  public static TestClient join(WebSocketClient client, WebSocketConnectOptions options) {
    return connect(client, options, true).await();
  }

  /** Connects and expects the upgrade to be refused; returns the HTTP status and body. */
  public static UpgradeRejectedException refused(WebSocketClient client, String uri) {
    try {
      TestClient unexpected = join(client, uri);
      unexpected.ws.close();
      return fail("upgrade of " + uri + " was accepted");
    } catch (UpgradeRejectedException e) {
      return e;
    }
  }

  public WebSocket ws() {
    return ws;
  }

  public void send(Buffer data) {
    ws.writeBinaryMessage(data).await();
  }

  public Buffer next() {
    try {
      Buffer b = messages.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertNotNull(b, "no message within " + WAIT_SECONDS + " s");
      return b;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  public boolean hasNoMessages() {
    return messages.isEmpty();
  }

  public long receivedBytes() {
    return receivedBytes.get();
  }

  public Closed awaitClose() {
    try {
      return closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("socket not closed within " + WAIT_SECONDS + " s", e);
    }
  }

  public void assertClosedWith(int code, String reason) {
    Closed c = awaitClose();
    assertEquals(code, c.code(), "close code (reason '" + c.reason() + "')");
    if (reason != null) assertEquals(reason, c.reason());
  }

  public boolean isOpen() {
    return !closed.isDone();
  }

  /** Sends one message and waits until {@code receiver} has it, proving the pair is spliced. */
  public void assertReaches(TestClient receiver, String text) {
    send(Buffer.buffer(text));
    assertEquals(text, receiver.next().toString());
  }

  /**
   * Sends a unique probe and reports whether {@code receiver} got it within two seconds; older
   * probes still in flight are skipped. For telling intact pairs from broken ones.
   */
  public boolean tryRoundTrip(TestClient receiver) {
    String probe = "probe-" + System.nanoTime();
    try {
      send(Buffer.buffer(probe));
    } catch (Exception closed) {
      return false;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    try {
      Buffer b;
      while ((b = receiver.messages.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) != null) {
        if (b.toString().equals(probe)) return true;
      }
      return false;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  public void close() {
    ws.close().await();
  }
}
