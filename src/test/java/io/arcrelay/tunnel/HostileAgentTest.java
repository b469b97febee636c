package io.arcrelay.tunnel;

import io.arcrelay.Await;
import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.config.Setting;
import io.arcrelay.splice.FramePayloads;
import io.arcrelay.tunnel.protocol.LinkMessages;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An agent with a valid token that answers what no app would: each visitor still gets an answer
 * (502, 504), the link ends, and every byte the relay counted for the answer is given back — the
 * memory budget and the frame payloads return to where they were, so no agent can leave the relay
 * refusing everyone else.
 */
class HostileAgentTest {

  private static final String TOKEN = "hostile-agent-token";

  private static Vertx vertx;
  private static Relay relay;
  private static WebSocketClient client;
  private static StubAgent agent;
  private static long payloadsBefore;

  @BeforeAll
  static void start() {
    payloadsBefore = FramePayloads.inUse();
    vertx = Vertx.vertx();
    // Long enough that a busy machine does not turn an expected 502 into a 504, short for the two 504s.
    relay = Relay.start(vertx, TestRelays.config(Setting.TUNNEL_TOKENS, TOKEN, Setting.TUNNEL_RESPONSE_TIMEOUT, "3s"))
        .await();
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(32 << 20).setMaxMessageSize(32 << 20));
    agent = StubAgent.register(TestClient.newClient(vertx), relay.port(), TOKEN, "evil");
  }

  @AfterAll
  static void stop() {
    agent.close(); // before the relay stops: it would wait its shutdown grace for the session
    vertx.close().await();
  }

  @AfterEach
  void everyByteGivenBack() {
    Await.until("the relay's memory budget is all given back", () -> relay.memory().used() == 0);
    Await.until("every frame payload is freed", () -> FramePayloads.inUse() == payloadsBefore);
  }

  @Test
  void aHeaderValueVertxRefusesIsA502() {
    assertEquals(502, visit(link -> link.write(head(302, false, "Location", "/a\nb"))));
  }

  @Test
  void aResponseHeadPast64KiBIsA502() {
    assertEquals(502, visit(link -> link.write(head(200, true, "X-Big", "x".repeat(70 * 1024)))));
  }

  @Test
  void a15MiBMessageEndsTheLinkWithA502() {
    assertEquals(502, visit(link -> link.write(head(200, true, "X-Huge", "x".repeat(15 << 20)))));
  }

  @Test
  void anAgentThatNeverAnswersIsA504() {
    assertEquals(504, visit(link -> { }));
  }

  /** The link's response deadline moves with each request: the second on a kept-alive link gets its own 504. */
  @Test
  void anAgentThatGoesSilentAfterAnAnswerIsA504ForTheNextRequest() throws Exception {
    try (Socket visitor = new Socket("127.0.0.1", relay.port())) {
      visitor.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestClient.WAIT_SECONDS));
      String get = "GET / HTTP/1.1\r\nHost: evil.localhost:" + relay.port() + "\r\n\r\n";
      visitor.getOutputStream().write(get.getBytes(StandardCharsets.US_ASCII));
      ClientWebSocket link = client.webSocket();
      LinkedBlockingQueue<Buffer> requests = new LinkedBlockingQueue<>();
      link.binaryMessageHandler(requests::add);
      link.connect(agent.dataOptions(agent.nextOpen(), agent.session())).await();
      assertNotNull(requests.poll(TestClient.WAIT_SECONDS, TimeUnit.SECONDS), "the first request");
      link.writeBinaryMessage(head(200, true, "Content-Length", "0"));
      InputStream in = visitor.getInputStream();
      assertEquals(200, status(in));
      while (!line(in).isEmpty()) continue; // the rest of the head; there is no body
      visitor.getOutputStream().write(get.getBytes(StandardCharsets.US_ASCII));
      assertNotNull(requests.poll(TestClient.WAIT_SECONDS, TimeUnit.SECONDS), "the second request, never answered");
      assertEquals(504, status(in));
    }
  }

  @Test
  void aFinal100LeavesNobodyHanging() {
    assertEquals(504, visit(link -> link.write(head(100, true))));
  }

  @Test
  void a101ToARequestThatDidNotAskIsA502() {
    assertEquals(502, visit(link -> link.write(head(101, false, "Upgrade", "websocket"))));
  }

  @Test
  void aBodyLongerThanItsContentLengthIsNeverWritten() {
    assertEquals(502, visit(link -> {
      link.write(head(200, false, "Content-Length", "5"));
      link.write(Buffer.buffer().appendByte(LinkMessages.BODY).appendString("0123456789"));
    }));
  }

  @Test
  void aBodyBeforeItsHeadIsA502() {
    assertEquals(502, visit(link -> link.write(Buffer.buffer().appendByte(LinkMessages.BODY).appendString("early"))));
  }

  /**
   * A visitor's GET to the tunnel, answered by {@code answer} on the data link the stub opens for
   * it. Returns the status the visitor got.
   */
  private static int visit(Consumer<DataSide> answer) {
    try (Socket visitor = new Socket("127.0.0.1", relay.port())) {
      visitor.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestClient.WAIT_SECONDS));
      OutputStream out = visitor.getOutputStream();
      out.write(("GET / HTTP/1.1\r\nHost: evil.localhost:" + relay.port() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String linkId = agent.nextOpen();
      // The handler is set before the upgrade: the relay sends the request as soon as the link forms.
      ClientWebSocket link = client.webSocket();
      CompletableFuture<Buffer> request = new CompletableFuture<>();
      link.binaryMessageHandler(request::complete);
      link.connect(agent.dataOptions(linkId, agent.session())).await();
      request.orTimeout(TestClient.WAIT_SECONDS, TimeUnit.SECONDS).join();
      answer.accept(link::writeBinaryMessage);
      return status(visitor.getInputStream());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static int status(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    try {
      for (int b; (b = in.read()) >= 0 && b != '\n'; ) line.append((char) b);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no answer; the status line so far: " + line);
    }
    assertTrue(line.toString().startsWith("HTTP/1.1 "), "a status line: " + line);
    return Integer.parseInt(line.substring(9, 12));
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b; (b = in.read()) >= 0 && b != '\n'; ) if (b != '\r') line.append((char) b);
    return line.toString();
  }

  /** The agent's side of the data link. */
  private interface DataSide {
    void write(Buffer message);
  }

  /** A response head written by hand: the stub's own bytes, whatever Vert.x would refuse. */
  private static Buffer head(int status, boolean ends, String... headers) {
    Buffer head = Buffer.buffer().appendUnsignedShort(status).appendUnsignedShort(headers.length / 2);
    for (String text : headers) {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      head.appendInt(bytes.length).appendBytes(bytes);
    }
    byte tag = (byte) (LinkMessages.HEAD | (ends ? LinkMessages.ENDS : 0));
    return Buffer.buffer().appendByte(tag).appendInt(head.length()).appendBuffer(head);
  }
}
