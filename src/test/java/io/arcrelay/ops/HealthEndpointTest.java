package io.arcrelay.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arcrelay.Await;
import io.arcrelay.Http;
import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthEndpointTest {

  private Vertx vertx;
  private Relay relay;
  private Http http;
  private WebSocketClient ws;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    relay = Relay.start(vertx, TestRelays.config()).await();
    http = new Http(vertx, relay.port());
    ws = TestClient.newClient(vertx);
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private int pairs(String path) {
    Http.Response response = http.get(path);
    assertEquals(200, response.status());
    JsonObject body = response.body().toJsonObject();
    assertEquals(true, body.getBoolean("ok"));
    return body.getInteger("pairs");
  }

  @Test
  void healthCountsWaitingAndCompletePairs() {
    assertEquals(0, pairs("/health"));
    TestClient a = TestClient.join(ws, TestClient.uri(relay.port(), "h1"));
    assertEquals(1, pairs("/health"), "a waiting pair counts");
    TestClient b = TestClient.join(ws, TestClient.uri(relay.port(), "h1"));
    TestClient.join(ws, TestClient.uri(relay.port(), "h2"));
    assertEquals(2, pairs("/health/"));
    a.close();
    b.assertClosedWith(1000, "peer disconnected");
    Await.until("the closed pair is gone", () -> pairs("/health") == 1);
  }

  @Test
  void drainingTurnsReadinessOffWhileTheNodeStaysLiveAndPairsFlow() {
    assertEquals(200, http.get("/health/live").status());
    assertEquals(200, http.get("/health/ready").status());
    TestClient a = TestClient.join(ws, TestClient.uri(relay.port(), "h3"));
    TestClient b = TestClient.join(ws, TestClient.uri(relay.port(), "h3"));

    relay.drain(Duration.ofMinutes(1));

    Http.Response ready = http.get("/health/ready");
    assertEquals(503, ready.status());
    assertEquals("DOWN", ready.body().toJsonObject().getString("outcome"));
    assertEquals(200, http.get("/health/live").status());
    a.assertReaches(b, "pairs keep flowing while the node drains");
  }

  @Test
  void unknownPathsAre404() {
    assertEquals(404, http.get("/nope").status());
    assertEquals(404, http.get("/?pair=not-an-upgrade").status());
  }
}
