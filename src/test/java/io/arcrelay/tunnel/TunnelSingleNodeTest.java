package io.arcrelay.tunnel;

import io.arcrelay.Await;
import io.arcrelay.Http;
import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.config.Setting;
import io.arcrelay.splice.FramePayloads;
import io.arcrelay.tunnel.agent.TunnelAgent;
import io.arcrelay.tunnel.protocol.LinkMessages;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tunnels on one node, end to end with real parts: a relay in this JVM with tunnels on, an agent
 * ({@link TunnelAgent}) in this JVM on a Vert.x of its own, a real local HTTP and WebSocket server
 * behind it ({@link LocalService}), and visitors speaking HTTP and WebSocket to the relay's port
 * with a tunnel's {@code Host}.
 */
class TunnelSingleNodeTest {

  private static final String TOKEN = "tunnel-test-token";
  private static final long BIG = 128L * 1024 * 1024;

  private static long payloadsBefore;
  private static Vertx relayVertx;
  private static Vertx agentVertx;
  private static Vertx vertx; // the local service and the visitors
  private static Relay relay;
  private static LocalService service;
  private static TunnelAgent agent;
  private static HttpClient visitors;
  private static WebSocketClient wsClient;
  private static TunnelVisitor visitor;

  @BeforeAll
  static void start() {
    payloadsBefore = FramePayloads.inUse();
    relayVertx = Vertx.vertx();
    relay = Relay.start(relayVertx, TestRelays.config(
        Setting.TUNNEL_TOKENS, "another-token, " + TOKEN,
        Setting.TUNNEL_CONNECT_TIMEOUT, "2s")).await();
    vertx = Vertx.vertx();
    service = LocalService.start(vertx);
    agentVertx = Vertx.vertx();
    agent = new TunnelAgent(agentVertx, new TunnelAgent.Options(URI.create("http://127.0.0.1:" + service.port()),
        URI.create("ws://127.0.0.1:" + relay.port()), TOKEN, "myapp"), line -> { });
    String url = agent.start().await();
    assertEquals("http://myapp.localhost:" + relay.port() + "/", url);
    visitors = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false), new PoolOptions().setHttp1MaxSize(20));
    wsClient = TestClient.newClient(vertx);
    visitor = new TunnelVisitor(vertx, relay.port());
  }

  @AfterAll
  static void stop() {
    agent.stop().await();
    agentVertx.close().await();
    relay.stop().await();
    relayVertx.close().await();
    vertx.close().await();
    // Every body and WebSocket frame that came from an agent's data link was freed once relayed.
    Await.until("frame payload memory back to where it was", () -> FramePayloads.inUse() <= payloadsBefore);
  }

  @Test
  void getReachesTheLocalServiceWithForwardedHeaders() {
    TunnelVisitor.Answer answer = visitor.get("myapp", "/hello?x=1");
    assertEquals(200, answer.status());
    JsonObject seen = new JsonObject(answer.body());
    assertEquals("/hello?x=1", seen.getString("uri"));
    assertEquals("127.0.0.1", seen.getString("xff"));
    assertEquals("http", seen.getString("proto"));
    assertEquals("myapp.localhost:" + relay.port(), seen.getString("xhost"));
  }

  @Test
  void aVisitorCannotSpoofItsForwardedAddress() {
    TunnelVisitor.Answer answer = visitors.request(visitor.request(HttpMethod.GET, "myapp", "/hello"))
        .compose(req -> req.putHeader("X-Forwarded-For", "203.0.113.9").send()
            .compose(res -> res.body().map(body -> new TunnelVisitor.Answer(res.statusCode(), body.toString(), res))))
        .await();
    assertEquals("127.0.0.1", new JsonObject(answer.body()).getString("xff"));
  }

  @Test
  void largeDownloadsArriveByteExact() {
    MemoryWatch watch = MemoryWatch.start();
    assertEquals(Stream.sha256(7, BIG), visitor.download("myapp", BIG, 7, false));
    assertEquals(Stream.sha256(8, 8 * 1024 * 1024 + 13), visitor.download("myapp", 8 * 1024 * 1024 + 13, 8, true));
    watch.assertBounded();
  }

  @Test
  void largeUploadsArriveByteExact() {
    MemoryWatch watch = MemoryWatch.start();
    JsonObject chunked = visitor.upload("myapp", BIG, 3, false);
    assertEquals(BIG, chunked.getLong("length"));
    assertEquals(Stream.sha256(3, BIG), chunked.getString("sha256"));
    JsonObject sized = visitor.upload("myapp", 5 * 1024 * 1024 + 1, 4, true);
    assertEquals(Stream.sha256(4, 5 * 1024 * 1024 + 1), sized.getString("sha256"));
    watch.assertBounded();
  }

  @Test
  void keepAliveRequestsShareOneConnectionEachSide() {
    HttpClient oneConnection = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));
    try {
      visitor.get(oneConnection, "myapp", "/hello"); // the local connection of an earlier test may be closing
      int before = service.connections();
      List<String> local = new CopyOnWriteArrayList<>();
      for (int i = 0; i < 20; i++) {
        TunnelVisitor.Answer answer = visitor.get(oneConnection, "myapp", "/hello?i=" + i);
        assertEquals(200, answer.status());
        local.add(answer.response().request().connection().localAddress().toString());
      }
      assertEquals(1, local.stream().distinct().count(), "one visitor connection");
      assertEquals(before, service.connections(), "no new connection to the local service");
    } finally {
      oneConnection.close().await();
    }
    // The visitor connection is gone: so is its data link, and with it the agent's local connection.
    Await.until("every local connection is closed", () -> service.openConnections() == 0);
  }

  @Test
  void expectContinueIsAnsweredByTheLocalService() {
    RawHttp raw = RawHttp.connect(vertx, relay.port());
    raw.write("POST /upload HTTP/1.1\r\nHost: myapp.localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    assertTrue(raw.awaitText("HTTP/1.1 100 Continue").startsWith("HTTP/1.1 100 Continue"));
    raw.write("hello");
    String sha = HexFormat.of().formatHex(Stream.newDigest().digest("hello".getBytes()));
    assertTrue(raw.awaitText(sha).contains("200 OK"));
    raw.close();

    RawHttp refused = RawHttp.connect(vertx, relay.port());
    refused.write("POST /refuse HTTP/1.1\r\nHost: myapp.localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    String answer = refused.awaitText("no body wanted here");
    assertTrue(answer.startsWith("HTTP/1.1 417"), answer);
    assertTrue(!answer.contains("100 Continue"), answer);
    refused.close();
  }

  @Test
  void aHeadRequestGetsTheHeadersAndNoBody() {
    RawHttp raw = RawHttp.connect(vertx, relay.port());
    raw.write("HEAD /download?size=1000&seed=1 HTTP/1.1\r\nHost: myapp.localhost\r\n\r\n"
        + "GET /hello?after=head HTTP/1.1\r\nHost: myapp.localhost\r\n\r\n");
    String answers = raw.awaitText("/hello?after=head");
    assertTrue(answers.startsWith("HTTP/1.1 200"), answers);
    assertTrue(answers.toLowerCase().contains("content-length: 1000"), answers);
    // The next answer follows the head at once: the HEAD carried no body.
    assertTrue(answers.indexOf("\r\n\r\nHTTP/1.1 200") > 0, answers);
    raw.close();
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() {
    RawHttp raw = RawHttp.connect(vertx, relay.port());
    raw.write("GET /hello?n=1 HTTP/1.1\r\nHost: myapp.localhost\r\n\r\nGET /hello?n=2 HTTP/1.1\r\nHost: myapp.localhost\r\n\r\n");
    String answers = raw.awaitText("/hello?n=2");
    assertTrue(answers.indexOf("/hello?n=1") < answers.indexOf("/hello?n=2"), answers);
    raw.close();
  }

  @Test
  void webSocketsPassThroughTheTunnelTextAndBinary() {
    visitor.echoTextAndBinary("myapp");
  }

  @Test
  void anUnknownTunnelIs404NamingIt() {
    TunnelVisitor.Answer answer = visitor.get("nosuch", "/");
    assertEquals(404, answer.status());
    assertTrue(answer.body().contains("<code>nosuch</code> is not online"), answer.body());
  }

  @Test
  void anAgentThatCannotReachItsServiceGives502() {
    Vertx brokenVertx = Vertx.vertx();
    try {
      int closedPort = closedPort();
      TunnelAgent broken = new TunnelAgent(brokenVertx, new TunnelAgent.Options(URI.create("http://127.0.0.1:" + closedPort),
          URI.create("ws://127.0.0.1:" + relay.port()), TOKEN, "broken"), line -> { });
      broken.start().await();
      TunnelVisitor.Answer answer = visitor.get("broken", "/");
      assertEquals(502, answer.status());
      assertTrue(answer.body().contains("<code>broken</code> cannot reach its service"), answer.body());
      broken.stop().await();
    } finally {
      brokenVertx.close().await();
    }
  }

  @Test
  void aSecondAgentOfTheSameTokenOnANameIsToldItShares() {
    Vertx secondVertx = Vertx.vertx();
    try {
      java.util.concurrent.atomic.AtomicInteger told = new java.util.concurrent.atomic.AtomicInteger();
      TunnelAgent.Listener listener = new TunnelAgent.Listener() {
        @Override
        public void changed(TunnelAgent.State state, String line) {}

        @Override
        public void shared(int others) {
          told.set(others);
        }
      };
      TunnelAgent second = new TunnelAgent(secondVertx, new TunnelAgent.Options(URI.create("http://127.0.0.1:" + service.port()),
          URI.create("ws://127.0.0.1:" + relay.port()), TOKEN, "myapp"), listener, new io.arcrelay.tunnel.agent.TrafficCounters());
      assertEquals("http://myapp.localhost:" + relay.port() + "/", second.start().await());
      Await.until("the second agent is told one other serves the name", () -> told.get() == 1);
      second.stop().await();
    } finally {
      secondVertx.close().await();
    }
  }

  private static int closedPort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anAgentThatNeverConnectsBackGives504() {
    StubAgent silent = StubAgent.register(wsClient, relay.port(), TOKEN, "silent");
    TunnelVisitor.Answer answer = visitor.get("silent", "/");
    assertEquals(504, answer.status());
    assertTrue(answer.body().contains("<code>silent</code> did not answer in time"), answer.body());
    silent.close();
  }

  @Test
  void agentsWithoutAValidTokenAreRefusedBeforeTheUpgrade() {
    for (String path : new String[] {"/_tunnel/control", "/_tunnel/data?id=x"}) {
      for (String auth : new String[] {null, "Bearer wrong", "Basic " + TOKEN}) {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setPort(relay.port()).setHost("127.0.0.1").setURI(path);
        if (auth != null) options.addHeader("Authorization", auth);
        UpgradeRejectedException refused = rejected(options);
        assertEquals(401, refused.getStatus(), path + " with " + auth);
      }
    }
  }

  private static UpgradeRejectedException rejected(WebSocketConnectOptions options) {
    try {
      wsClient.connect(options).await();
    } catch (UpgradeRejectedException e) {
      return e;
    }
    throw new AssertionError("upgraded: " + options.getURI());
  }

  @Test
  void aDataLinkIdOnlyOpensForItsOwnSessionAndOnlyOnce() {
    StubAgent owner = StubAgent.register(wsClient, relay.port(), TOKEN, "guarded");
    StubAgent thief = StubAgent.register(wsClient, relay.port(), "another-token", "thief");
    Future<TunnelVisitor.Answer> waiting = visitors.request(visitor.request(HttpMethod.GET, "guarded", "/"))
        .compose(req -> req.send().compose(res -> res.body().map(body -> new TunnelVisitor.Answer(res.statusCode(), body.toString(), res))));
    String linkId = owner.nextOpen();
    // A valid token with another session, or the right session with another token: nothing waits there.
    assertEquals(404, rejected(thief.dataOptions(linkId, thief.session())).getStatus());
    assertEquals(404, rejected(thief.dataOptions(linkId, owner.session())).getStatus());
    WebSocket link = wsClient.connect(owner.dataOptions(linkId, owner.session())).await();
    assertEquals(404, rejected(owner.dataOptions(linkId, owner.session())).getStatus(), "a link id is single-use");
    link.close().await(); // the agent goes before answering: the visitor gets a 502, not a hang
    assertEquals(502, waiting.await().status());
    owner.close();
    thief.close();
  }

  @Test
  void anAgentGoneMidResponseClosesTheVisitorConnectionAtOnce() {
    StubAgent stub = StubAgent.register(wsClient, relay.port(), TOKEN, "vanishing");
    CompletableFuture<String> outcome = new CompletableFuture<>();
    AtomicLong received = new AtomicLong();
    visitors.request(visitor.request(HttpMethod.GET, "vanishing", "/big")).compose(HttpClientRequest::send).onComplete(sent -> {
      if (sent.failed()) {
        outcome.complete("failed before the head: " + sent.cause());
        return;
      }
      sent.result().handler(bytes -> received.addAndGet(bytes.length()));
      sent.result().exceptionHandler(err -> outcome.complete("cut"));
      sent.result().endHandler(v -> outcome.complete("ended normally"));
    });
    WebSocket link = wsClient.connect(stub.dataOptions(stub.nextOpen(), stub.session())).await();
    LinkMessages.response(200, MultiMap.caseInsensitiveMultiMap().add("content-length", "1000000"), false, null, false, link::writeFrame);
    link.writeFrame(LinkMessages.frame(LinkMessages.BODY, Buffer.buffer(new byte[1000])));
    Await.until("the visitor has the first bytes", () -> received.get() == 1000);
    link.close();
    assertEquals("cut", outcome.orTimeout(TestClient.WAIT_SECONDS, TimeUnit.SECONDS).join());
    stub.close();
  }

  @Test
  void anAgentOfAnotherVersionIsRefusedAtItsHello() {
    // Version 1 agents sent JSON heads: refused before a link could half understand them.
    StubAgent old = StubAgent.hello(wsClient, relay.port(), TOKEN, "old-agent", 1);
    assertEquals("bad-hello", old.outcome());
    old.close();
  }

  @Test
  void thePairRelayStillWorksOnTheSamePort() {
    TestClient a = TestClient.join(wsClient, TestClient.uri(relay.port(), "pair-beside-tunnels"));
    TestClient b = TestClient.join(wsClient, TestClient.uri(relay.port(), "pair-beside-tunnels"));
    a.assertReaches(b, "through the pair relay");
    b.assertReaches(a, "and back");
    a.close();
    b.close();
    assertEquals(200, new Http(vertx, relay.port()).status("/health/ready", TimeUnit.SECONDS.toMillis(TestClient.WAIT_SECONDS)));
  }

  /** The largest amount of client bytes the relay held at once while a transfer ran. */
  private static final class MemoryWatch {
    private final AtomicLong peak = new AtomicLong();
    private final long timer;

    private MemoryWatch() {
      timer = vertx.setPeriodic(5, id -> peak.accumulateAndGet(relay.memory().used(), Math::max));
    }

    static MemoryWatch start() {
      return new MemoryWatch();
    }

    void assertBounded() {
      vertx.cancelTimer(timer);
      // Two sockets' queue limits plus a frame in flight: far below the bodies' size.
      assertTrue(peak.get() < 8L * 1024 * 1024, "relay held " + peak.get() + " bytes at once");
    }
  }

  /** A raw TCP client, to send exactly the bytes of an HTTP exchange and see exactly the bytes back. */
  private static final class RawHttp {
    private final NetSocket socket;
    private final StringBuffer received = new StringBuffer();

    private RawHttp(NetSocket socket) {
      this.socket = socket;
      socket.handler(bytes -> received.append(bytes.toString()));
    }

    static RawHttp connect(Vertx vertx, int port) {
      return new RawHttp(vertx.createNetClient().connect(port, "127.0.0.1").await());
    }

    void write(String text) {
      socket.write(text).await();
    }

    String awaitText(String text) {
      Await.until("the answer contains " + text, () -> received.indexOf(text) >= 0);
      return received.toString();
    }

    void close() {
      socket.close().await();
    }
  }
}
