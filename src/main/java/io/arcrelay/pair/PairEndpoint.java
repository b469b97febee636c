package io.arcrelay.pair;

import io.arcrelay.config.LimitsConfig;
import io.arcrelay.config.PairingConfig;
import io.arcrelay.edge.Admission;
import io.arcrelay.edge.ConnectionGuard;
import io.arcrelay.edge.Refusal;
import io.arcrelay.edge.Visitor;
import io.arcrelay.splice.Keepalive;
import io.arcrelay.splice.MemoryBudget;
import io.arcrelay.splice.PairMetrics;
import io.arcrelay.splice.RelaySocket;
import io.arcrelay.splice.RelaySockets;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The pair upgrade: {@code ?pair=<code>} on any path not taken by another endpoint. Admission
 * (caps, rates, origin, token, memory), bad codes and full pairs are refused with a plain-text HTTP
 * error before the upgrade; accepted sockets become {@link RelaySocket}s.
 */
public final class PairEndpoint {

  private final PairRegistry registry;
  private final int minCodeLength;
  private final Admission admission;
  private final RelaySockets sockets;

  public PairEndpoint(PairRegistry registry, Keepalive keepalive, PairingConfig pairing, LimitsConfig limits,
      MemoryBudget memory, Admission admission, PairMetrics metrics) {
    this.registry = registry;
    this.minCodeLength = pairing.minCodeLength();
    this.admission = admission;
    this.sockets = new RelaySockets(keepalive, limits, limits.maxMessageSize(), memory, metrics);
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
    Visitor visitor = ConnectionGuard.visitor(request);
    Refusal refusal = admission.screen(visitor, request);
    if (refusal != null) {
      admission.refuse(visitor, request, refusal, null);
      return;
    }
    PairCode code;
    try {
      code = PairCode.fromQuery(request.query(), minCodeLength);
    } catch (PairCode.InvalidPairCode e) {
      admission.refuse(visitor, request, Refusal.BAD_CODE, e.getMessage());
      return;
    }
    refusal = admission.authorize(request, code.value());
    if (refusal != null) {
      admission.refuse(visitor, request, refusal, null);
      return;
    }
    RelaySockets.Upgrade upgrade = sockets.pause(rc);
    registry.claim(code).onComplete(claimed -> {
      if (claimed.failed()) {
        boolean full = claimed.cause() instanceof PairRegistry.PairFullException;
        admission.refuse(visitor, request, full ? Refusal.PAIR_FULL : Refusal.UNAVAILABLE, null);
        return;
      }
      upgrade.to(claimed.result());
    });
  }

  private static boolean isWebSocketUpgrade(HttpServerRequest request) {
    String upgrade = request.getHeader(HttpHeaders.UPGRADE);
    return upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }
}
