package io.arcrelay.tunnel;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The headers the relay owns on a request it forwards to a tunnel's app: who the visitor is and how
 * it came ({@code X-Forwarded-For}, {@code -Proto}, {@code -Host}, {@code Forwarded}, {@code
 * X-Real-IP}), the {@code Host}, and whether the connection switches protocols. A visitor's own
 * copies of these are replaced, in any spelling an app could read as them: header names with an
 * underscore are dropped, as nginx does by default ({@code X_Forwarded_For} reads as {@code
 * X-Forwarded-For} to WSGI, PHP and CGI apps). A trusted proxy's forwarding headers are kept and the
 * address it connected from is appended.
 */
final class ForwardedHeaders {

  private static final String X_FORWARDED = "x-forwarded-";
  private static final String FORWARDED = "Forwarded";
  private static final String X_REAL_IP = "X-Real-IP";

  private ForwardedHeaders() {}

  /**
   * Sets the relay's headers on {@code headers}, a request's own (they go nowhere else).
   *
   * @param get         the request is a GET (only a GET may upgrade)
   * @param peer        the TCP peer of the visitor connection
   * @param client      the visitor's address: {@code peer}, or what a trusted proxy said
   * @param fromTrusted {@code peer} is a trusted proxy (its forwarding headers are believed)
   * @param tls         the relay itself terminated TLS
   * @param authority   the host the request was routed by, forwarded as {@code Host}
   * @return true when the request is a WebSocket upgrade, the only one that switches protocols;
   *         other upgrade requests lose their {@code Upgrade} and go on as ordinary requests
   */
  static boolean set(MultiMap headers, boolean get, String peer, String client, boolean fromTrusted, boolean tls,
      String authority) {
    boolean webSocket = get && isWebSocketUpgrade(headers);
    dropUnowned(headers, fromTrusted, webSocket);
    String proto = tls ? "https" : "http";
    if (fromTrusted) {
      String chain = String.join(", ", headers.getAll("X-Forwarded-For"));
      headers.set("X-Forwarded-For", chain.isEmpty() ? peer : chain + ", " + peer);
      if (!headers.contains("X-Forwarded-Proto")) headers.set("X-Forwarded-Proto", proto);
      if (!headers.contains("X-Forwarded-Host")) headers.set("X-Forwarded-Host", authority);
      String forwarded = String.join(", ", headers.getAll(FORWARDED));
      String element = forwardedElement(peer, authority, proto);
      headers.set(FORWARDED, forwarded.isEmpty() ? element : forwarded + ", " + element);
    } else {
      headers.set("X-Forwarded-For", peer);
      headers.set("X-Forwarded-Proto", proto);
      headers.set("X-Forwarded-Host", authority);
      headers.set(FORWARDED, forwardedElement(peer, authority, proto));
    }
    headers.set(X_REAL_IP, client);
    if (!authority.equals(headers.get(HttpHeaders.HOST))) headers.set(HttpHeaders.HOST, authority);
    return webSocket;
  }

  /** {@code Upgrade: websocket} with {@code Connection: upgrade}. */
  private static boolean isWebSocketUpgrade(MultiMap headers) {
    return hasToken(headers.getAll(HttpHeaders.UPGRADE), "websocket") && hasToken(headers.getAll(HttpHeaders.CONNECTION), "upgrade");
  }

  /**
   * Removes what only the relay may say: names with an underscore, and, from a visitor that is not a
   * trusted proxy, its forwarding headers; the headers its {@code Connection} names (hop-by-hop,
   * RFC 9110 §7.6.1); and {@code Upgrade} with what comes with it unless it is a WebSocket's.
   */
  private static void dropUnowned(MultiMap headers, boolean fromTrusted, boolean webSocket) {
    List<String> drop = null;
    for (Map.Entry<String, String> header : headers) {
      String name = header.getKey();
      boolean forwarding = !fromTrusted && (name.regionMatches(true, 0, X_FORWARDED, 0, X_FORWARDED.length())
          || name.equalsIgnoreCase(FORWARDED));
      if (name.indexOf('_') >= 0 || forwarding) {
        if (drop == null) drop = new ArrayList<>();
        drop.add(name);
      }
    }
    for (String connection : headers.getAll(HttpHeaders.CONNECTION)) {
      for (String token : connection.split(",")) {
        String named = token.strip();
        if (!named.isEmpty() && !named.equalsIgnoreCase("upgrade") && !named.equalsIgnoreCase("close")
            && !named.equalsIgnoreCase("keep-alive")) {
          if (drop == null) drop = new ArrayList<>();
          drop.add(named);
        }
      }
    }
    if (drop != null) drop.forEach(headers::remove);
    if (!webSocket) {
      headers.remove(HttpHeaders.UPGRADE);
      headers.remove("HTTP2-Settings");
    }
  }

  /** One RFC 7239 element; an IPv6 address is quoted in brackets. */
  private static String forwardedElement(String peer, String authority, String proto) {
    String node = peer.indexOf(':') >= 0 ? "\"[" + peer + "]\"" : peer;
    return "for=" + node + ";host=\"" + authority.replace("\"", "") + "\";proto=" + proto;
  }

  private static boolean hasToken(List<String> values, String token) {
    for (String value : values) {
      for (String item : value.split(",")) {
        if (item.strip().toLowerCase(Locale.ROOT).equals(token)) return true;
      }
    }
    return false;
  }
}
