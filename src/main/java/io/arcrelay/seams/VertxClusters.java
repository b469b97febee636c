package io.arcrelay.seams;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Hazelcast cluster manager under a clustered Vert.x ({@code VertxInternal.clusterManager()},
 * Vert.x 5.0.10: Vert.x has no public way to it).
 *
 * <p>Why: the pair map is claimed with Hazelcast entry processors, one operation on the key's owner
 * per decision, where Vert.x's {@code AsyncMap} needs two or three blocking calls on worker threads
 * (docs/benchmarks.md, session 10), and node loss and merges are Hazelcast's events. There is no
 * degraded mode to fall back to: when the manager cannot be reached, the clustered registry does
 * not start, and the reason is logged at WARN. {@code VertxClustersTest} fails when the seam stops
 * reaching it.
 */
public final class VertxClusters {

  private static final Logger log = LoggerFactory.getLogger(VertxClusters.class);

  private VertxClusters() {}

  /**
   * The Hazelcast cluster manager {@code vertx} was built with.
   *
   * @throws IllegalStateException when {@code vertx} is not clustered with Hazelcast, or Vert.x hides its manager
   */
  public static HazelcastClusterManager hazelcast(Vertx vertx) {
    if (vertx instanceof VertxInternal internal && internal.clusterManager() instanceof HazelcastClusterManager manager) {
      return manager;
    }
    String why = !vertx.isClustered() ? "this Vert.x is not clustered"
        : vertx instanceof VertxInternal internal ? "its cluster manager is a " + internal.clusterManager().getClass().getName()
        : "a " + vertx.getClass().getName() + " hides its cluster manager";
    log.warn("no Hazelcast cluster manager reachable ({}): clustered pairs cannot start", why);
    throw new IllegalStateException("no Hazelcast cluster manager: " + why);
  }
}
