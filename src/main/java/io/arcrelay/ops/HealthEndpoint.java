package io.arcrelay.ops;

import io.arcrelay.pair.PairRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** {@code GET /health}: the seed relay's answer, {@code {"ok":true,"pairs":N}}, waiting pairs included. */
public final class HealthEndpoint {

  private final PairRegistry registry;

  public HealthEndpoint(PairRegistry registry) {
    this.registry = registry;
  }

  public void addRoutes(Router router) {
    router.get("/health").handler(rc -> rc.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("ok", true).put("pairs", registry.pairCount()).encode()));
  }
}
