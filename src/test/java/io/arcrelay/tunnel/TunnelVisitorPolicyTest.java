package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Http;
import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.config.Setting;
import io.arcrelay.ops.RelayMetrics;
import io.arcrelay.tunnel.agent.TunnelAgent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --basic-auth} and {@code --allow} through a real tunnel: a relay in this JVM, agents, a
 * local service. The relay trusts 127.0.0.1 as a proxy, so each visit names its visitor's address
 * in {@code X-Forwarded-For}, as a load balancer would.
 */
class TunnelVisitorPolicyTest {

  private static final String TOKEN = "policy-token";
  private static final String INSIDE = "203.0.113.5";
  private static final String OUTSIDE = "198.51.100.7";

  private Vertx vertx;
  private Relay relay;
  private Http http;
  private LocalService service;
  private HttpClient visitors;

  @BeforeEach
  void start() {
    RelayConfig config = TestRelays.config(Setting.TUNNEL_TOKENS, TOKEN, Setting.TRUSTED_PROXIES, "127.0.0.1",
        Setting.REFUSALS_PER_IP, "4");
    RelayMetrics metrics = new RelayMetrics();
    vertx = Relay.vertx(config, metrics).await();
    relay = Relay.start(vertx, config, metrics).await();
    http = new Http(vertx, relay.port());
    service = LocalService.start(vertx);
    visitors = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private TunnelAgent agent(String name, String basicAuth, List<String> allow) {
    return new TunnelAgent(vertx, new TunnelAgent.Options(URI.create("http://127.0.0.1:" + service.port()),
        URI.create("ws://127.0.0.1:" + relay.port()), TOKEN, name), line -> { }).restrictVisitors(basicAuth, allow);
  }

  private record Answer(int status, String body, String wwwAuthenticate) {}

  private static Answer visit(HttpClient client, int port, String tunnel, String from, String authorization) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
        .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1"))
        .setHost(tunnel + ".localhost").setPort(port).setURI("/hello")
        .setTimeout(TimeUnit.SECONDS.toMillis(TestClient.WAIT_SECONDS))
        .putHeader("X-Forwarded-For", from);
    if (authorization != null) options.putHeader("Authorization", authorization);
    return client.request(options)
        .compose(req -> req.send().compose(res -> res.body().map(body ->
            new Answer(res.statusCode(), body.toString(), res.getHeader("WWW-Authenticate")))))
        .await();
  }

  private Answer visit(String tunnel, String from, String authorization) {
    return visit(visitors, relay.port(), tunnel, from, authorization);
  }

  private static String basic(String credentials) {
    return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void visitorsNeedTheCredentialsAndAnAllowedAddressOnEveryRequest() {
    agent("private", "alice:wonderland", List.of("203.0.113.0/24")).start().await();

    Answer anonymous = visit("private", INSIDE, null);
    assertEquals(401, anonymous.status());
    assertEquals("Basic realm=\"private\"", anonymous.wwwAuthenticate());
    assertTrue(anonymous.body().contains("<code>private</code> needs a user and password"), anonymous.body());
    assertEquals(401, visit("private", "203.0.113.6", basic("alice:guess")).status());

    Answer admitted = visit("private", "203.0.113.7", basic("alice:wonderland"));
    assertEquals(200, admitted.status());
    JsonObject seen = new JsonObject(admitted.body());
    assertNull(seen.getString("authorization"), "the credentials were the relay's: the app never sees them");
    assertEquals("203.0.113.7, 127.0.0.1", seen.getString("xff"));

    Answer outside = visit("private", OUTSIDE, basic("alice:wonderland"));
    assertEquals(403, outside.status());
    assertTrue(outside.body().contains("<code>private</code> is not open to your address"), outside.body());

    // One keep-alive connection: each request is checked, not just the one that opened the link.
    HttpClient oneConnection = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));
    assertEquals(200, visit(oneConnection, relay.port(), "private", "203.0.113.8", basic("alice:wonderland")).status());
    assertEquals(401, visit(oneConnection, relay.port(), "private", "203.0.113.8", null).status());
    assertEquals(200, visit(oneConnection, relay.port(), "private", "203.0.113.8", basic("alice:wonderland")).status());
    oneConnection.close().await();

    Map<String, Double> s = http.get("/metrics").samples();
    assertEquals(3.0, s.get("arc_relay_tunnel_refusals_total{reason=\"auth\"}"));
    assertEquals(1.0, s.get("arc_relay_tunnel_refusals_total{reason=\"ip\"}"));
    assertEquals(4.0, s.get("arc_relay_tunnel_requests_total{class=\"4xx\"}"));
    assertEquals(3.0, s.get("arc_relay_tunnel_requests_total{class=\"2xx\"}"));
  }

  @Test
  void anAddressRefusedTooOftenGets429EvenWithTheRightPassword() {
    agent("guessed", "bob:builder", List.of()).start().await();
    for (int i = 0; i < 4; i++) assertEquals(401, visit("guessed", "203.0.113.66", basic("bob:guess" + i)).status());
    Answer throttled = visit("guessed", "203.0.113.66", basic("bob:builder"));
    assertEquals(429, throttled.status());
    assertEquals(200, visit("guessed", "203.0.113.67", basic("bob:builder")).status(), "other addresses are not held back");
  }

  @Test
  void theNewestHelloSetsTheTunnelsPolicy() {
    agent("shared", null, List.of("203.0.113.0/24")).start().await();
    assertEquals(403, visit("shared", OUTSIDE, null).status());
    agent("shared", null, List.of()).start().await(); // the same token's second session, unrestricted
    assertEquals(200, visit("shared", OUTSIDE, null).status());
  }

  @Test
  void aBadAllowEntryIsABadHello() {
    Exception refused = assertThrows(Exception.class,
        () -> agent("typo", null, List.of("10.0.0.1/8")).start().await());
    assertTrue(refused.getMessage().contains("allow entry '10.0.0.1/8' is not an IP address or CIDR range"), refused.getMessage());
    assertTrue(refused.getMessage().contains("bad-hello"), refused.getMessage());
    assertEquals(404, visit("typo", INSIDE, null).status(), "nothing was registered");
  }
}
