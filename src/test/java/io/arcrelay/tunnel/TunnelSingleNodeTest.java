package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Await;
import io.arcrelay.Http;
import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.config.Setting;
import io.arcrelay.tunnel.agent.TunnelAgent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tunnels on one node, end to end with real parts: a relay in this JVM with tunnels on, an agent
 * ({@link TunnelAgent}) in this JVM on a Vert.x of its own, a real local HTTP and WebSocket server
 * behind it ({@link LocalService}), and visitors speaking HTTP and WebSocket to the relay's port
 * with a tunnel's {@code Host}.
 */
class TunnelSingleNodeTest {

  private static final String TOKEN = "tunnel-test-token";
  private static final long BIG = 128L * 1024 * 1024;

  private static Vertx relayVertx;
  private static Vertx agentVertx;
  private static Vertx vertx; // the local service and the visitors
  private static Relay relay;
  private static LocalService service;
  private static TunnelAgent agent;
  private static HttpClient visitors;
  private static WebSocketClient wsClient;

  @BeforeAll
  static void start() {
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
  }

  @AfterAll
  static void stop() {
    agent.stop().await();
    agentVertx.close().await();
    relay.stop().await();
    relayVertx.close().await();
    vertx.close().await();
  }

  private static RequestOptions visit(HttpMethod method, String tunnel, String uri) {
    return new RequestOptions().setMethod(method)
        .setServer(SocketAddress.inetSocketAddress(relay.port(), "127.0.0.1"))
        .setHost(tunnel + ".localhost").setPort(relay.port()).setURI(uri)
        .setTimeout(TimeUnit.SECONDS.toMillis(TestClient.WAIT_SECONDS));
  }

  private record Answer(int status, String body, HttpClientResponse response) {}

  private static Answer get(HttpClient client, String tunnel, String uri) {
    return client.request(visit(HttpMethod.GET, tunnel, uri))
        .compose(req -> req.send().compose(res -> res.body().map(body -> new Answer(res.statusCode(), body.toString(), res))))
        .await();
  }

  @Test
  void getReachesTheLocalServiceWithForwardedHeaders() {
    Answer answer = get(visitors, "myapp", "/hello?x=1");
    assertEquals(200, answer.status());
    JsonObject seen = new JsonObject(answer.body());
    assertEquals("/hello?x=1", seen.getString("uri"));
    assertEquals("127.0.0.1", seen.getString("xff"));
    assertEquals("http", seen.getString("proto"));
    assertEquals("myapp.localhost:" + relay.port(), seen.getString("xhost"));
  }

  @Test
  void aVisitorCannotSpoofItsForwardedAddress() {
    Answer answer = visitors.request(visit(HttpMethod.GET, "myapp", "/hello"))
        .compose(req -> req.putHeader("X-Forwarded-For", "203.0.113.9").send()
            .compose(res -> res.body().map(body -> new Answer(res.statusCode(), body.toString(), res))))
        .await();
    assertEquals("127.0.0.1", new JsonObject(answer.body()).getString("xff"));
  }

  @Test
  void largeDownloadsArriveByteExact() {
    MemoryWatch watch = MemoryWatch.start();
    assertEquals(Stream.sha256(7, BIG), download(BIG, 7, false));
    assertEquals(Stream.sha256(8, 8 * 1024 * 1024 + 13), download(8 * 1024 * 1024 + 13, 8, true));
    watch.assertBounded();
  }

  private static String download(long size, long seed, boolean chunked) {
    MessageDigest digest = Stream.newDigest();
    AtomicLong length = new AtomicLong();
    visitors.request(visit(HttpMethod.GET, "myapp", "/download?size=" + size + "&seed=" + seed + (chunked ? "&chunked" : "")))
        .compose(HttpClientRequest::send)
        .compose(res -> {
          assertEquals(200, res.statusCode());
          res.handler(chunk -> {
            digest.update(chunk.getBytes());
            length.addAndGet(chunk.length());
          });
          return res.end();
        }).await();
    assertEquals(size, length.get());
    return HexFormat.of().formatHex(digest.digest());
  }

