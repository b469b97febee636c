package io.arcrelay.tunnel;

import io.arcrelay.edge.Admission;
import io.arcrelay.edge.ConnectionGuard;
import io.arcrelay.edge.Refusal;
import io.arcrelay.edge.Visitor;
import io.arcrelay.pair.PairCode;
import io.arcrelay.splice.Keepalive;
import io.arcrelay.splice.RelaySocket;
import io.arcrelay.splice.RelaySockets;
import io.arcrelay.tunnel.protocol.ControlMessages;
import io.arcrelay.tunnel.protocol.LinkMessages;
import io.vertx.core.Context;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Where agents connect: {@code /_tunnel/control}, the control WebSocket that registers a tunnel,
 * and {@code /_tunnel/data?id=<link>}, one data WebSocket per visitor connection. Both need
 * {@code Authorization: Bearer <token>} with one of {@code tunnelTokens} and are refused with 401
 * before the upgrade without it. A data connection also names its session
 * ({@code X-Arc-Session}); one whose link is not waiting for exactly that session and token gets
 * 404. An accepted data connection is an ordinary {@link RelaySocket} on the link's side B.
 */
public final class AgentEndpoint {

  private final Tunnels tunnels;
  private final Keepalive keepalive;
  private final Admission admission;
  private final RelaySockets sockets;

  public AgentEndpoint(Tunnels tunnels, Keepalive keepalive, Admission admission) {
    this.tunnels = tunnels;
    this.keepalive = keepalive;
    this.admission = admission;
    // An agent sends a head and the start of a body per message at most: nothing bigger is held for it.
    this.sockets = new RelaySockets(keepalive, tunnels.limits(), LinkMessages.MAX_MESSAGE, tunnels.memory(), tunnels.metrics());
  }

  /** Adds both routes; add them before the pair endpoint's catch-all. */
  public void addRoutes(Router router) {
    router.get(ControlMessages.CONTROL_PATH).handler(this::control);
    router.get(ControlMessages.DATA_PATH).handler(this::data);
  }

  private void control(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    String owner = admit(rc);
    if (owner == null) return;
    Visitor visitor = ConnectionGuard.visitor(request);
    // Each hello claims a name, and a refused one counts as a guess: a token holder guessing names
    // meets the refusal allowance as a pair code guesser does (a control socket takes one hello).
    if (admission.refusedTooOften(visitor, request)) {
      admission.refuse(visitor, request, Refusal.TOO_MANY_REFUSALS, null);
      return;
    }
    Context context = rc.vertx().getOrCreateContext();
    String urlPrefix = (publicTls(request) ? "https" : "http") + "://";
    String urlSuffix = "." + tunnels.settings().domain() + port(request.authority()) + "/";
    request.toWebSocket().onSuccess(ws -> new ControlSocket(ws, context, keepalive, tunnels.names(), tunnels.metrics(),
        owner, urlPrefix, urlSuffix, () -> admission.nameRefused(visitor, request)).start());
  }

  private void data(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    String owner = admit(rc);
    if (owner == null) return;
    String id = request.getParam("id");
    String session = request.getHeader(ControlMessages.SESSION_HEADER);
    PairCode code;
    try {
      code = id == null || session == null ? null : Tunnels.linkCode(id, session, owner);
    } catch (PairCode.InvalidPairCode e) {
      code = null;
    }
    if (code == null) {
      refuseUnknownLink(request);
      return;
    }
    RelaySockets.Upgrade upgrade = sockets.pause(rc);
    tunnels.links().join(code).onComplete(joined -> {
      if (joined.failed()) {
        refuseUnknownLink(request);
        return;
      }
      upgrade.to(joined.result());
    });
  }

  /**
   * Checks an agent's token, then screens its upgrade: with a valid token as a known client (no
   * per-address rates, see {@link Admission#screenAuthenticated}), without one as every upgrade is
   * screened, so token guessing meets the refusal rate. Returns the token's owner digest, or
   * {@code null} after refusing the request.
   */
  private String admit(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    Visitor visitor = ConnectionGuard.visitor(request);
    String owner = tunnels.tokens().owner(request.getHeader(HttpHeaders.AUTHORIZATION));
    Refusal refusal = owner != null ? admission.screenAuthenticated(visitor, request) : admission.screen(visitor, request);
    if (refusal == null && owner == null) refusal = Refusal.TUNNEL_TOKEN;
    if (refusal != null) {
      if (refusal == Refusal.TUNNEL_TOKEN) tunnels.metrics().refused(TunnelMetrics.Refusal.TOKEN);
      admission.refuse(visitor, request, refusal, null);
      return null;
    }
    return owner;
  }

  /**
   * Whether visitors reach the relay over TLS: it terminates TLS itself, or the agent came through a
   * trusted proxy (an Ingress, say) that did and says so in {@code X-Forwarded-Proto}.
   */
  private boolean publicTls(HttpServerRequest request) {
    if (tunnels.tls()) return true;
    String peer = request.remoteAddress().hostAddress();
    return tunnels.proxies().trusts(peer) && "https".equalsIgnoreCase(request.getHeader("X-Forwarded-Proto"));
  }

  private void refuseUnknownLink(HttpServerRequest request) {
    tunnels.metrics().refused(TunnelMetrics.Refusal.UNKNOWN);
    admission.refuse(ConnectionGuard.visitor(request), request, Refusal.UNKNOWN_LINK, null);
  }

  /** {@code :port} as the agent reached the relay, so the public URL uses the same port; empty for none. */
  private static String port(HostAndPort authority) {
    return authority == null || authority.port() < 0 ? "" : ":" + authority.port();
  }
}
