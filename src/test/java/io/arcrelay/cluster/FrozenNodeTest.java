package io.arcrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Await;
import io.arcrelay.Http;
import io.arcrelay.TestClient;
import io.arcrelay.cli.RelayCluster;
import io.arcrelay.cli.RelayLogsOnFailure;
import io.arcrelay.cli.RelayProcess;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node that freezes (SIGSTOP: its sockets stay open, it answers nothing) is found out by the
 * others within Hazelcast's 15 s ({@code max.no.heartbeat.seconds} in the shipped and test configs),
 * its cross-node pairs are closed instead of left half-alive, and its codes are free again.
 */
class FrozenNodeTest {

  private final List<RelayProcess> nodes = new ArrayList<>();
  @RegisterExtension
  final RelayLogsOnFailure logs = new RelayLogsOnFailure(() -> nodes);
  private final Vertx vertx = Vertx.vertx();
  private final WebSocketClient client = TestClient.newClient(vertx);

  @AfterEach
  void stop() {
    nodes.forEach(RelayProcess::kill);
    vertx.close().await();
  }

  @Test
  void aFrozenNodeIsDeclaredDeadWithinFifteenSecondsAndItsPairsClosed() throws Exception {
    nodes.addAll(RelayCluster.start(2));
    Http health1 = new Http(vertx, nodes.get(0).port());
    TestClient a = TestClient.join(client, TestClient.uri(nodes.get(0).port(), "frozen"));
    TestClient b = TestClient.join(client, TestClient.uri(nodes.get(1).port(), "frozen"));
    a.assertReaches(b, "paired across nodes");

    nodes.get(1).freeze();
    long frozen = System.nanoTime();
    TestClient.Closed closed = a.awaitClose();
    assertTrue(Set.of("1001 peer node lost", "1011 peer link lost").contains(closed.code() + " " + closed.reason()),
        "closed with " + closed);
    Await.until("node 1 stands alone", () -> health1.get("/health").body().toJsonObject().getJsonArray("members").size() == 1);
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - frozen);
    System.out.printf("FrozenNodeTest: pair closed with %s, node declared dead %d s after it froze%n", closed, seconds);
    assertTrue(seconds <= 15 + 5, "declared dead after " + seconds + " s: the config says 15 (heartbeats every 2 s)");

    TestClient again = TestClient.join(client, TestClient.uri(nodes.get(0).port(), "frozen"));
    again.assertReaches(TestClient.join(client, TestClient.uri(nodes.get(0).port(), "frozen")),
        "the frozen node's code is free again");
  }
}
