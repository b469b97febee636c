package io.arcrelay.tunnel;

import io.arcrelay.edge.Admission;
import io.arcrelay.edge.ConnectionGuard;
import io.arcrelay.edge.Visitor;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * The door in front of a tunnel: every request, keep-alive ones included, is checked against the
 * tunnel's {@link VisitorPolicy} before anything reaches the agent. A refused visitor gets 403 (not
 * on the allowlist) or 401 with {@code WWW-Authenticate: Basic realm="<name>"}; each refusal counts
 * against its address's {@code refusalsPerIp}, and an address past it gets 429 without a check, so
 * a tunnel's password cannot be guessed faster than a pair code. The credentials the relay checked
 * are removed from the request: they were for the relay, not the app.
 */
final class VisitorGate {

  private final Tunnels tunnels;
  private final Admission admission;

  VisitorGate(Tunnels tunnels, Admission admission) {
    this.tunnels = tunnels;
    this.admission = admission;
  }

  /**
   * True when {@code request} may go on to the tunnel {@code name}; otherwise it has been answered.
   * Fails when the tunnel's entry cannot be read.
   */
  Future<Boolean> admits(HttpServerRequest request, String name) {
    return tunnels.names().policy(name).map(policy -> admits(request, name, policy));
  }

  private boolean admits(HttpServerRequest request, String name, VisitorPolicy policy) {
    if (policy == VisitorPolicy.OPEN) return true;
    Visitor visitor = ConnectionGuard.visitor(request);
    if (admission.refusedTooOften(visitor, request)) {
      answer(request, 429, TunnelPages.tooManyRefusals(name));
      return false;
    }
    String visitorIp = tunnels.proxies().clientIp(request.remoteAddress().hostAddress(),
        String.join(",", request.headers().getAll("X-Forwarded-For")));
    switch (policy.decide(request.getHeader(HttpHeaders.AUTHORIZATION), visitorIp)) {
      case ALLOW -> {
        if (policy.basicAuth()) request.headers().remove(HttpHeaders.AUTHORIZATION);
        return true;
      }
      case FORBIDDEN -> {
        tunnels.metrics().refused(TunnelMetrics.Refusal.IP);
        admission.tunnelVisitorRefused(visitor, request);
        answer(request, 403, TunnelPages.forbidden(name));
      }
      case UNAUTHORIZED -> {
        tunnels.metrics().refused(TunnelMetrics.Refusal.AUTH);
        admission.tunnelVisitorRefused(visitor, request);
        request.response().putHeader("WWW-Authenticate", "Basic realm=\"" + name + "\"");
        answer(request, 401, TunnelPages.unauthorized(name));
      }
    }
    return false;
  }

  private void answer(HttpServerRequest request, int status, String html) {
    tunnels.metrics().answered(status);
    TunnelPages.answer(request, status, html);
  }
}
