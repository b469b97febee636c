package io.arcrelay.ops;

import io.arcrelay.cluster.ClusteredPairRegistry;
import io.arcrelay.pair.PairRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;

/**
 * Health endpoints.
 *
 * <ul>
 *   <li>{@code GET /health}: the seed relay's answer, {@code {"ok":true,"pairs":N}} (this node's
 *       pairs, waiting ones included); a clustered node adds {@code node} (its id) and {@code members}.
 *   <li>{@code GET /health/live}: 200 while every event loop responds, 503 otherwise.
 *   <li>{@code GET /health/ready}: 200 when the node should get new connections; 503 while
 *       draining or out of the cluster.
 * </ul>
 */
public final class HealthEndpoint {

  private final PairRegistry registry;
  private final NodeHealth health;

  public HealthEndpoint(PairRegistry registry, NodeHealth health) {
    this.registry = registry;
    this.health = health;
  }

  public void addRoutes(Router router) {
    router.get("/health").handler(rc -> rc.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(health().encode()));
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(health.live()));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(health.ready()));
  }

  private JsonObject health() {
    JsonObject health = new JsonObject().put("ok", true).put("pairs", registry.census().pairs());
    if (registry instanceof ClusteredPairRegistry clustered) {
      health.put("node", clustered.nodeId()).put("members", new JsonArray(clustered.members()));
    }
    return health;
  }
}
