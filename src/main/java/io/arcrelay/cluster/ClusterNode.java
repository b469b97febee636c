package io.arcrelay.cluster;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import io.arcrelay.config.ClusterConfig;
import io.arcrelay.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.FileNotFoundException;
import java.util.List;
import java.util.Properties;

/** Starts a Vert.x instance that joins the relay cluster described by {@link ClusterConfig#hazelcastConfig()}. */
public final class ClusterNode {

  private ClusterNode() {}

  /**
   * Joins the cluster with {@code builder}, which already carries {@code options} (metrics and such).
   * The event bus between nodes runs over mutually authenticated TLS when the config names the
   * node's certificate ({@link EventBusTls}).
   *
   * @throws ConfigException when the Hazelcast config or a cluster TLS file cannot be used
   */
  public static Future<Vertx> start(ClusterConfig config, VertxOptions options, VertxBuilder builder) {
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcastConfig(config));
    options.setEventBusOptions(EventBusTls.apply(config, new EventBusOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setClusterPublicHost(config.host())));
    return builder.with(options).withClusterManager(manager).buildClustered();
  }

  private static final String LOGGING_TYPE = "hazelcast.logging.type";

  /** Overrides the cluster name of the XML config, so that separate test runs never merge. */
  public static final String CLUSTER_NAME_PROPERTY = "arc-relay.cluster-name";

  /** The XML's {@code ${...}} placeholders see system properties and the relay's own settings. */
  static Config hazelcastConfig(ClusterConfig cluster) {
    // Hazelcast reads hazelcast.logging.type from the XML only after its config loader has logged
    // through java.util.logging ("Configuring Hazelcast from ...", two plain-text lines in front of
    // a JSON log): the property is set before it loads anything.
    if (System.getProperty(LOGGING_TYPE) == null) System.setProperty(LOGGING_TYPE, "slf4j");
    String location = cluster.hazelcastConfig();
    Properties properties = new Properties();
    properties.putAll(System.getProperties());
    // A setting rather than a -D flag: JAVA_TOOL_OPTIONS and JDK_JAVA_OPTIONS make the JVM print a
    // line of its own into what would otherwise be a pure JSON log stream.
    properties.setProperty("arc-relay.cluster-dns", cluster.dns());
    try {
      Config config = location.startsWith("classpath:")
          ? new ClasspathXmlConfig(Thread.currentThread().getContextClassLoader(),
              location.substring("classpath:".length()), properties)
          : new FileSystemXmlConfig(location, properties);
      String name = System.getProperty(CLUSTER_NAME_PROPERTY);
      if (name != null) config.setClusterName(name);
      return healSplits(config, cluster.quorum());
    } catch (FileNotFoundException | IllegalArgumentException e) {
      throw new ConfigException("cluster-config: cannot read " + location + " (" + e.getMessage() + ")");
    }
  }

  /** The Hazelcast split-brain protection the pair map uses when {@code clusterQuorum} is set. */
  static final String QUORUM = "arc-relay-quorum";

  /**
   * Split clusters merge again within seconds of healing (Hazelcast waits 300 s by default, while
   * each half goes on as if it were the whole cluster), unless the XML says otherwise; with a
   * quorum, the pair map refuses every operation on a half smaller than it, so a code cannot be
   * claimed on both halves.
   */
  private static Config healSplits(Config config, int quorum) {
    for (String delay : List.of("hazelcast.merge.first.run.delay.seconds", "hazelcast.merge.next.run.delay.seconds")) {
      if (config.getProperty(delay) == null) config.setProperty(delay, Long.toString(MERGE_DELAY_SECONDS));
    }
    if (quorum > 1) {
      config.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(QUORUM, true, quorum));
      config.getMapConfig(ClusteredPairRegistry.PAIR_MAP).setSplitBrainProtectionName(QUORUM);
    }
    return config;
  }

  /** How often a cluster looks for the other half of a split to merge with. */
  static final long MERGE_DELAY_SECONDS = 5;
}