  @Test
  void largeUploadsArriveByteExact() {
    MemoryWatch watch = MemoryWatch.start();
    JsonObject chunked = upload(BIG, 3, false);
    assertEquals(BIG, chunked.getLong("length"));
    assertEquals(Stream.sha256(3, BIG), chunked.getString("sha256"));
    JsonObject sized = upload(5 * 1024 * 1024 + 1, 4, true);
    assertEquals(Stream.sha256(4, 5 * 1024 * 1024 + 1), sized.getString("sha256"));
    watch.assertBounded();
  }

  /** Streams a body with back-pressure: never more than the request's write queue in memory. */
  private static JsonObject upload(long size, long seed, boolean withLength) {
    return visitors.request(visit(HttpMethod.POST, "myapp", "/upload")).compose(req -> {
      if (withLength) req.putHeader("Content-Length", String.valueOf(size)); else req.setChunked(true);
      Future<HttpClientResponse> response = req.response();
      new Object() {
        long index;

        void pump() {
          while (index * Stream.BLOCK < size) {
            req.write(Stream.block(seed, index, (int) Math.min(Stream.BLOCK, size - index * Stream.BLOCK)));
            index++;
            if (req.writeQueueFull()) {
              req.drainHandler(v -> pump());
              return;
            }
          }
          req.end();
        }
      }.pump();
      return response.compose(res -> res.body().map(body -> {
        assertEquals(200, res.statusCode());
        return new JsonObject(body);
      }));
    }).await();
  }

