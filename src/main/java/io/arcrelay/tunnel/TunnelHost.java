package io.arcrelay.tunnel;

import java.util.Locale;

/** Which tunnel a request's {@code Host} names, if any: {@code <name>.<tunnelDomain>}, one DNS label. */
public final class TunnelHost {

  private TunnelHost() {}

  /**
   * True for a tunnel name: one DNS label in lower case, {@code [a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?}.
   * Checked by hand, not with that pattern: it runs on every tunnel request.
   */
  public static boolean isName(String name) {
    int length = name.length();
    if (length == 0 || length > 63 || name.charAt(0) == '-' || name.charAt(length - 1) == '-') return false;
    for (int i = 0; i < length; i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) return false;
    }
    return true;
  }

  /**
   * The tunnel name in {@code host} (a {@code Host} header, port allowed), or {@code null} when the
   * host is not {@code <name>.<domain>}: such requests stay with the pair relay and the ops routes.
   */
  public static String parse(String host, String domain) {
    if (host == null) return null;
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) return null; // an IPv6 literal is never a tunnel host
    int colon = h.lastIndexOf(':');
    if (colon >= 0) h = h.substring(0, colon);
    if (h.endsWith(".")) h = h.substring(0, h.length() - 1); // the absolute form names the same host
    String suffix = "." + domain;
    if (!h.endsWith(suffix)) return null;
    String name = h.substring(0, h.length() - suffix.length());
    return isName(name) ? name : null;
  }
}
