package io.arcrelay.cluster;

import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.config.Setting;
import io.arcrelay.ops.RelayMetrics;
import io.arcrelay.pair.PairProtocolSuite;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The pair protocol suite on a real two-node Hazelcast cluster in this JVM. Side A always connects
 * to node 1; subclasses choose where side B connects.
 */
abstract class TwoNodeSuite extends PairProtocolSuite {

  protected static Vertx node1;
  protected static Vertx node2;
  protected Relay relay1;
  protected Relay relay2;

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
  protected long relayMemory() {
    return relay1.memory().used() + relay2.memory().used();
  }

  @Override
  protected String uriA(String code) {
    return TestClient.uri(relay1.port(), code);
  }
}
