package io.arcrelay.pair;

import io.arcrelay.splice.PairMetrics;
import io.vertx.core.Future;
import java.time.Duration;

/** Makes the node's registries, all of one kind: on this node alone or across the cluster, as the wiring chose. */
@FunctionalInterface
public interface Registries {

  /**
   * A registry of its own ({@code name} tells it apart from the others across the cluster), where a
   * side waits at most {@code ttl} for its peer.
   */
  Future<PairRegistry> create(String name, Duration ttl, PairMetrics metrics);
}
