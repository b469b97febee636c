package io.arcrelay.edge;

import static io.arcrelay.TestClient.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Await;
import io.arcrelay.FramePump;
import io.arcrelay.Http;
import io.arcrelay.LoggedErrors;
import io.arcrelay.RawWebSocket;
import io.arcrelay.Relay;
import io.arcrelay.TestCertificate;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.config.Setting;
import io.arcrelay.ops.RelayMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One node on the open internet: each threat gets its limit, its refusal, its metric. Clients are
 * real sockets; raw ones where a well-behaved client library would not misbehave as asked.
 */
class HostileClientsTest {

  private static final int SIXTEEN_MIB = 16 << 20;

  private Vertx clientVertx;
  private WebSocketClient client;
  private Vertx relayVertx;
  private Relay relay;
  private RelayMetrics metrics;
  private int codes;

  @BeforeEach
  void clients() {
    clientVertx = Vertx.vertx();
    client = TestClient.newClient(clientVertx);
  }

  @AfterEach
  void stop() {
    // The relay first: closing a client whose writes the relay no longer reads (the memory budget
    // tests) waits for writes that never drain. Its shutdown grace is short (see start).
    if (relay != null) relay.stop().await();
    if (relayVertx != null) relayVertx.close().await();
    clientVertx.close().await();
  }

  /**
   * Starts the relay with {@code settings}, its shutdown grace cut to 200 ms unless they say
   * otherwise: these clients are hostile, raw sockets never answer the relay's close frame, and
   * the stop after each test would wait its whole grace (5 s) for them. No test here is about stopping.
   */
  private void start(Object... settings) {
    relayVertx = Vertx.vertx();
    metrics = new RelayMetrics();
    Object[] withGrace = new Object[settings.length + 2];
    withGrace[0] = Setting.SHUTDOWN_GRACE;
    withGrace[1] = "200ms";
    System.arraycopy(settings, 0, withGrace, 2, settings.length);
    relay = Relay.start(relayVertx, TestRelays.config(withGrace), metrics).await();
  }

  private String uri(String code) {
    return TestClient.uri(relay.port(), code);
  }

  private String newCode() {
    return "hostile-" + ++codes;
  }

  private double metric(String sample) {
    return new Http(clientVertx, relay.port()).get("/metrics").samples().getOrDefault(sample, 0.0);
  }

  private static Buffer bytes(int... values) {
    Buffer buffer = Buffer.buffer();
    for (int v : values) buffer.appendByte((byte) v);
    return buffer;
  }

