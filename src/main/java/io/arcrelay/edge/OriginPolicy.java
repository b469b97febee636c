package io.arcrelay.edge;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which browser origins may open a WebSocket on the relay.
 *
 * <p>Entries are origins such as {@code https://app.example.com} or {@code http://localhost:3000},
 * or {@code https://*.example.com}, where the wildcard stands for exactly one label
 * ({@code sub.example.com}, not {@code example.com} nor {@code a.b.example.com}). Schemes are
 * {@code http} and {@code https}; hosts compare case-insensitively and an absent port means the
 * scheme's default. An empty list allows every origin.
 */
public final class OriginPolicy {

  // Lower-cased before matching. Groups: scheme, wildcard, host, port.
  private static final Pattern ORIGIN = Pattern.compile(
      "(https?)://(\\*\\.)?([^:/?#\\[\\]]+|\\[[0-9a-f:.]+])(?::(\\d{1,5}))?");
  private static final Pattern DNS_NAME = Pattern.compile(
      "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

  private final List<Allowed> allowed;

  private OriginPolicy(List<Allowed> allowed) {
    this.allowed = allowed;
  }

  /**
   * @param origins the allowed origins; empty allows all
   * @throws IllegalArgumentException naming the first entry that is not an origin
   */
  public static OriginPolicy parse(List<String> origins) {
    List<Allowed> allowed = new ArrayList<>();
    for (String origin : origins) {
      Allowed entry = origin == null ? null : Allowed.parse(origin, true);
      if (entry == null) {
        throw new IllegalArgumentException("'" + origin + "' is not an origin: expected "
            + "http(s)://host[:port] or http(s)://*.domain[:port], without a path");
      }
      allowed.add(entry);
    }
    return new OriginPolicy(List.copyOf(allowed));
  }

  /**
   * Whether a request with this {@code Origin} header may upgrade.
   *
   * @param originHeader the header, or null when absent: non-browser clients send none and are
   *                     allowed, since the header only protects browsers' users. The opaque origin
   *                     {@code null} (sandboxed frames, {@code file:} pages) is refused once a list is set.
   */
  public boolean allows(String originHeader) {
    if (allowed.isEmpty() || originHeader == null) return true;
    Allowed origin = Allowed.parse(originHeader, false);
    return origin != null && allowed.stream().anyMatch(entry -> entry.admits(origin));
  }

  /** An origin, or with {@code wildcard} the set of origins one label below {@code host}. */
  private record Allowed(String scheme, boolean wildcard, String host, int port) {

    /** Null when {@code text} is not an origin (or holds a wildcard where none is allowed). */
    static Allowed parse(String text, boolean wildcardAllowed) {
      Matcher m = ORIGIN.matcher(text.toLowerCase(Locale.ROOT));
      if (!m.matches()) return null;
      String scheme = m.group(1);
      boolean wildcard = m.group(2) != null;
      String host = m.group(3);
      boolean ipv6 = host.startsWith("[");
      if (wildcard && (!wildcardAllowed || ipv6)) return null;
      if (!ipv6 && !DNS_NAME.matcher(host).matches()) return null;
      int port = m.group(4) == null ? defaultPort(scheme) : Integer.parseInt(m.group(4));
      if (port < 1 || port > 65535) return null;
      return new Allowed(scheme, wildcard, host, port);
    }

    private static int defaultPort(String scheme) {
      return scheme.equals("https") ? 443 : 80;
    }

    boolean admits(Allowed origin) {
      if (!scheme.equals(origin.scheme) || port != origin.port) return false;
      if (!wildcard) return host.equals(origin.host);
      String suffix = "." + host;
      if (!origin.host.endsWith(suffix)) return false;
      String label = origin.host.substring(0, origin.host.length() - suffix.length());
      return !label.isEmpty() && label.indexOf('.') < 0;
    }
  }
}
