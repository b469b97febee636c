package io.arcrelay.tunnel;

import io.arcrelay.edge.Admission;
import io.arcrelay.edge.ConnectionGuard;
import io.arcrelay.edge.MalformedRequest;
import io.arcrelay.edge.PlainAnswer;
import io.arcrelay.edge.Refusal;
import io.arcrelay.edge.Visitor;
import io.arcrelay.seams.VertxChannels;
import io.arcrelay.splice.Keepalive;
import io.netty.channel.Channel;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashSet;
import java.util.Set;

/**
 * Sends every request whose {@code Host} is {@code <name>.<tunnelDomain>} to that tunnel, keep-alive
 * requests included (each is routed by its own {@code Host}); all other requests are left to the
 * pair relay and the ops routes. A tunnel nobody serves gets a 404 page naming it; one whose link
 * cannot be set up (the cluster's maps do not answer) a 503 page. A tunnel whose agent restricts
 * visitors checks each request first ({@link VisitorGate}).
 */
public final class TunnelRouter {

  /** Sessions a visitor's connection is offered to before it is told the tunnel is offline. */
  private static final int SESSIONS_TRIED = 3;

  private final Tunnels tunnels;
  private final Keepalive keepalive;
  private final VisitorGate gate;
  private final Admission admission;

  /** {@code keepalive}: the one of the event loop whose requests this router sees. */
  public TunnelRouter(Tunnels tunnels, Keepalive keepalive, Admission admission) {
    this.tunnels = tunnels;
    this.keepalive = keepalive;
    this.gate = new VisitorGate(tunnels, admission);
    this.admission = admission;
  }

  /** Takes {@code request} if it is for a tunnel (true), else leaves it alone (false). On its context. */
  public boolean handle(HttpServerRequest request, Context context) {
    TunnelRequest target = TunnelRequest.of(request, tunnels.settings().domain());
    if (target == null) return false;
    String name = target.name();
    if (target.refusal() != null || !ConnectionGuard.framingChecked(request)) {
      // Unchecked framing: the connection asked for a WebSocket upgrade before, and did not get one.
      refuse(request, target.refusal() != null ? target.refusal() : "request after a refused upgrade");
      return true;
    }
    Visitor visitor = ConnectionGuard.visitor(request);
    Refusal capped = admission.screenTunnelVisitor(visitor, request);
    if (capped != null) {
      tunnels.metrics().answered(capped.status());
      admission.refuse(visitor, request, capped, null);
      return true;
    }
    request.exceptionHandler(err -> answerMalformedBody(request, err));
    request.pause(); // until the tunnel's policy admits it and a data link is open for it
    gate.admits(request, name).onComplete(admitted -> {
      if (admitted.failed()) {
        page(request, 503, TunnelPages.unavailable(name));
        return;
      }
      if (!admitted.result()) return; // refused by the tunnel's visitor policy, and answered
      Channel channel = VertxChannels.of(request.connection());
      VisitorLink link = VisitorLink.serving(channel, name);
      if (link != null) {
        link.exchange(request, target);
      } else {
        open(target, request, context, channel, new HashSet<>());
      }
    });
    return true;
  }

  /**
   * Opens a data link to one of {@code name}'s live sessions in turn; one found gone (its agent left,
   * or its node cannot be reached) is passed over for the next, at most {@link #SESSIONS_TRIED} in all.
   */
  private void open(TunnelRequest target, HttpServerRequest request, Context context, Channel channel, Set<String> tried) {
    String name = target.name();
    int triedBefore = tried.size();
    tunnels.names().pick(name, tried).compose(session -> {
      if (session == null) return Future.<VisitorLink>succeededFuture();
      tried.add(session.id());
      return VisitorLink.open(name, session, context, channel, keepalive, tunnels);
    }).onComplete(opened -> {
      if (opened.failed() && opened.cause() instanceof VisitorLink.TunnelBusy) {
        tunnels.metrics().refused(TunnelMetrics.Refusal.BUSY);
        page(request, 503, TunnelPages.busy(name));
      } else if (opened.failed()) {
        page(request, 503, TunnelPages.unavailable(name));
      } else if (opened.result() != null) {
        opened.result().exchange(request, target);
      } else if (tried.size() > triedBefore && tried.size() < SESSIONS_TRIED) {
        open(target, request, context, channel, tried); // the session picked was gone
      } else {
        page(request, 404, TunnelPages.offline(name));
      }
    });
  }

  /**
   * A body found malformed after its head was taken (a bad chunk): the visitor is told why if no
   * response began; the connection closes, and with it the link, so the app never sees the request end.
   */
  private void answerMalformedBody(HttpServerRequest request, Throwable err) {
    if (!(err instanceof MalformedRequest malformed)) return;
    tunnels.metrics().refused(TunnelMetrics.Refusal.MALFORMED);
    ConnectionGuard.answerMalformedBody(request, malformed);
  }

  /** A request no origin should read: 400 with the reason, and the connection closes. */
  private void refuse(HttpServerRequest request, String why) {
    tunnels.metrics().answered(400);
    tunnels.metrics().refused(TunnelMetrics.Refusal.MALFORMED);
    PlainAnswer.andClose(request, 400, why);
  }

  private void page(HttpServerRequest request, int status, String html) {
    tunnels.metrics().answered(status);
    TunnelPages.answer(request, status, html);
  }
}
