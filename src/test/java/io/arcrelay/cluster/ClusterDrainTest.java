package io.arcrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arcrelay.Await;
import io.arcrelay.Http;
import io.arcrelay.TestClient;
import io.arcrelay.cli.RelayCluster;
import io.arcrelay.cli.RelayProcess;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A clustered node stopped as an orchestrator stops it (SIGTERM), with pairs on it and across nodes. */
class ClusterDrainTest {

  private final Vertx vertx = Vertx.vertx();
  private final WebSocketClient client = TestClient.newClient(vertx);
  private RelayProcess staying;
  private RelayProcess leaving;

  @AfterEach
  void stop() throws Exception {
    for (RelayProcess node : new RelayProcess[] {staying, leaving}) if (node != null) node.kill();
    vertx.close().await();
  }

  @Test
  void aDrainingNodeClosesItsSidesAndTheirRemotePeersWith1001ThenLeavesTheCluster() throws Exception {
    List<RelayProcess> nodes = RelayCluster.start(2, "--drain-delay", "1s");
    staying = nodes.get(0);
    int stayingPort = staying.port();
    leaving = nodes.get(1);
    int leavingPort = leaving.port();
    Http health = new Http(vertx, stayingPort);
    Await.until("the members gauge says so too", () -> health.scrape().get("arc_relay_cluster_members") == 2.0);

    TestClient crossA = TestClient.join(client, TestClient.uri(stayingPort, "drain-cross"));
    TestClient crossB = TestClient.join(client, TestClient.uri(leavingPort, "drain-cross"));
    TestClient onLeavingA = TestClient.join(client, TestClient.uri(leavingPort, "drain-local"));
    TestClient onLeavingB = TestClient.join(client, TestClient.uri(leavingPort, "drain-local"));
    TestClient onStayingA = TestClient.join(client, TestClient.uri(stayingPort, "drain-untouched"));
    TestClient onStayingB = TestClient.join(client, TestClient.uri(stayingPort, "drain-untouched"));
    crossA.assertReaches(crossB, "across nodes");
    onLeavingA.assertReaches(onLeavingB, "on the leaving node");

    leaving.terminate();

    for (TestClient side : List.of(crossA, crossB, onLeavingA, onLeavingB)) {
      side.assertClosedWith(1001, "relay stopping");
    }
    assertEquals(0, leaving.awaitExit(), leaving.stderr());
    onStayingA.assertReaches(onStayingB, "pairs on the other node are untouched");
    Await.until("the node left the cluster", () ->
        health.get("/health").body().toJsonObject().getJsonArray("members").size() == 1);
    assertEquals(1.0, health.scrape().get("arc_relay_cluster_members"));
    TestClient again = TestClient.join(client, TestClient.uri(stayingPort, "drain-cross"));
    TestClient againB = TestClient.join(client, TestClient.uri(stayingPort, "drain-cross"));
    again.assertReaches(againB, "the code is free again");
  }
}
