package io.arcrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arcrelay.TestRelays;
import io.arcrelay.config.Setting;
import org.junit.jupiter.api.Test;

class ClusterNodeTest {

  @Test
  void theKubernetesConfigLooksUpTheDnsNameTheSettingGives() {
    String dns = "arc-relay-hazelcast.relays.svc.cluster.local";
    var config = ClusterNode.hazelcastConfig(TestRelays.config(
        Setting.CLUSTER_CONFIG, "conf/cluster-kubernetes.xml", Setting.CLUSTER_DNS, dns).cluster());
    assertEquals(dns, config.getNetworkConfig().getJoin().getKubernetesConfig().getProperty("service-dns"));
  }
}