  @Test
  void hostileFramesAreClosedWithRfc6455sCodesAndTheirPeerIsTold() {
    start(Setting.MAX_FRAME_SIZE, "1MiB");
    Map<String, Buffer> violations = new LinkedHashMap<>();
    violations.put("an unmasked client frame", bytes(0x82, 0x03, 'a', 'b', 'c'));
    violations.put("a reserved bit", RawWebSocket.frame(0xC2, Buffer.buffer("abc")));
    violations.put("a reserved opcode", RawWebSocket.frame(0x83, Buffer.buffer("abc")));
    violations.put("a 200-byte ping", RawWebSocket.frame(0x89, Buffer.buffer(new byte[200])));
    violations.put("a fragmented ping", RawWebSocket.frame(0x09, Buffer.buffer("abc")));
    violations.put("a close with code 999", RawWebSocket.frame(0x88, Buffer.buffer().appendShort((short) 999)));
    violations.put("a continuation with nothing to continue", RawWebSocket.frame(0x80, Buffer.buffer("abc")));
    violations.put("a binary frame inside an unfinished text message",
        RawWebSocket.frame(0x01, Buffer.buffer("ab")).appendBuffer(RawWebSocket.frame(0x82, Buffer.buffer("cd"))));
    violations.put("garbage", Buffer.buffer("GARBAGE, NOT A FRAME\r\n"));
    Map<String, Buffer> tooBig = new LinkedHashMap<>();
    tooBig.put("a 2^40-byte length", bytes(0x82, 0xFF, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    // All of it: the relay refuses it at its header and lingers while the client still sends the rest.
    tooBig.put("one frame over maxFrameSize", RawWebSocket.frame(0x82, Buffer.buffer(new byte[(1 << 20) + 1])));
    Map<String, Buffer> badText = Map.of("invalid UTF-8 in text",
        RawWebSocket.frame(0x01, bytes(0xCE, 0xBA)).appendBuffer(RawWebSocket.frame(0x80, bytes(0xC3, 0x28))));

    List<String> wrong = new ArrayList<>();
    violations.forEach((what, frame) -> expectClose(what, frame, 1002, 1011, "peer error", wrong));
    tooBig.forEach((what, frame) -> expectClose(what, frame, 1009, 1000, "peer disconnected", wrong));
    badText.forEach((what, frame) -> expectClose(what, frame, 1007, 1011, "peer error", wrong));
    assertEquals(List.of(), wrong);

    TestClient[] honest = {join(client, uri("honest")), join(client, uri("honest"))};
    honest[0].assertReaches(honest[1], "the node is unharmed");
    assertEquals(9.0, metric("arc_relay_pairs_ended_total{reason=\"protocol_error\"}"));
    assertEquals(2.0, metric("arc_relay_pairs_ended_total{reason=\"too_big\"}"));
    assertEquals(1.0, metric("arc_relay_pairs_ended_total{reason=\"invalid_text\"}"));
  }

  private void expectClose(String what, Buffer frame, int code, int peerCode, String peerReason, List<String> wrong) {
    String pairCode = newCode();
    RawWebSocket offender = RawWebSocket.connect(clientVertx, uri(pairCode));
    TestClient peer = join(client, uri(pairCode));
    offender.send(frame);
    int got = offender.closeCode();
    TestClient.Closed peerGot = peer.awaitClose();
    if (got != code || peerGot.code() != peerCode || !peerGot.reason().equals(peerReason)) {
      wrong.add(what + ": closed with " + got + ", peer with " + peerGot);
    }
  }

  @Test
  void slowlorisConnectionsAreCutAtTheRequestTimeoutWhileHealthAnswers() {
    start(Setting.REQUEST_TIMEOUT, "300ms");
    List<RawWebSocket> slow = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      RawWebSocket socket = RawWebSocket.open(clientVertx, uri("x"), "127.0.0.1");
      socket.send(Buffer.buffer("GET /?pair=slow" + i + " HTTP/1.1\r\nHost: relay\r\nUpgr")); // and never the rest
      slow.add(socket);
    }
    RawWebSocket silent = RawWebSocket.open(clientVertx, uri("x"), "127.0.0.1"); // sends nothing at all
    assertEquals(200, new Http(clientVertx, relay.port()).get("/health").status());
    Await.until("every slow connection is closed", () -> slow.stream().allMatch(RawWebSocket::isClosed));
    Await.until("the silent one too", silent::isClosed);
    assertTrue(metric("arc_relay_connections_cut_total{reason=\"request_timeout\"}") >= 201);
    TestClient[] pair = {join(client, uri("after")), join(client, uri("after"))};
    pair[0].assertReaches(pair[1], "a prompt client is served");
  }

  @Test
  void aKeepAliveConnectionIsCutOnlyOnceIdleForTheRequestTimeout() {
    start(Setting.REQUEST_TIMEOUT, "1s");
    NetSocket socket = clientVertx.createNetClient().connect(relay.port(), "127.0.0.1").await();
    String status = "HTTP/1.1 200";
    String[] tail = {""}; // an answer's status line may straddle two reads
    AtomicInteger answers = new AtomicInteger();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    socket.handler(bytes -> {
      String text = tail[0] + bytes.toString(StandardCharsets.ISO_8859_1);
      for (int at = text.indexOf(status); at >= 0; at = text.indexOf(status, at + 1)) answers.incrementAndGet();
      tail[0] = text.substring(Math.max(0, text.length() - status.length() + 1));
    });
    socket.closeHandler(v -> closed.complete(null));
    // Three request timeouts' worth of requests, one after the other's answer: the deadline moves with each.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    for (int sent = 1; System.nanoTime() < until; sent++) {
      socket.write("GET /health HTTP/1.1\r\nHost: relay\r\n\r\n");
      int expected = sent;
      Await.until("answer " + expected, () -> answers.get() >= expected || closed.isDone());
      assertFalse(closed.isDone(), "a connection in use is not cut (after " + expected + " requests)");
    }
    Await.until("idle for the request timeout, it is cut", closed::isDone);
    assertTrue(metric("arc_relay_connections_cut_total{reason=\"request_timeout\"}") >= 1);
  }

