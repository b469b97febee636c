package io.arcrelay.tunnel;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/**
 * Which tunnel a request is for, read the way the origin behind it will read it (RFC 9112 §3.2.2):
 * an absolute-form target ({@code GET http://a.example/ HTTP/1.1}) names its host whatever
 * {@code Host} says, so it is routed, checked and forwarded by that authority, in origin form
 * ({@code GET /}) with {@code Host} set to match. Anything an origin could read as another host is
 * refused: two {@code Host} headers, an authority with user information.
 *
 * @param name      the tunnel, {@code <name>.<tunnelDomain>}
 * @param authority the host (and port) the request is for: the {@code Host} forwarded
 * @param target    the request target to forward, in origin form (or {@code *})
 * @param refusal   why the request is answered 400 instead, or {@code null}
 */
record TunnelRequest(String name, String authority, String target, String refusal) {

  /** The tunnel {@code request} is for, or {@code null} when it is for no tunnel (the relay's own routes take it). */
  static TunnelRequest of(HttpServerRequest request, String domain) {
    String uri = request.uri();
    List<String> hosts = request.headers().getAll(HttpHeaders.HOST);
    int authorityStart = authorityStart(uri);
    int authorityEnd = authorityStart < 0 ? -1 : authorityEnd(uri, authorityStart);
    String absoluteAuthority = authorityStart < 0 ? null : uri.substring(authorityStart, authorityEnd);
    String authority = absoluteAuthority != null ? absoluteAuthority : hosts.isEmpty() ? null : hosts.get(0);
    String name = TunnelHost.parse(authority, domain);
    if (name == null) {
      // A second Host naming a tunnel is still a request for it, and a malformed one.
      for (String host : hosts) {
        if (TunnelHost.parse(host, domain) != null) return refused(TunnelHost.parse(host, domain), "two Host headers");
      }
      return null;
    }
    if (hosts.size() > 1) return refused(name, "two Host headers");
    if (authority.indexOf('@') >= 0) return refused(name, "user information in the request's authority");
    if (!validPort(authority)) return refused(name, "bad port in the request's authority");
    if (request.method() == HttpMethod.CONNECT) return refused(name, "CONNECT is not served through a tunnel");
    if (request.headers().contains("Sec-WebSocket-Key1")) return refused(name, "obsolete WebSocket handshake (hixie-76)");
    String target = absoluteAuthority == null ? uri : "/" + uri.substring(authorityEnd).replaceFirst("^/", "");
    if (!target.startsWith("/") && !(target.equals("*") && request.method() == HttpMethod.OPTIONS)) {
      return refused(name, "request target is not a path");
    }
    return new TunnelRequest(name, authority, target, null);
  }

  private static TunnelRequest refused(String name, String why) {
    return new TunnelRequest(name, null, null, why);
  }

  /** No port, or 1 to 5 digits after the colon. */
  private static boolean validPort(String authority) {
    int colon = authority.lastIndexOf(':');
    if (colon < 0) return true;
    int digits = authority.length() - colon - 1;
    if (digits < 1 || digits > 5) return false;
    for (int i = colon + 1; i < authority.length(); i++) {
      if (!Character.isDigit(authority.charAt(i))) return false;
    }
    return true;
  }

  /** Where the authority of an {@code http://} or {@code https://} absolute-form target begins, or -1. */
  private static int authorityStart(String uri) {
    if (uri.regionMatches(true, 0, "http://", 0, 7)) return 7;
    return uri.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
  }

  private static int authorityEnd(String uri, int start) {
    int end = start;
    while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) end++;
    return end;
  }
}
