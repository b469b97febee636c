package io.arcrelay.ops;

import io.arcrelay.cluster.ClusteredPairRegistry;
import io.arcrelay.pair.PairRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code GET /health}: the seed relay's answer, {@code {"ok":true,"pairs":N}} (this node's pairs,
 * waiting ones included); a clustered node adds {@code node} (its id) and {@code members}.
 */
public final class HealthEndpoint {

  private final PairRegistry registry;

  public HealthEndpoint(PairRegistry registry) {
    this.registry = registry;
  }

  public void addRoutes(Router router) {
    router.get("/health").handler(rc -> rc.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(health().encode()));
  }

  private JsonObject health() {
    JsonObject health = new JsonObject().put("ok", true).put("pairs", registry.pairCount());
    if (registry instanceof ClusteredPairRegistry clustered) {
      health.put("node", clustered.nodeId()).put("members", new JsonArray(clustered.members()));
    }
    return health;
  }
}