  @Test
  void oversizeRequestLinesAndHeadersAreRefused() {
    start();
    RawWebSocket longLine = RawWebSocket.open(clientVertx, uri("x"), "127.0.0.1");
    longLine.upgrade(uri("x".repeat(5000)), "");
    assertTrue(longLine.answer().matches("(?s)HTTP/1.. 414 .*"), longLine.answer());
    RawWebSocket bigHeaders = RawWebSocket.open(clientVertx, uri("x"), "127.0.0.1");
    bigHeaders.upgrade(uri(newCode()), "X-Filler: " + "y".repeat(9000) + "\r\n");
    assertTrue(bigHeaders.answer().matches("(?s)HTTP/1.. 431 .*"), bigHeaders.answer());
  }

  @Test
  void malformedRequestsAreAnsweredWithoutErrorLogsAndTheirConnectionsDoNotLinger() {
    start(Setting.REQUEST_TIMEOUT, "500ms");
    try (LoggedErrors errors = LoggedErrors.capture()) {
      Map<String, String> requests = new LinkedHashMap<>();
      requests.put("a target that is not a path", "GET * HTTP/1.1\r\nHost: r\r\n\r\n");
      requests.put("no Host", "GET / HTTP/1.1\r\n\r\n");
      requests.put("a bad escape", "GET /% HTTP/1.1\r\nHost: r\r\n\r\n");
      requests.put("an upgrade Vert.x refuses (no key)", "GET /?pair=a HTTP/1.1\r\nHost: r\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");
      requests.put("an upgrade by POST", "POST /?pair=b HTTP/1.1\r\nHost: r\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n");
      List<RawWebSocket> sent = new ArrayList<>();
      requests.forEach((what, request) -> {
        RawWebSocket socket = RawWebSocket.open(clientVertx, uri("x"), "127.0.0.1");
        socket.send(Buffer.buffer(request));
        assertTrue(socket.answer().matches("(?s)HTTP/1.. [45]\\d\\d .*"), what + ": " + socket.answer());
        sent.add(socket);
      });
      Await.until("every such connection is closed", () -> sent.stream().allMatch(RawWebSocket::isClosed));
      assertEquals(List.of(), errors.messages());
    }
  }

  @Test
  void onlyRfc6455UpgradesAreTaken() {
    start();
    RawWebSocket hixie = RawWebSocket.open(clientVertx, uri("x"), "127.0.0.1");
    hixie.send(Buffer.buffer("GET /?pair=h HTTP/1.1\r\nHost: r\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n"
        + "Origin: http://x\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n12345678"));
    assertTrue(hixie.answer().startsWith("HTTP/1.1 426"), hixie.answer());
    assertTrue(hixie.answer().toLowerCase().contains("sec-websocket-version: 13"), hixie.answer());
  }

  @Test
  void connectionCapsRefuseWith429PerAddressAnd503PerNodeAndHealthStillAnswers() {
    start(Setting.MAX_CONNECTIONS, "10", Setting.MAX_CONNECTIONS_PER_IP, "4");
    List<RawWebSocket> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) held.add(upgraded("127.0.0.2"));
    RawWebSocket fifth = RawWebSocket.open(clientVertx, uri("x"), "127.0.0.2");
    fifth.upgrade(uri(newCode()), "");
    assertTrue(fifth.answer().startsWith("HTTP/1.1 429"), fifth.answer());
    Await.until("the refused connection is closed", fifth::isClosed);

