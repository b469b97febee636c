package io.arcrelay.tunnel;

import java.util.Locale;
import java.util.regex.Pattern;

/** Which tunnel a request's {@code Host} names, if any: {@code <name>.<tunnelDomain>}, one DNS label. */
public final class TunnelHost {

  /** A tunnel name: one DNS label, lower case. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private TunnelHost() {}

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
    return NAME.matcher(name).matches() ? name : null;
  }
}
