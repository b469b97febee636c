package io.arcrelay.ops;

import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

/** {@code GET /metrics}: the node's metrics in Prometheus text format (relay, Vert.x, JVM, process). */
public final class MetricsEndpoint {

  private final RelayMetrics metrics;

  public MetricsEndpoint(RelayMetrics metrics) {
    this.metrics = metrics;
  }

  public void addRoutes(Router router) {
    router.get("/metrics").handler(PrometheusScrapingHandler.create(metrics.registry()));
  }
}
