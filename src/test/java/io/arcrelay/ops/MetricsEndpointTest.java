package io.arcrelay.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Await;
import io.arcrelay.Http;
import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.config.Setting;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /metrics} as Prometheus scrapes it, from a node started the way {@code arc-relay start} does. */
class MetricsEndpointTest {

  private Vertx vertx;
  private Relay relay;
  private Http http;
  private WebSocketClient ws;

  @BeforeEach
  void start() {
    RelayMetrics metrics = new RelayMetrics();
    // Tunnels on, so that their meters exist too (the dashboard queries them); pairs work as without.
    RelayConfig config = TestRelays.config(Setting.TUNNEL_TOKENS, "metrics-test-token");
    vertx = Relay.vertx(config, metrics).await();
    relay = Relay.start(vertx, config, metrics).await();
    http = new Http(vertx, relay.port());
    ws = TestClient.newClient(vertx);
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private Map<String, Double> scrape() {
    return http.scrape();
  }

  @Test
  void relayVertxJvmAndProcessMetricsAreExposed() {
    Map<String, Double> samples = scrape();
    for (String family : new String[] {"arc_relay_pairs{", "vertx_http_server_", "jvm_memory_used_bytes", "process_cpu_usage"}) {
      assertTrue(samples.keySet().stream().anyMatch(name -> name.startsWith(family)), family + " missing");
    }
  }

  @Test
  void theGrafanaDashboardQueriesOnlyMetricsTheNodeExposes() throws Exception {
    TestClient a = TestClient.join(ws, TestClient.uri(relay.port(), "g1"));
    TestClient b = TestClient.join(ws, TestClient.uri(relay.port(), "g1"));
    a.assertReaches(b, "traffic, so that every meter exists");
    Set<String> exposed = new HashSet<>();
    for (String sample : scrape().keySet()) exposed.add(sample.replaceFirst("\\{.*", ""));

    JsonObject dashboard = new JsonObject(Files.readString(Path.of("docs/grafana/arc-relay-dashboard.json")));
    Pattern metric = Pattern.compile("\\b((?:arc_relay|process|jvm|vertx)_[a-z_]+)");
    int queried = 0;
    for (Object panel : dashboard.getJsonArray("panels")) {
      for (Object target : ((JsonObject) panel).getJsonArray("targets")) {
        Matcher m = metric.matcher(((JsonObject) target).getString("expr"));
        while (m.find()) {
          queried++;
          assertTrue(exposed.contains(m.group(1)), m.group(1) + " is queried by the dashboard but not exposed");
        }
      }
    }
    assertTrue(queried >= 10, "the dashboard queries the relay's metrics");
    // Direct memory is the limit that cuts sockets; a shrinking cluster is worth a panel of its own.
    String all = dashboard.encode();
    for (String needed : List.of("arc_relay_direct_memory_bytes", "arc_relay_cluster_members")) {
      assertTrue(all.contains(needed), "the dashboard shows " + needed);
    }
    assertEquals(1.0, scrape().get("arc_relay_cluster_members"), "a node that is not clustered is its own cluster");
  }

  @Test
  void whatHappensToPairsAndFramesIsCounted() {
    TestClient a = TestClient.join(ws, TestClient.uri(relay.port(), "m1"));
    a.send(Buffer.buffer(new byte[100])); // held until B joins
    TestClient b = TestClient.join(ws, TestClient.uri(relay.port(), "m1"));
    TestClient.join(ws, TestClient.uri(relay.port(), "m2")); // waiting
    Map<String, Double> paired = scrape();
    assertEquals(1.0, paired.get("arc_relay_pairs{state=\"active\"}"));
    assertEquals(1.0, paired.get("arc_relay_pairs{state=\"waiting\"}"));
    assertEquals(2.0, paired.get("arc_relay_connections{side=\"A\"}"));
    assertEquals(1.0, paired.get("arc_relay_connections{side=\"B\"}"));

    assertEquals(100, b.next().length());
    a.ws().writeTextMessage("dropped").await();
    b.assertReaches(a, "12345");
    TestClient.refused(ws, TestClient.uri(relay.port(), "m1"));
    TestClient.refused(ws, "ws://127.0.0.1:" + relay.port() + "/?pair=");
    a.close();
    b.assertClosedWith(1000, "peer disconnected");

    Await.until("the pair's end is counted and the gauges (read at most 100 ms late) show it", () -> {
      Map<String, Double> now = scrape();
      return now.get("arc_relay_pairs_ended_total{reason=\"closed\"}") == 1.0
          && now.get("arc_relay_pairs{state=\"active\"}") == 0.0;
    });
    Map<String, Double> s = scrape();
    assertEquals(105.0, s.get("arc_relay_forwarded_bytes_total{route=\"same_node\"}"));
    assertEquals(2.0, s.get("arc_relay_forwarded_frames_total{route=\"same_node\"}"));
    assertEquals(0.0, s.get("arc_relay_forwarded_bytes_total{route=\"cross_node\"}"));
    assertEquals(100.0, s.get("arc_relay_held_bytes_total"));
    assertEquals(1.0, s.get("arc_relay_text_dropped_total"));
    assertEquals(1.0, s.get("arc_relay_upgrades_rejected_total{reason=\"pair_full\",status=\"409\"}"));
    assertEquals(1.0, s.get("arc_relay_upgrades_rejected_total{reason=\"bad_code\",status=\"400\"}"));
    for (String use : new String[] {"receiving", "held", "queued", "in_flight"}) {
      assertEquals(0.0, s.get("arc_relay_memory_bytes{use=\"" + use + "\"}"), "nothing left " + use);
    }
    assertEquals(0.0, s.get("arc_relay_frame_payload_bytes"), "no frame payload left in direct memory");
    assertEquals(1.0, s.get("arc_relay_pairs_formed_total"));
    assertEquals(1.0, s.get("arc_relay_pair_wait_seconds_count"));
    assertEquals(1.0, s.get("arc_relay_pair_lifetime_seconds_count"));
    assertEquals(1.0, s.get("arc_relay_pairs{state=\"waiting\"}"));
    assertTrue(http.get("/metrics").body().toString().lines().noneMatch(l -> l.contains("m1") || l.contains("m2")),
        "no code appears in metrics");
  }
}
