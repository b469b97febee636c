package io.arcrelay.tunnel;

import io.arcrelay.edge.Admission;
import io.arcrelay.pair.Keepalive;
import io.netty.channel.Channel;
import io.vertx.core.Context;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Sends every request whose {@code Host} is {@code <name>.<tunnelDomain>} to that tunnel, keep-alive
 * requests included (each is routed by its own {@code Host}); all other requests are left to the
 * pair relay and the ops routes. A tunnel nobody serves gets a 404 page naming it; one whose agent
 * restricts visitors checks each request first ({@link VisitorGate}).
 */
public final class TunnelRouter {

  private final Tunnels tunnels;
  private final Keepalive keepalive;
  private final VisitorGate gate;

  /** {@code keepalive}: the one of the event loop whose requests this router sees. */
  public TunnelRouter(Tunnels tunnels, Keepalive keepalive, Admission admission) {
    this.tunnels = tunnels;
    this.keepalive = keepalive;
    this.gate = new VisitorGate(tunnels, admission);
  }

  /** Takes {@code request} if it is for a tunnel (true), else leaves it alone (false). On its context. */
  public boolean handle(HttpServerRequest request, Context context) {
    String name = TunnelHost.parse(request.getHeader(HttpHeaders.HOST), tunnels.config().tunnelDomain());
    if (name == null) return false;
    if (!gate.admits(request, name)) return true; // refused by the tunnel's visitor policy, and answered
    Channel channel = ((ConnectionBase) request.connection()).channel();
    VisitorSide side = VisitorSide.serving(channel, name);
    if (side == null) {
      TunnelNames.Session session = tunnels.names().pick(name);
      side = session == null ? null : VisitorSide.open(name, session, context, channel, keepalive, tunnels);
    }
    if (side == null) {
      tunnels.metrics().answered(404);
      request.response().setStatusCode(404)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
          .end(TunnelPages.offline(name));
      return true;
    }
    side.exchange(request);
    return true;
  }
}
