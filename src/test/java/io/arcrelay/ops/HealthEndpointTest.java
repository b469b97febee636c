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
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

  /**
   * One of the node's two event loops blocked: the node is not live (503, or no answer within a
   * probe's timeout when the blocked loop is the one serving the probe or running the check), so
   * an orchestrator restarts it; live again once the loop is freed.
   */
  @Test
  void aBlockedEventLoopMakesTheNodeNotLive() throws Exception {
    // A node as the launcher builds it (one event loop per relay verticle), asked by a client of its own.
    Vertx node = Relay.vertx(TestRelays.config(), new RelayMetrics()).await();
    Relay relay = Relay.start(node, TestRelays.config()).await();
    Http http = new Http(vertx, relay.port());
    assertEquals(200, http.status("/health/live", 3_000));
    CountDownLatch release = new CountDownLatch(1);
    ((VertxInternal) node).nettyEventLoopGroup().next().execute(() -> {
      try {
        release.await(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try {
      Await.until("the node is not live", () -> http.status("/health/live", 3_000) != 200);
    } finally {
      release.countDown();
    }
    Await.until("live again", () -> http.get("/health/live").status() == 200);
    node.close().await();
  }

  @Test
  void unknownPathsAre404() {
    assertEquals(404, http.get("/nope").status());
    assertEquals(404, http.get("/?pair=not-an-upgrade").status());
  }
}
