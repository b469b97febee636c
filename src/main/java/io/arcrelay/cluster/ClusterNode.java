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
import java.util.Properties;

/** Starts a Vert.x instance that joins the relay cluster described by {@link RelayConfig#clusterConfig()}. */
public final class ClusterNode {

  private ClusterNode() {}

  /**
   * Joins the cluster with {@code builder}, which already carries {@code options} (metrics and such).
   * The event bus between nodes runs over mutually authenticated TLS when the config names the
   * node's certificate ({@link EventBusTls}).
   *
   * @throws ConfigException when the Hazelcast config or a cluster TLS file cannot be used
   */
  public static Future<Vertx> start(RelayConfig config, VertxOptions options, VertxBuilder builder) {
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcastConfig(config));
    options.setEventBusOptions(EventBusTls.apply(config, new EventBusOptions()
        .setHost(config.clusterHost())
        .setPort(config.clusterPort())
        .setClusterPublicHost(config.clusterHost())));
    return builder.with(options).withClusterManager(manager).buildClustered();
  }

  /** Overrides the cluster name of the XML config, so that separate test runs never merge. */
  public static final String CLUSTER_NAME_PROPERTY = "arc-relay.cluster-name";

  /** The XML's {@code ${...}} placeholders see system properties and the relay's own settings. */
  static Config hazelcastConfig(RelayConfig relay) {
    String location = relay.clusterConfig();
    Properties properties = new Properties();
    properties.putAll(System.getProperties());
    // A setting rather than a -D flag: JAVA_TOOL_OPTIONS and JDK_JAVA_OPTIONS make the JVM print a
    // line of its own into what would otherwise be a pure JSON log stream.
    properties.setProperty("arc-relay.cluster-dns", relay.clusterDns());
    try {
      Config config = location.startsWith("classpath:")
          ? new ClasspathXmlConfig(Thread.currentThread().getContextClassLoader(),
              location.substring("classpath:".length()), properties)
          : new FileSystemXmlConfig(location, properties);
      String name = System.getProperty(CLUSTER_NAME_PROPERTY);
      return name == null ? config : config.setClusterName(name);
    } catch (FileNotFoundException | IllegalArgumentException e) {
      throw new ConfigException("cluster-config: cannot read " + location + " (" + e.getMessage() + ")");
    }
  }
}