  @Test
  void keepAliveRequestsShareOneConnectionEachSide() {
    HttpClient oneConnection = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));
    try {
      get(oneConnection, "myapp", "/hello"); // the local connection of an earlier test may be closing
      int before = service.connections();
      List<String> local = new CopyOnWriteArrayList<>();
      for (int i = 0; i < 20; i++) {
        Answer answer = get(oneConnection, "myapp", "/hello?i=" + i);
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
    // The Host header names the tunnel; the connection goes to the relay's address.
    WebSocket ws = wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(relay.port())
        .setURI("/echo").addHeader("Host", "myapp.localhost:" + relay.port())).await();
    LinkedBlockingQueue<WebSocketFrame> frames = new LinkedBlockingQueue<>();
    ws.frameHandler(frames::add);
    ws.writeTextMessage("hello through the tunnel");
    byte[] binary = Stream.block(1, 0, 50_000).getBytes();
    ws.writeBinaryMessage(Buffer.buffer(binary));
    WebSocketFrame text = poll(frames);
    assertTrue(text.isText());
    assertEquals("hello through the tunnel", text.textData());
    Buffer received = Buffer.buffer();
    while (received.length() < binary.length) {
      WebSocketFrame frame = poll(frames);
      assertTrue(frame.isBinary() || frame.isContinuation());
      received.appendBuffer(frame.binaryData());
    }
    assertEquals(Buffer.buffer(binary), received);
    ws.close().await();
  }

  private static WebSocketFrame poll(LinkedBlockingQueue<WebSocketFrame> frames) {
    try {
      WebSocketFrame frame = frames.poll(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);
      if (frame == null) throw new AssertionError("no frame came back");
      return frame;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anUnknownTunnelIs404NamingIt() {
    Answer answer = get(visitors, "nosuch", "/");
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
      Answer answer = get(visitors, "broken", "/");
      assertEquals(502, answer.status());
      assertTrue(answer.body().contains("<code>broken</code> cannot reach its service"), answer.body());
      broken.stop().await();
    } finally {
      brokenVertx.close().await();
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
    Answer answer = get(visitors, "silent", "/");
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
    Future<Answer> visitor = visitors.request(visit(HttpMethod.GET, "guarded", "/"))
        .compose(req -> req.send().compose(res -> res.body().map(body -> new Answer(res.statusCode(), body.toString(), res))));
    String linkId = owner.nextOpen();
    // A valid token with another session, or the right session with another token: nothing waits there.
    assertEquals(404, rejected(thief.dataOptions(linkId, thief.session())).getStatus());
    assertEquals(404, rejected(thief.dataOptions(linkId, owner.session())).getStatus());
    WebSocket link = wsClient.connect(owner.dataOptions(linkId, owner.session())).await();
    assertEquals(404, rejected(owner.dataOptions(linkId, owner.session())).getStatus(), "a link id is single-use");
    link.close().await(); // the agent goes before answering: the visitor gets a 502, not a hang
    assertEquals(502, visitor.await().status());
    owner.close();
    thief.close();
  }

  @Test
  void anAgentGoneMidResponseClosesTheVisitorConnectionAtOnce() {
    StubAgent stub = StubAgent.register(wsClient, relay.port(), TOKEN, "vanishing");
    CompletableFuture<String> outcome = new CompletableFuture<>();
    AtomicLong received = new AtomicLong();
    visitors.request(visit(HttpMethod.GET, "vanishing", "/big")).compose(HttpClientRequest::send).onComplete(sent -> {
      if (sent.failed()) {
        outcome.complete("failed before the head: " + sent.cause());
        return;
      }
      sent.result().handler(bytes -> received.addAndGet(bytes.length()));
      sent.result().exceptionHandler(err -> outcome.complete("cut"));
      sent.result().endHandler(v -> outcome.complete("ended normally"));
    });
    WebSocket link = wsClient.connect(stub.dataOptions(stub.nextOpen(), stub.session())).await();
    link.writeFrame(LinkMessages.frame(LinkMessages.HEAD, new JsonObject().put("s", 200)
        .put("h", new io.vertx.core.json.JsonArray().add(new io.vertx.core.json.JsonArray().add("content-length").add("1000000")))));
    link.writeFrame(LinkMessages.frame(LinkMessages.BODY, Buffer.buffer(new byte[1000])));
    Await.until("the visitor has the first bytes", () -> received.get() == 1000);
    link.close();
    assertEquals("cut", outcome.orTimeout(TestClient.WAIT_SECONDS, TimeUnit.SECONDS).join());
    stub.close();
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

  /** An agent reduced to its control socket: registers a name and reports the links it is asked to open. */
  private static final class StubAgent {
    private final WebSocket control;
    private final String token;
    private final int port;
    private final CompletableFuture<String> session = new CompletableFuture<>();
    private final LinkedBlockingQueue<String> opens = new LinkedBlockingQueue<>();

    private StubAgent(WebSocket control, String token, int port) {
      this.control = control;
      this.token = token;
      this.port = port;
    }

    static StubAgent register(WebSocketClient client, int port, String token, String name) {
      WebSocket ws = client.connect(new WebSocketConnectOptions().setPort(port).setHost("127.0.0.1")
          .setURI("/_tunnel/control").addHeader("Authorization", "Bearer " + token)).await();
      StubAgent stub = new StubAgent(ws, token, port);
      ws.textMessageHandler(text -> {
        JsonObject message = new JsonObject(text);
        if ("registered".equals(message.getString("type"))) stub.session.complete(message.getString("session"));
        if ("open".equals(message.getString("type"))) stub.opens.add(message.getString("id"));
      });
      ws.writeTextMessage(new JsonObject().put("type", "hello").put("v", 1).put("name", name).encode());
      stub.session();
      return stub;
    }

    String session() {
      return session.orTimeout(TestClient.WAIT_SECONDS, TimeUnit.SECONDS).join();
    }

    String nextOpen() {
      try {
        String id = opens.poll(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);
        if (id == null) throw new AssertionError("no open came");
        return id;
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    /** A data connection for {@code linkId} claiming {@code session}, with this stub's token. */
    WebSocketConnectOptions dataOptions(String linkId, String session) {
      return new WebSocketConnectOptions().setPort(port).setHost("127.0.0.1")
          .setURI("/_tunnel/data?id=" + linkId).addHeader("Authorization", "Bearer " + token)
          .addHeader("X-Arc-Session", session);
    }

    void close() {
      control.close().await();
    }
  }
}
