package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.arcrelay.LoggedErrors;
import io.arcrelay.Relay;
import io.arcrelay.TestRelays;
import io.arcrelay.config.Setting;
import io.arcrelay.tunnel.agent.TunnelAgent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A tunnel as a reverse proxy on the open internet, from a visitor's raw bytes to a real app: the
 * app only ever gets requests the relay routed and checked. Two tunnels reach the same app, one
 * open ({@code pub}) and one behind basic auth ({@code admin}), so a request that slips past the
 * relay's routing would show as the protected app answering without credentials.
 */
class TunnelEdgeTest {

  private static final String TOKEN = "edge-token";
  private static final String CREDENTIALS = "Basic " + Base64.getEncoder().encodeToString("admin:secret".getBytes(StandardCharsets.UTF_8));

  private static Vertx vertx;
  private static Vertx agentVertx;
  private static Relay relay;
  private static LocalService service;
  private static NetServer rejectedOrigin;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    relay = Relay.start(vertx, TestRelays.config(Setting.TUNNEL_TOKENS, TOKEN)).await();
    service = LocalService.start(vertx);
    // An app whose answer the agent's HTTP client refuses: a Location with a vertical tab in it.
    rejectedOrigin = vertx.createNetServer().connectHandler(socket -> socket.handler(request ->
        socket.write("HTTP/1.1 302 Found\r\nLocation: /a\u000bb\r\nContent-Length: 0\r\n\r\n"))).listen(0, "127.0.0.1").await();
    agentVertx = Vertx.vertx();
    agent("pub", "http://127.0.0.1:" + service.port()).start().await();
    agent("admin", "http://127.0.0.1:" + service.port()).restrictVisitors("admin:secret", List.of()).start().await();
    agent("broken", "http://127.0.0.1:" + rejectedOrigin.actualPort()).start().await();
  }

  private static TunnelAgent agent(String name, String to) {
    return new TunnelAgent(agentVertx, new TunnelAgent.Options(URI.create(to), URI.create("ws://127.0.0.1:" + relay.port()),
        TOKEN, name), line -> { });
  }

  @AfterAll
  static void stop() {
    agentVertx.close().await();
    vertx.close().await();
  }

  @Test
  void anHttp10RequestWithBothFramingsIsRefusedAndNothingReachesTheApp() {
    int before = service.requests();
    String smuggled = "GET /hello HTTP/1.1\r\nHost: admin.localhost\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n";
    String answer = exchange("POST /hello HTTP/1.0\r\nHost: " + host("pub") + "\r\nContent-Length: 1\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(smuggled.length()) + "\r\n" + smuggled + "\r\n0\r\n\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
    assertEquals(before, service.requests(), "the app got nothing");
  }

  @Test
  void anAbsoluteFormTargetIsRoutedAndCheckedByItsAuthority() {
    String request = "GET http://" + host("admin") + "/hello HTTP/1.1\r\nHost: " + host("pub") + "\r\nConnection: close\r\n";
    assertTrue(exchange(request + "\r\n").startsWith("HTTP/1.1 401 "), "the protected tunnel asks for credentials");
    JsonObject seen = body(exchange(request + "Authorization: " + CREDENTIALS + "\r\n\r\n"));
    assertEquals("/hello", seen.getString("uri"), "forwarded in origin form");
    assertEquals(host("admin"), seen.getString("host"), "with the Host it was routed by");
  }

  @Test
  void twoHostHeadersAreRefused() {
    int before = service.requests();
    String answer = exchange("GET /hello HTTP/1.1\r\nHost: " + host("pub") + "\r\nHost: " + host("admin") + "\r\n\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
    assertEquals(before, service.requests());
  }

  @Test
  void theRelayOwnsTheForwardingHeaders() {
    JsonObject seen = body(exchange("GET /hello HTTP/1.1\r\nHost: " + host("pub") + "\r\nConnection: close\r\n"
        + "X_Forwarded_For: 6.6.6.6\r\nX-Forwarded-For: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\n"
        + "X-Forwarded-Prefix: /evil\r\n\r\n"));
    JsonObject headers = seen.getJsonObject("headers");
    assertEquals(List.of("127.0.0.1"), headers.getJsonArray("x-forwarded-for").getList());
    assertEquals(List.of("127.0.0.1"), headers.getJsonArray("x-real-ip").getList());
    assertEquals(List.of("for=127.0.0.1;host=\"" + host("pub") + "\";proto=http"), headers.getJsonArray("forwarded").getList());
    assertNull(headers.getJsonArray("x_forwarded_for"));
    assertNull(headers.getJsonArray("x-forwarded-prefix"));
  }

  @Test
  void anUpgradeOtherThanWebSocketIsAnOrdinaryRequest() {
    String request = "GET /hello HTTP/1.1\r\nHost: " + host("pub") + "\r\n";
    String answers = exchange(request + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n"
        + request + "Connection: close\r\n\r\n");
    assertEquals(2, answers.split("HTTP/1.1 200 ", -1).length - 1, "both requests answered on one connection: " + answers);
    assertFalse(answers.contains("\"upgrade\""), "the app never saw Upgrade: " + answers);
    assertFalse(answers.contains("http2-settings"), answers);
  }

  @Test
  void aValidChunkExtensionIsAccepted() {
    String answer = exchange("POST /upload HTTP/1.1\r\nHost: " + host("pub") + "\r\nConnection: close\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n3;name=\"value\"\r\nabc\r\n0\r\n\r\n");
    assertEquals(8, body(answer).getInteger("length"));
  }

  @Test
  void aChunkSizePast2GiBIsRefused() {
    // Netty would read 0x100000005 as 5 and the app would get "hello" as a whole body.
    String answer = exchange("POST /upload HTTP/1.1\r\nHost: " + host("pub") + "\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "100000005\r\nhello\r\n0\r\n\r\n");
    assertFalse(answer.contains(" 200 "), "the connection ends, the upload with it: " + answer);
  }

  @Test
  void anAnswerTheAgentCannotReadIsA502NotAWait() {
    String answer = exchange("GET / HTTP/1.1\r\nHost: " + host("broken") + "\r\nConnection: close\r\n\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 502 "), answer);
    assertFalse(answer.contains("127.0.0.1"), "the page does not say where the app lives");
  }

  @Test
  void nothingAVisitorSendsMakesTheRelayOrTheAgentWarn() {
    try (LoggedErrors logged = LoggedErrors.capture()) {
      for (String request : List.of(
          "POST / HTTP/1.0\r\nHost: " + host("pub") + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: " + host("pub") + "\r\nHost: x\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: " + host("pub") + "\r\nBad Header: x\r\n\r\n",
          "POST /upload HTTP/1.1\r\nHost: " + host("pub") + "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
          "GET / HTTP/1.1\r\nHost: " + host("broken") + "\r\nConnection: close\r\n\r\n",
          "CONNECT " + host("pub") + " HTTP/1.1\r\nHost: " + host("pub") + "\r\n\r\n",
          "GET /hello HTTP/1.0\r\nHost: " + host("pub") + "\r\n\r\n")) {
        exchange(request);
      }
      assertEquals(List.of(), logged.messages(Level.WARN));
    }
  }

  private static String host(String name) {
    return name + ".localhost:" + relay.port();
  }

  /** The JSON body of a response. */
  private static JsonObject body(String answer) {
    return new JsonObject(Buffer.buffer(answer.substring(answer.indexOf("\r\n\r\n") + 4)));
  }

  /** Sends {@code request} as it is and returns everything the relay answers until it closes, or is quiet for 2 s. */
  private static String exchange(String request) {
    try (Socket socket = new Socket("127.0.0.1", relay.port())) {
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.setSoTimeout(2_000);
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) answer.write(buffer, 0, n);
      } catch (SocketTimeoutException quiet) {
        // a keep-alive connection the relay leaves open: what came is the answer
      }
      return answer.toString(StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
