package io.arcrelay.pair;

import io.arcrelay.config.RelayConfig;
import io.vertx.core.Context;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The pair upgrade: {@code ?pair=<code>} on any path not taken by another endpoint. Bad codes and
 * full pairs are refused with a plain-text HTTP error before the upgrade; accepted sockets become
 * {@link RelaySocket}s.
 */
public final class PairEndpoint {

  private final PairRegistry registry;
  private final Keepalive keepalive;
  private final RelayConfig config;
  private final PairMetrics metrics;

  public PairEndpoint(PairRegistry registry, Keepalive keepalive, RelayConfig config, PairMetrics metrics) {
    this.registry = registry;
    this.keepalive = keepalive;
    this.config = config;
    this.metrics = metrics;
  }

  /** Adds the catch-all upgrade route; add it after every other endpoint's routes. */
  public void addRoutes(Router router) {
    router.route().handler(this::upgrade);
  }

  private void upgrade(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    if (!isWebSocketUpgrade(request)) {
      rc.next(); // not ours: the router answers 404
      return;
    }
    PairCode code;
    try {
      code = PairCode.fromQuery(request.query());
    } catch (PairCode.InvalidPairCode e) {
      refuse(request, 400, e.getMessage());
      return;
    }
    Context context = rc.vertx().getOrCreateContext();
    request.pause(); // a clustered claim is asynchronous: keep the request upgradable until it answers
    registry.claim(code).onComplete(claimed -> {
      if (claimed.failed()) {
        boolean full = claimed.cause() instanceof PairRegistry.PairFullException;
        refuse(request, full ? 409 : 503, full ? "pair is full" : "relay unavailable");
        return;
      }
      Seat seat = claimed.result();
      request.toWebSocket().onComplete(upgraded -> {
        if (upgraded.succeeded()) {
          new RelaySocket(upgraded.result(), context, seat, keepalive, config.holdLimit(),
              config.maxMessageSize(), metrics).start();
        } else {
          seat.leave(PairEnd.CLOSED);
        }
      });
    });
  }

  private static boolean isWebSocketUpgrade(HttpServerRequest request) {
    String upgrade = request.getHeader(HttpHeaders.UPGRADE);
    return upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }

  private void refuse(HttpServerRequest request, int status, String reason) {
    metrics.rejected(status);
    request.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(reason + "\n");
  }
}
