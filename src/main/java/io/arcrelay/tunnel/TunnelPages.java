package io.arcrelay.tunnel;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** The short HTML pages a visitor sees when the tunnel cannot answer; every name in them is escaped. */
public final class TunnelPages {

  private TunnelPages() {}

  /** 404: nothing serves {@code name} now. */
  public static String offline(String name) {
    return page("Tunnel " + code(name) + " is not online", "No agent serves this tunnel right now.");
  }

  /** 401: the tunnel asks for a user and password (the browser shows its own prompt first). */
  public static String unauthorized(String name) {
    return page("Tunnel " + code(name) + " needs a user and password", "Its agent set basic authentication.");
  }

  /** 403: the visitor's address is not on the tunnel's allowlist. */
  public static String forbidden(String name) {
    return page("Tunnel " + code(name) + " is not open to your address", "Its agent allows visitors from some addresses only.");
  }

  /** 429: the visitor's address was refused too often lately (password guessing). */
  public static String tooManyRefusals(String name) {
    return page("Tunnel " + code(name) + ": too many refused attempts from your address", "Try again in a minute.");
  }

  /** 502: the agent could not reach its local service ({@code reason} says why). */
  public static String badGateway(String name, String reason) {
    return page("Tunnel " + code(name) + " cannot reach its service", escape(reason));
  }

  /** 504: the agent did not open its data connection in time. */
  public static String timeout(String name) {
    return page("Tunnel " + code(name) + " did not answer in time", "Its agent did not connect back to the relay.");
  }

  /** 504: the tunnel's app did not begin its response within {@code tunnelResponseTimeout}. */
  public static String responseTimeout(String name) {
    return page("Tunnel " + code(name) + " did not answer in time", "Its app did not begin a response.");
  }

  /** 503: the tunnel serves {@code tunnelLinksPerTunnel} visitor connections on this node already. */
  public static String busy(String name) {
    return page("Tunnel " + code(name) + " is busy", "It serves as many visitors as it may right now. Try again.");
  }

  /** 503: the relay could not set up a link to the tunnel (its cluster maps did not answer). */
  public static String unavailable(String name) {
    return page("Tunnel " + code(name) + " is unavailable", "The relay could not reach it just now. Try again.");
  }

  /** Whether {@code request} announces a body: a {@code Content-Length} above 0, or a {@code Transfer-Encoding}. */
  static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return length != null ? !length.trim().equals("0") : request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
  }

  /**
   * Answers {@code request}, which the relay did not pass on, with a page. A request with a body the
   * relay did not read takes its connection with it: skipping the body is not worth it.
   */
  static void answer(HttpServerRequest request, int status, String html) {
    boolean body = hasBody(request);
    HttpServerResponse response = request.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8");
    if (body) response.putHeader(HttpHeaders.CONNECTION, "close");
    response.end(html).onComplete(written -> {
      if (body) request.connection().close();
    });
  }

  private static String code(String name) {
    return "<code>" + escape(name) + "</code>";
  }

  private static String page(String title, String text) {
    return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>arc-relay</title></head>\n<body><h1>"
        + title + "</h1>\n<p>" + text + "</p></body></html>\n";
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
