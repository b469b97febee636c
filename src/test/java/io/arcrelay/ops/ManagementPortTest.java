package io.arcrelay.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Http;
import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.config.Setting;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With {@code managementPort} set, metrics and the detailed health are answered there and not on
 * the client port, which keeps status-only {@code /health/live} and {@code /health/ready}; without
 * it (the default) everything stays on the client port.
 */
class ManagementPortTest {

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void byDefaultHealthAndMetricsStayOnTheClientPort() {
    Relay relay = Relay.start(vertx, TestRelays.config()).await();
    assertEquals(relay.port(), relay.managementPort());
    Http http = new Http(vertx, relay.port());
    assertEquals(200, http.get("/metrics").status());
    assertEquals(200, http.get("/health").status());
    assertTrue(http.get("/health/ready").body().toJsonObject().containsKey("checks"), "the detailed answer");
  }

  @Test
  void aManagementPortTakesMetricsAndDetailedHealthOffTheClientPort() throws IOException {
    Relay relay = Relay.start(vertx, TestRelays.config(Setting.MANAGEMENT_PORT, String.valueOf(freePort()))).await();
    assertNotEquals(relay.port(), relay.managementPort());
    Http management = new Http(vertx, relay.managementPort());
    Http clients = new Http(vertx, relay.port());

    Http.Response metrics = management.get("/metrics");
    assertEquals(200, metrics.status());
    assertTrue(metrics.samples().containsKey("arc_relay_memory_budget_bytes"), "the relay's metrics");
    assertEquals(true, management.get("/health").body().toJsonObject().getBoolean("ok"));
    assertEquals(200, management.get("/health/live").status());
    Http.Response ready = management.get("/health/ready");
    assertEquals(200, ready.status());
    assertTrue(ready.body().toJsonObject().containsKey("checks"), "the detailed answer");

    assertEquals(404, clients.get("/metrics").status());
    assertEquals(404, clients.get("/health").status());
    assertEquals(200, clients.get("/health/live").status());
    Http.Response probe = clients.get("/health/ready");
    assertEquals(200, probe.status(), "load balancers still check readiness on the client port");
    assertEquals(new JsonObject().put("status", "UP").put("outcome", "UP"), probe.body().toJsonObject(),
        "status only");

    WebSocketClient ws = TestClient.newClient(vertx);
    TestClient a = TestClient.join(ws, TestClient.uri(relay.port(), "management-port"));
    TestClient b = TestClient.join(ws, TestClient.uri(relay.port(), "management-port"));
    a.assertReaches(b, "pairs are served on the client port as ever");

    relay.drain(Duration.ofMinutes(1));
    assertEquals(503, clients.get("/health/ready").status(), "a draining node is taken out by its client-port probe");
    assertEquals("DOWN", clients.get("/health/ready").body().toJsonObject().getString("status"));
    assertEquals(503, management.get("/health/ready").status());
    assertEquals(200, management.get("/health/live").status());
  }

  /** A port nothing listens on now (the relay binds it a moment later; nothing else here takes ports). */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
