package io.arcrelay.ops;

import io.arcrelay.cluster.Membership;
import io.arcrelay.pair.PairRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;

/**
 * Health endpoints.
 *
 * <ul>
 *   <li>{@code GET /health}: the answer clients of the TypeScript relay expect, {@code {"ok":true,"pairs":N}} (this node's
 *       pairs, waiting ones included); a clustered node adds {@code node} (its id) and {@code members}.
 *   <li>{@code GET /health/live}: 200 while every event loop responds, 503 otherwise.
 *   <li>{@code GET /health/ready}: 200 when the node should get new connections; 503 while
 *       draining or out of the cluster.
 * </ul>
 *
 * <p>With a management port ({@link io.arcrelay.config.ListenConfig#managementPort()}) these are
 * served there, and the client port keeps only {@link #addProbeRoutes status-only probes} for load
 * balancers and container health checks that reach no other port.
 */
public final class HealthEndpoint {

  private final PairRegistry registry;
  private final Membership cluster;
  private final NodeHealth health;

  /** {@code cluster}: null on a single node. */
  public HealthEndpoint(PairRegistry registry, Membership cluster, NodeHealth health) {
    this.registry = registry;
    this.cluster = cluster;
    this.health = health;
  }

  public void addRoutes(Router router) {
    router.get("/health").handler(rc -> rc.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(health().encode()));
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(health.live()));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(health.ready()));
  }

  /**
   * {@code /health/live} and {@code /health/ready} with the same status codes as {@link #addRoutes}
   * but only {@code {"status":"UP"}} or {@code "DOWN"} as the body: no check names, no cluster
   * membership, nothing about the node a client could use. {@code /health} itself (node id,
   * members, pair count) is not served.
   */
  public void addProbeRoutes(Router router) {
    router.get("/health/live").handler(rc -> statusOnly(rc, health.live()));
    router.get("/health/ready").handler(rc -> statusOnly(rc, health.ready()));
  }

  private static void statusOnly(RoutingContext rc, HealthChecks checks) {
    checks.checkStatus().onComplete(result -> {
      boolean up = result.succeeded() && CheckResult.isUp(result.result());
      String status = up ? "UP" : "DOWN";
      rc.response()
          .setStatusCode(up ? 200 : 503)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(new JsonObject().put("status", status).put("outcome", status).encode());
    });
  }

  private JsonObject health() {
    JsonObject health = new JsonObject().put("ok", true).put("pairs", registry.census().pairs());
    if (cluster != null) {
      health.put("node", cluster.nodeId()).put("members", new JsonArray(cluster.members()));
    }
    return health;
  }
}
