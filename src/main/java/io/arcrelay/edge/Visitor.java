package io.arcrelay.edge;

import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.ScheduledFuture;

/**
 * One accepted TCP connection as admission sees it: where it comes from, under which address it is
 * counted against {@code maxConnectionsPerIp}, and whether it arrived over a cap. Confined to the
 * connection's event loop.
 */
public final class Visitor {

  private final String peerAddress;
  Refusal overCapacity;
  private String countedAs;
  // The request timeout (ConnectionGuard): when a request head must be complete by (System.nanoTime),
  // while one is due, and the guard's next check of it, if one is scheduled.
  long deadline;
  boolean deadlineDue;
  ScheduledFuture<?> check;

  Visitor(String peerAddress) {
    this.peerAddress = peerAddress;
  }

  /** The client's address: the TCP peer, or what a trusted proxy in front of it says. */
  String client(HttpServerRequest request, TrustedProxies proxies) {
    if (!proxies.trusts(peerAddress)) return peerAddress;
    return proxies.clientIp(peerAddress, String.join(",", request.headers().getAll("X-Forwarded-For")));
  }

  /** Counts this connection against {@code address}'s cap; false (and over capacity) when it is full. */
  boolean count(String address, ConnectionCounts counts) {
    if (counts.tryOpen(address)) {
      countedAs = address;
      return true;
    }
    overCapacity = Refusal.TOO_MANY_CONNECTIONS;
    return false;
  }

  boolean counted() {
    return countedAs != null;
  }

  void release(ConnectionCounts counts) {
    if (countedAs != null) counts.close(countedAs);
    countedAs = null;
  }

  /** True when this connection arrived past a cap and may only reach the health and metrics endpoints. */
  public boolean overCapacity() {
    return overCapacity != null;
  }
}
