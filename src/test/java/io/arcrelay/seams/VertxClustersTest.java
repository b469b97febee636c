package io.arcrelay.seams;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.Vertx;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.Test;

/** Fails when a clustered Vert.x stops showing the Hazelcast cluster manager it was built with. */
class VertxClustersTest {

  @Test
  void aClusteredVertxShowsItsHazelcastManager() {
    Config config = new Config().setClusterName("vertx-clusters-test-" + ProcessHandle.current().pid());
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
    HazelcastClusterManager manager = new HazelcastClusterManager(config);
    Vertx vertx = Vertx.builder().withClusterManager(manager).buildClustered().await();
    try {
      HazelcastClusterManager found = VertxClusters.hazelcast(vertx);
      assertSame(manager, found);
      assertTrue(found.getHazelcastInstance().getLifecycleService().isRunning());
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void aPlainVertxIsRefusedWithItsReason() {
    Vertx vertx = Vertx.vertx();
    try {
      IllegalStateException refused = assertThrows(IllegalStateException.class, () -> VertxClusters.hazelcast(vertx));
      assertTrue(refused.getMessage().contains("not clustered"), refused.getMessage());
    } finally {
      vertx.close().await();
    }
  }
}
