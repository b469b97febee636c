package io.arcrelay;

import io.arcrelay.cluster.ClusterNode;
import io.arcrelay.config.ConfigLoader;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.config.Setting;
import java.util.EnumMap;
import java.util.Map;

/** Relay configurations for tests: a random port, two event loops so pairs cross threads. */
public final class TestRelays {

  static {
    // Every test JVM (and the relay processes it starts) forms its own cluster: runs never merge.
    System.setProperty(ClusterNode.CLUSTER_NAME_PROPERTY, "arc-relay-test-" + ProcessHandle.current().pid());
  }

  private TestRelays() {}

  /** The cluster name this test JVM's nodes use. */
  public static String clusterName() {
    return System.getProperty(ClusterNode.CLUSTER_NAME_PROPERTY);
  }

  /** The defaults with a random port, two event loops and no per-address limits, plus {@code settings} given as flags would be. */
  public static RelayConfig config(Object... settings) {
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.put(Setting.HOST, "127.0.0.1");
    flags.put(Setting.PORT, "0");
    flags.put(Setting.EVENT_LOOPS, "2");
    // Every test client comes from 127.0.0.1: per-address limits are off unless a test turns them on.
    flags.put(Setting.MAX_CONNECTIONS_PER_IP, "0");
    flags.put(Setting.UPGRADES_PER_IP, "0");
    flags.put(Setting.REFUSALS_PER_IP, "0");
    for (int i = 0; i < settings.length; i += 2) {
      flags.put((Setting) settings[i], (String) settings[i + 1]);
    }
    return ConfigLoader.load(flags, Map.of(), null);
  }
}
