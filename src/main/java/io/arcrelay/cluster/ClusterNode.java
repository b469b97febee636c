package io.arcrelay.cluster;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import io.arcrelay.config.ConfigException;
import io.arcrelay.config.RelayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.FileNotFoundException;

/** Starts a Vert.x instance that joins the relay cluster described by {@link RelayConfig#clusterConfig()}. */
public final class ClusterNode {

  private ClusterNode() {}

  /** Joins the cluster with {@code builder}, which already carries {@code options} (metrics and such). */
  public static Future<Vertx> start(RelayConfig config, VertxOptions options, VertxBuilder builder) {
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcastConfig(config.clusterConfig()));
    options.setEventBusOptions(new EventBusOptions()
        .setHost(config.clusterHost())
        .setPort(config.clusterPort())
        .setClusterPublicHost(config.clusterHost()));
    return builder.with(options).withClusterManager(manager).buildClustered();
  }

  /** Overrides the cluster name of the XML config, so that separate test runs never merge. */
  public static final String CLUSTER_NAME_PROPERTY = "arc-relay.cluster-name";

  private static Config hazelcastConfig(String location) {
    try {
      Config config = location.startsWith("classpath:")
          ? new ClasspathXmlConfig(location.substring("classpath:".length()))
          : new FileSystemXmlConfig(location);
      String name = System.getProperty(CLUSTER_NAME_PROPERTY);
      return name == null ? config : config.setClusterName(name);
    } catch (FileNotFoundException | IllegalArgumentException e) {
      throw new ConfigException("cluster-config: cannot read " + location + " (" + e.getMessage() + ")");
    }
  }
}
