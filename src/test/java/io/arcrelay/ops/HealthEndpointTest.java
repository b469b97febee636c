package io.arcrelay.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arcrelay.Await;
import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthEndpointTest {

  private Vertx vertx;
  private Relay relay;
  private HttpClient http;
  private WebSocketClient ws;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    relay = Relay.start(vertx, TestRelays.config()).await();
    http = vertx.createHttpClient();
    ws = TestClient.newClient(vertx);
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private record Response(int status, Buffer body) {}

  private Response get(String path) {
    return http.request(HttpMethod.GET, relay.port(), "127.0.0.1", path)
        .compose(req -> req.send())
        .compose(res -> res.body().map(body -> new Response(res.statusCode(), body)))
        .await();
  }

  private int pairs(String path) {
    Response response = get(path);
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
  void unknownPathsAre404() {
    assertEquals(404, get("/nope").status());
    assertEquals(404, get("/?pair=not-an-upgrade").status());
  }
}
