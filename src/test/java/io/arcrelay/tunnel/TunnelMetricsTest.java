package io.arcrelay.tunnel;

import io.arcrelay.Await;
import io.arcrelay.Http;
import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.config.Setting;
import io.arcrelay.ops.RelayMetrics;
import io.arcrelay.tunnel.agent.TunnelAgent;
import io.arcrelay.tunnel.protocol.ControlMessages;
import io.arcrelay.tunnel.protocol.LinkMessages;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code arc_relay_tunnel_*} as Prometheus scrapes them from {@code /metrics}, after real traffic
 * through a real tunnel: a relay in this JVM, an agent, and a local service behind it.
 */
class TunnelMetricsTest {

  private static final String TOKEN = "metrics-token";

  private Vertx vertx;
  private Relay relay;
  private Http http;
  private HttpClient visitors;
  private WebSocketClient wsClient;
  private TunnelAgent agent;

  @BeforeEach
  void start() {
    RelayConfig config = TestRelays.config(Setting.TUNNEL_TOKENS, TOKEN, Setting.TUNNEL_CONNECT_TIMEOUT, "1s");
    RelayMetrics metrics = new RelayMetrics();
    vertx = Relay.vertx(config, metrics).await();
    relay = Relay.start(vertx, config, metrics).await();
    http = new Http(vertx, relay.port());
    visitors = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)); // a link per request
    wsClient = TestClient.newClient(vertx);
    LocalService service = LocalService.start(vertx);
    agent = new TunnelAgent(vertx, new TunnelAgent.Options(URI.create("http://127.0.0.1:" + service.port()),
        URI.create("ws://127.0.0.1:" + relay.port()), TOKEN, "metered"), line -> { });
    agent.start().await();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private Map<String, Double> scrape() {
    return http.scrape();
  }

  private record Answer(int status, Buffer body) {}

  private Answer visit(HttpMethod method, String tunnel, String uri, Buffer body) {
    RequestOptions options = new RequestOptions().setMethod(method)
        .setServer(SocketAddress.inetSocketAddress(relay.port(), "127.0.0.1"))
        .setHost(tunnel + ".localhost").setPort(relay.port()).setURI(uri)
        .setTimeout(TimeUnit.SECONDS.toMillis(TestClient.WAIT_SECONDS));
    return visitors.request(options)
        .compose(req -> (body == null ? req.send() : req.send(body))
            .compose(res -> res.body().map(b -> new Answer(res.statusCode(), b))))
        .await();
  }

  @Test
  void tunnelTrafficIsCountedAndLinksAreNotPairs() {
    assertEquals(1.0, scrape().get("arc_relay_tunnel_sessions"));

    Answer download = visit(HttpMethod.GET, "metered", "/download?size=1000&seed=1", null);
    assertEquals(200, download.status());
    assertEquals(1000, download.body().length());
    Answer upload = visit(HttpMethod.POST, "metered", "/upload", Buffer.buffer(new byte[500]));
    assertEquals(200, upload.status());
    assertEquals(404, visit(HttpMethod.GET, "metered", "/no-such-page", null).status()); // the local service's
    assertEquals(404, visit(HttpMethod.GET, "offline", "/", null).status()); // the relay's own page, no link

    Map<String, Double> s = scrape();
    assertEquals(2.0, s.get("arc_relay_tunnel_requests_total{class=\"2xx\"}"));
    assertEquals(2.0, s.get("arc_relay_tunnel_requests_total{class=\"4xx\"}"));
    assertEquals(0.0, s.get("arc_relay_tunnel_requests_total{class=\"5xx\"}"));
    assertEquals(500.0, s.get("arc_relay_tunnel_bytes_total{direction=\"to_agent\"}"));
    assertEquals(1000.0 + upload.body().length(), s.get("arc_relay_tunnel_bytes_total{direction=\"to_visitor\"}"));
    assertEquals(3.0, s.get("arc_relay_tunnel_link_setup_seconds_count"), "one link per visitor connection served");
    // Links are not pairs: the pair gauges and counters never see them.
    assertEquals(0.0, s.get("arc_relay_pairs{state=\"active\"}"));
    assertEquals(0.0, s.get("arc_relay_pairs{state=\"waiting\"}"));
    assertEquals(0.0, s.get("arc_relay_pairs_formed_total"));
    assertEquals(0, new JsonObject(http.get("/health").body()).getInteger("pairs"));

    WebSocket ws = wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(relay.port())
        .setURI("/echo").addHeader("Host", "metered.localhost:" + relay.port())).await();
    CompletableFuture<String> echoed = new CompletableFuture<>();
    ws.textMessageHandler(echoed::complete);
    ws.writeTextMessage("through");
    assertEquals("through", echoed.orTimeout(TestClient.WAIT_SECONDS, TimeUnit.SECONDS).join());
    Map<String, Double> upgraded = scrape();
    assertEquals(1.0, upgraded.get("arc_relay_tunnel_requests_total{class=\"upgrade\"}"));
    // A masked 7-byte text frame went up (6 bytes of header and mask), an unmasked one came back.
    assertEquals(500.0 + 13, upgraded.get("arc_relay_tunnel_bytes_total{direction=\"to_agent\"}"));
    assertEquals(1000.0 + upload.body().length() + 9, upgraded.get("arc_relay_tunnel_bytes_total{direction=\"to_visitor\"}"));
    ws.close().await();

    agent.stop().await();
    Await.until("the session's end is counted", () -> scrape().get("arc_relay_tunnel_sessions") == 0.0);
  }

  @Test
  void refusalsAndTimeoutsAreCountedByReason() {
    assertEquals(401, rejected(dataOptions("x", "no-such-session", "Bearer wrong")).getStatus());
    assertEquals(404, rejected(dataOptions("x", "no-such-session", "Bearer " + TOKEN)).getStatus());
    assertEquals(404, rejected(dataOptions("x", null, "Bearer " + TOKEN)).getStatus());

    // An agent that registers and then never opens a data connection: the visitor waits, then gets 504.
    WebSocket silent = wsClient.connect(new WebSocketConnectOptions().setPort(relay.port()).setHost("127.0.0.1")
        .setURI(ControlMessages.CONTROL_PATH).addHeader("Authorization", "Bearer " + TOKEN)).await();
    CompletableFuture<String> registered = new CompletableFuture<>();
    silent.textMessageHandler(registered::complete);
    silent.writeTextMessage(new JsonObject().put("type", "hello").put("v", LinkMessages.VERSION).put("name", "silent").encode());
    registered.orTimeout(TestClient.WAIT_SECONDS, TimeUnit.SECONDS).join();
    assertEquals(2.0, scrape().get("arc_relay_tunnel_sessions"));
    assertEquals(504, visit(HttpMethod.GET, "silent", "/", null).status());

    Map<String, Double> s = scrape();
    assertEquals(1.0, s.get("arc_relay_tunnel_refusals_total{reason=\"token\"}"));
    assertEquals(2.0, s.get("arc_relay_tunnel_refusals_total{reason=\"unknown\"}"));
    assertEquals(1.0, s.get("arc_relay_tunnel_refusals_total{reason=\"timeout\"}"));
    assertEquals(1.0, s.get("arc_relay_tunnel_requests_total{class=\"5xx\"}"));
    assertEquals(0.0, s.get("arc_relay_tunnel_link_setup_seconds_count"), "no link formed");
    silent.close().await();
  }

  private WebSocketConnectOptions dataOptions(String linkId, String session, String authorization) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setPort(relay.port()).setHost("127.0.0.1")
        .setURI(ControlMessages.DATA_PATH + "?id=" + linkId).addHeader("Authorization", authorization);
    if (session != null) options.addHeader(ControlMessages.SESSION_HEADER, session);
    return options;
  }

  private UpgradeRejectedException rejected(WebSocketConnectOptions options) {
    try {
      wsClient.connect(options).await();
    } catch (UpgradeRejectedException e) {
      return e;
    }
    throw new AssertionError("upgraded: " + options.getURI());
  }
}