    for (int i = 0; i < 4; i++) held.add(upgraded("127.0.0.3"));
    for (int i = 0; i < 2; i++) held.add(upgraded("127.0.0.4"));
    RawWebSocket eleventh = RawWebSocket.open(clientVertx, uri("x"), "127.0.0.5");
    eleventh.upgrade(uri(newCode()), "");
    assertTrue(eleventh.answer().startsWith("HTTP/1.1 503"), eleventh.answer());
    assertEquals(200, new Http(clientVertx, relay.port()).get("/health/live").status(), "the reserve answers health");
    assertEquals(1.0, metric("arc_relay_upgrades_rejected_total{reason=\"too_many_connections\",status=\"429\"}"));
    assertTrue(metric("arc_relay_upgrades_rejected_total{reason=\"node_full\",status=\"503\"}") >= 1);

    held.remove(0).close().await();
    Await.until("a connection is free again, and upgrades are taken",
        () -> answer("127.0.0.5", uri(newCode()), "").startsWith("HTTP/1.1 101"));
  }

  private RawWebSocket upgraded(String from) {
    RawWebSocket socket = RawWebSocket.open(clientVertx, uri("x"), from);
    socket.upgrade(uri(newCode()), "");
    assertTrue(socket.answer().startsWith("HTTP/1.1 101"), socket.answer());
    return socket;
  }

  @Test
  void upgradeBurstsAndRepeatedRefusalsFromOneAddressGet429() {
    start(Setting.UPGRADES_PER_IP, "2", Setting.REFUSALS_PER_IP, "3");
    for (int i = 0; i < 4; i++) upgraded("127.0.0.6"); // a burst of twice the rate
    assertTrue(answer("127.0.0.6", uri(newCode()), "").startsWith("HTTP/1.1 429"));

    String full = newCode();
    RawWebSocket a = RawWebSocket.open(clientVertx, uri(full), "127.0.0.7");
    a.upgrade(uri(full), "");
    RawWebSocket b = RawWebSocket.open(clientVertx, uri(full), "127.0.0.8");
    b.upgrade(uri(full), "");
    assertTrue(a.answer().startsWith("HTTP/1.1 101") && b.answer().startsWith("HTTP/1.1 101"));
    String guesser = "127.0.0.9";
    assertTrue(answer(guesser, uri(full), "").startsWith("HTTP/1.1 409"));
    assertTrue(answer(guesser, "ws://127.0.0.1:" + relay.port() + "/?pair=", "").startsWith("HTTP/1.1 400"));
    assertTrue(answer(guesser, uri(full), "").startsWith("HTTP/1.1 409"));
    String refused = answer(guesser, uri(newCode()), "");
    assertTrue(refused.startsWith("HTTP/1.1 429"), "a fresh code after 3 refusals: " + refused);
    assertEquals(1.0, metric("arc_relay_upgrades_rejected_total{reason=\"too_many_refusals\",status=\"429\"}"));
  }

  private String answer(String from, String uri, String headers) {
    RawWebSocket socket = RawWebSocket.open(clientVertx, uri, from);
    socket.upgrade(uri, headers);
    return socket.answer();
  }

  @Test
  void aTrustedProxysForwardedForNamesTheClientAndNobodyElsesDoes() {
    start(Setting.TRUSTED_PROXIES, "127.0.0.1", Setting.MAX_CONNECTIONS_PER_IP, "1");
    String viaProxy = "X-Forwarded-For: 198.51.100.1, 203.0.113.5\r\n";
    RawWebSocket first = RawWebSocket.open(clientVertx, uri("x"), "127.0.0.1");
    first.upgrade(uri(newCode()), viaProxy);
    assertTrue(first.answer().startsWith("HTTP/1.1 101"), first.answer());
    assertTrue(answer("127.0.0.1", uri(newCode()), viaProxy).startsWith("HTTP/1.1 429"), "203.0.113.5 holds its one");
    assertTrue(answer("127.0.0.1", uri(newCode()), "X-Forwarded-For: 203.0.113.6\r\n").startsWith("HTTP/1.1 101"));
    RawWebSocket untrusted = RawWebSocket.open(clientVertx, uri("x"), "127.0.0.10");
    untrusted.upgrade(uri(newCode()), viaProxy); // counted as 127.0.0.10, whatever it claims
    assertTrue(untrusted.answer().startsWith("HTTP/1.1 101"), untrusted.answer());
  }

  @Test
  void withASecretUpgradesNeedATokenForTheirCodeAndAnAllowedOrigin() {
    String secret = "a-secret-of-at-least-16-bytes";
    start(Setting.ACCESS_SECRET, secret, Setting.ALLOWED_ORIGINS, "https://app.example.com",
        Setting.MIN_CODE_LENGTH, "8");
    byte[] key = AccessToken.secretFrom(secret);
    String code = "long-enough-code";
    String token = AccessToken.mint(key, code, Instant.now().plusSeconds(60));
    assertTrue(answer("127.0.0.1", uri(code), "").startsWith("HTTP/1.1 401"), "no token");
    assertTrue(answer("127.0.0.1", uri(code) + "&token=" + AccessToken.mint(key, "another-code", Instant.now().plusSeconds(60)), "")
        .startsWith("HTTP/1.1 401"), "a token for another code");
    assertTrue(answer("127.0.0.1", uri(code) + "&token=" + AccessToken.mint(key, code, Instant.now().minusSeconds(1)), "")
        .startsWith("HTTP/1.1 401"), "an expired token");
    assertTrue(answer("127.0.0.1", uri(code) + "&token=" + token, "Origin: https://evil.example.org\r\n")
        .startsWith("HTTP/1.1 403"), "a foreign origin");
    RawWebSocket shortCode = RawWebSocket.open(clientVertx, uri("x"), "127.0.0.1");
    shortCode.upgrade(uri("short") + "&token=" + AccessToken.mint(key, "short", Instant.now().plusSeconds(60)), "");
    assertEquals("pair code is shorter than 8 characters\n", shortCode.refusalBody());
    String allowed = "https://app.example.com";
    TestClient a = join(client, new WebSocketConnectOptions().setAbsoluteURI(uri(code) + "&token=" + token)
        .addHeader("Origin", allowed));
    TestClient b = join(client, new WebSocketConnectOptions().setAbsoluteURI(uri(code))
        .addHeader("Authorization", "Bearer " + token).addHeader("Origin", allowed));
    a.assertReaches(b, "token in the query and in the header");
    assertEquals(3.0, metric("arc_relay_upgrades_rejected_total{reason=\"unauthorized\",status=\"401\"}"));
  }

  @Test
  void aSpentMemoryBudgetPausesTheHoldersRefusesUpgradesAndLetsSmallPairsFlow() {
    start(Setting.MEMORY_BUDGET, "40MiB", Setting.PAIR_TTL, "3s");
    TestClient[] small = {join(client, uri("small")), join(client, uri("small"))};
    List<RawWebSocket> lone = new ArrayList<>(); // kept reachable: Vert.x closes the sockets of collected clients
    for (int i = 0; i < 3; i++) {
      RawWebSocket side = RawWebSocket.connect(clientVertx, uri(newCode()));
      FramePump.start(clientVertx, side, SIXTEEN_MIB, 3);
      lone.add(side);
    }
    Await.until("the budget is spent", () -> relay.memory().spent());
    assertTrue(answer("127.0.0.1", uri(newCode()), "").startsWith("HTTP/1.1 503"), "upgrades refused while spent");
    long peak = 0;
    String peakUses = "";
    for (int i = 0; i < 30; i++) {
      small[0].assertReaches(small[1], "small messages still flow, round trip " + i);
      if (relay.memory().used() > peak) {
        peak = relay.memory().used();
        peakUses = java.util.Arrays.stream(io.arcrelay.splice.MemoryBudget.Use.values())
            .map(u -> u + "=" + relay.memory().used(u)).toList().toString();
      }
    }
    System.out.println("budget test peak " + peak + " " + peakUses);
    assertTrue(peak <= (40 << 20) + (1 << 20), "the node held " + peak + " bytes on a 40 MiB budget");
    assertTrue(metric("arc_relay_flow_pauses_total{cause=\"memory_budget\"}") >= 1);
    assertEquals(1.0, metric("arc_relay_upgrades_rejected_total{reason=\"memory_spent\",status=\"503\"}"));

    Await.until("the lone sides expire and their bytes are let go", () -> relay.memory().used() == 0);
    TestClient[] after = {join(client, uri("after")), join(client, uri("after"))};
    after[0].assertReaches(after[1], "upgrades are taken again");
  }

  @Test
  void aSideLeftUnreadForTheBudgetLongerThanTheStallTimeoutIsClosedWith1013() {
    start(Setting.MEMORY_BUDGET, "40MiB", Setting.STALL_TIMEOUT, "1s", Setting.PING_INTERVAL, "500ms");
    List<RawWebSocket> lone = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RawWebSocket side = RawWebSocket.connect(clientVertx, uri(newCode()));
      FramePump.start(clientVertx, side, SIXTEEN_MIB, 3);
      lone.add(side);
    }
    Await.until("a side holding part of a frame is closed for the budget",
        () -> lone.stream().anyMatch(RawWebSocket::closeReceived));
    assertTrue(lone.stream().filter(RawWebSocket::closeReceived).allMatch(side -> side.closeCode() == 1013));
    Await.until("the budget has room again", () -> !relay.memory().spent());
    assertTrue(metric("arc_relay_pairs_ended_total{reason=\"overloaded\"}") >= 1);
    TestClient[] after = {join(client, uri("after")), join(client, uri("after"))};
    after[0].assertReaches(after[1], "upgrades are taken again");
  }

  @Test
  void aClientThatTakesNothingQueuedForItIsClosedAtTheStallTimeout() {
    start(Setting.STALL_TIMEOUT, "1s", Setting.PING_INTERVAL, "2s"); // stalled before it is found silent
    String code = newCode();
    TestClient sender = join(client, uri(code));
    RawWebSocket reader = RawWebSocket.connect(clientVertx, uri(code));
    reader.pause();
    // The relay's close frame: the sender's answer waits behind the bytes the relay no longer reads,
    // so its TCP connection ends only at the relay's closing timeout (10 s), Vert.x's wait.
    java.util.concurrent.atomic.AtomicReference<io.vertx.core.http.WebSocketFrame> closeFrame =
        new java.util.concurrent.atomic.AtomicReference<>();
    sender.ws().frameHandler(frame -> {
      if (frame.isClose()) closeFrame.set(frame);
    });
    sender.ws().writeFrame(io.vertx.core.http.WebSocketFrame.binaryFrame(Buffer.buffer(new byte[SIXTEEN_MIB]), true));
    Await.until("the sender is told its peer left", () -> closeFrame.get() != null);
    assertEquals(1000, closeFrame.get().closeStatusCode());
    assertEquals("peer disconnected", closeFrame.get().closeReason());
    reader.resume(); // drain what the kernel holds so the close frame can be seen
    assertEquals(1008, reader.closeCode(), "the stalled reader is closed for not reading");
    assertEquals(1.0, metric("arc_relay_pairs_ended_total{reason=\"stalled\"}"));
    Await.until("its bytes are let go", () -> relay.memory().used() == 0);
  }

  @Test
  void theRelayServesWssFromPemFiles(@TempDir Path dir) throws Exception {
    TestCertificate certificate = TestCertificate.generate(dir, "localhost", "rsa:2048");
    start(Setting.TLS_CERT, certificate.certificate().toString(), Setting.TLS_KEY, certificate.key().toString());
    WebSocketClient tlsClient = clientVertx.createWebSocketClient(new WebSocketClientOptions()
        .setSsl(true).setTrustAll(true).setVerifyHost(false));
    String wss = "wss://127.0.0.1:" + relay.port() + "/?pair=secure";
    TestClient a = join(tlsClient, wss);
    TestClient b = join(tlsClient, wss);
    a.assertReaches(b, "over TLS");
  }
}
