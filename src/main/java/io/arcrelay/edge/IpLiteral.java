package io.arcrelay.edge;

import io.netty.util.NetUtil;

/**
 * IP address literals to bytes, parsed by hand, and back to canonical text. Not {@code
 * InetAddress.getByName}: it resolves anything that is not a literal through DNS, and proxy headers
 * come from clients.
 *
 * <p>Parsing is strict where lenient parsers disagree with each other: IPv4 is four decimal parts
 * without leading zeros ({@code 010.0.0.1} is octal to some and decimal to others). An IPv4-mapped
 * IPv6 address ({@code ::ffff:10.0.0.1}, what dual-stack sockets report for IPv4 clients) is its
 * IPv4 address, so one client has one key whichever socket it reached. An IPv6 zone ({@code %eth0})
 * is ignored.
 */
final class IpLiteral {

  private static final int IPV4_BYTES = 4;
  private static final int IPV6_BYTES = 16;
  private static final int MAPPED_PREFIX_BYTES = 12;

  private IpLiteral() {}

  /** The address {@code text[from, to)} spells: 4 bytes (IPv4) or 16 (IPv6), or null if not a literal. */
  static byte[] parse(String text, int from, int to) {
    if (indexOf(text, ':', from, to) >= 0) return parseIpv6(text, from, to);
    byte[] address = new byte[IPV4_BYTES];
    return parseIpv4(text, from, to, address, 0) ? address : null;
  }

  /** The address {@code text} spells, or null if it is not a literal. */
  static byte[] parse(String text) {
    return parse(text, 0, text.length());
  }

  /** Canonical text: dotted decimal, or RFC 5952 IPv6 (lower case, longest zero run as {@code ::}). */
  static String format(byte[] address) {
    return NetUtil.bytesToIpAddress(address);
  }

  private static boolean parseIpv4(String text, int from, int to, byte[] out, int at) {
    int start = from;
    for (int part = 0; part < IPV4_BYTES; part++) {
      int end = part == IPV4_BYTES - 1 ? to : indexOf(text, '.', start, to);
      int length = end - start;
      if (end < 0 || length < 1 || length > 3) return false;
      if (length > 1 && text.charAt(start) == '0') return false;
      int value = 0;
      for (int i = start; i < end; i++) {
        int digit = text.charAt(i) - '0';
        if (digit < 0 || digit > 9) return false;
        value = value * 10 + digit;
      }
      if (value > 255) return false;
      out[at + part] = (byte) value;
      start = end + 1;
    }
    return true;
  }

  private static byte[] parseIpv6(String text, int from, int to) {
    int zone = indexOf(text, '%', from, to);
    if (zone >= 0 && zone == to - 1) return null;
    int end = zone < 0 ? to : zone;
    byte[] address = new byte[IPV6_BYTES];
    int gap = indexOf(text, "::", from, end);
    if (gap < 0) {
      if (groups(text, from, end, address, true) != IPV6_BYTES) return null;
    } else {
      if (indexOf(text, "::", gap + 1, end) >= 0) return null;
      int headBytes = gap == from ? 0 : groups(text, from, gap, address, false);
      byte[] tail = new byte[IPV6_BYTES];
      int tailBytes = gap + 2 == end ? 0 : groups(text, gap + 2, end, tail, true);
      // "::" stands for at least one group of zeros.
      if (headBytes < 0 || tailBytes < 0 || headBytes + tailBytes > IPV6_BYTES - 2) return null;
      System.arraycopy(tail, 0, address, IPV6_BYTES - tailBytes, tailBytes);
    }
    return isIpv4Mapped(address) ? unmap(address) : address;
  }

  /**
   * Parses colon-separated hex groups into {@code out} from its start; if {@code ipv4Last}, the
   * last group may be a dotted IPv4 address (two groups' worth). Returns the bytes written, or -1
   * if malformed.
   */
  private static int groups(String text, int from, int to, byte[] out, boolean ipv4Last) {
    int written = 0;
    int start = from;
    while (true) {
      int colon = indexOf(text, ':', start, to);
      int end = colon < 0 ? to : colon;
      if (ipv4Last && colon < 0 && indexOf(text, '.', start, to) >= 0) {
        if (written + IPV4_BYTES > out.length || !parseIpv4(text, start, to, out, written)) return -1;
        return written + IPV4_BYTES;
      }
      int length = end - start;
      if (length < 1 || length > 4 || written + 2 > out.length) return -1;
      int value = 0;
      for (int i = start; i < end; i++) {
        int digit = hexDigit(text.charAt(i));
        if (digit < 0) return -1;
        value = value << 4 | digit;
      }
      out[written++] = (byte) (value >> 8);
      out[written++] = (byte) value;
      if (colon < 0) return written;
      start = colon + 1;
    }
  }

  // Character.digit would also take non-ASCII digits, which no address literal contains.
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  private static boolean isIpv4Mapped(byte[] address) {
    for (int i = 0; i < MAPPED_PREFIX_BYTES - 2; i++) {
      if (address[i] != 0) return false;
    }
    return address[MAPPED_PREFIX_BYTES - 2] == (byte) 0xff && address[MAPPED_PREFIX_BYTES - 1] == (byte) 0xff;
  }

  private static byte[] unmap(byte[] mapped) {
    byte[] address = new byte[IPV4_BYTES];
    System.arraycopy(mapped, MAPPED_PREFIX_BYTES, address, 0, IPV4_BYTES);
    return address;
  }

  /**
   * Where {@code c} first is in {@code text[from, to)}, or -1. Unlike {@link String#indexOf} it
   * stops at {@code to}, so reading one entry of a long header costs that entry's length only.
   */
  static int indexOf(String text, char c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (text.charAt(i) == c) return i;
    }
    return -1;
  }

  private static int indexOf(String text, String s, int from, int to) {
    for (int i = from; i + s.length() <= to; i++) {
      if (text.startsWith(s, i)) return i;
    }
    return -1;
  }
}
