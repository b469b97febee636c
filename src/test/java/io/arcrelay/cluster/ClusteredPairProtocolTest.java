package io.arcrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.config.Setting;
import io.arcrelay.ops.RelayMetrics;
import io.arcrelay.pair.PairProtocolSuite;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole pair protocol suite with side A on node 1 and side B on node 2 of a real two-node
 * Hazelcast cluster in this JVM, plus what only a cluster can do: lose a node.
 */
class ClusteredPairProtocolTest extends PairProtocolSuite {

  private static Vertx node1;
  private static Vertx node2;
  private Relay relay1;
  private Relay relay2;

  static RelayConfig clusterConfig() {
    return TestRelays.config(Setting.CLUSTER, "true", Setting.CLUSTER_CONFIG, "classpath:test-cluster.xml");
  }

  @BeforeAll
  static void formCluster() {
    node1 = Relay.vertx(clusterConfig(), new RelayMetrics()).await();
    node2 = Relay.vertx(clusterConfig(), new RelayMetrics()).await();
  }

  @AfterAll
  static void leaveCluster() {
    node2.close().await();
    node1.close().await();
  }

  @Override
  protected void startRelay(RelayConfig config) {
    stopRelay();
    relay1 = Relay.start(node1, config).await();
    relay2 = Relay.start(node2, config).await();
  }

  @Override
  protected void stopRelay() {
    if (relay1 != null) {
      relay1.stop().await();
      relay2.stop().await();
      relay1 = null;
    }
  }

  @Override
  protected String uriA(String code) {
    return TestClient.uri(relay1.port(), code);
  }

  @Override
  protected String uriB(String code) {
    return TestClient.uri(relay2.port(), code);
  }

  @Test
  void pairsWhoseLinkBreaksAreClosedNotLeftHalfAlive() {
    TestClient[] idle = pair(newCode());
    TestClient[] stalled = pair(newCode());
    idle[0].assertReaches(idle[1], "paired across nodes");
    stalled[0].assertReaches(stalled[1], "paired across nodes");
    stalled[1].ws().pause(); // B stops reading, so A runs out of credit
    for (int i = 0; i < 32; i++) stalled[0].ws().writeBinaryMessage(Buffer.buffer(new byte[1024 * 1024]));
    relay2.registry().close().await(); // node 2 stops answering on the event bus, but stays a member
    idle[0].assertClosedWith(1011, "peer link lost");
    stalled[0].assertClosedWith(1011, "peer link lost");
  }

  @Test
  void aNodeThatDiesClosesItsPeersAndFreesTheirCodes() {
    Vertx node3 = Relay.vertx(clusterConfig(), new RelayMetrics()).await();
    Relay relay3 = Relay.start(node3, TestRelays.config()).await();
    String code = newCode();
    TestClient a = TestClient.join(client, uriA(code));
    TestClient b = TestClient.join(client, TestClient.uri(relay3.port(), code));
    a.assertReaches(b, "across nodes 1 and 3");
    TestClient[] local = pair(newCode()); // A on node 1, B on node 2: untouched by node 3's death
    String waitingCode = newCode();
    TestClient.join(client, TestClient.uri(relay3.port(), waitingCode)); // a side waiting on node 3

    ((HazelcastClusterManager) ((VertxInternal) node3).clusterManager())
        .getHazelcastInstance().getLifecycleService().terminate(); // no goodbye, as if killed

    a.assertClosedWith(1001, "peer node lost");
    TestClient[] again = pair(code);
    again[0].assertReaches(again[1], "the dead node's code is free again");
    TestClient[] taken = pair(waitingCode);
    taken[1].assertReaches(taken[0], "a code that waited on the dead node is taken over, no stale 409");
    local[0].assertReaches(local[1], "pairs not touching the dead node keep flowing");
    assertTrue(local[0].isOpen() && local[1].isOpen());
    node3.close();
  }
}
