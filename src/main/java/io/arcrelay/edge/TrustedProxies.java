package io.arcrelay.edge;

import java.util.List;

/**
 * The proxies (load balancers, ingress controllers) whose {@code X-Forwarded-For} the relay
 * believes, and the client address that follows from it. Immutable, so safe to share.
 *
 * <p>Each proxy appends the address it received the connection from to {@code X-Forwarded-For},
 * so only entries appended by trusted proxies can be believed: everything further left was written
 * by whoever reached the first trusted proxy, and can be made up. Addresses are IP literals only;
 * nothing here ever resolves a name.
 */
public final class TrustedProxies {

  /** Entries examined from the right of one {@code X-Forwarded-For}; more proxies than this is not a real chain. */
  private static final int MAX_FORWARDED_ENTRIES = 32;
  /** No address literal with its port is this long ({@code [IPv6 with dotted tail]:65535} is 53); longer is garbage. */
  private static final int MAX_ENTRY_LENGTH = 64;
  private static final int MAX_PORT_DIGITS = 5;

  private final List<Range> ranges;

  private TrustedProxies(List<Range> ranges) {
    this.ranges = ranges;
  }

  /**
   * Reads addresses and CIDR ranges such as {@code 127.0.0.1}, {@code 10.0.0.0/8}, {@code ::1},
   * {@code fd00::/8}. Trust IPv4 clients of dual-stack sockets with IPv4 ranges: IPv4-mapped IPv6
   * addresses are matched as their IPv4 address. An empty list trusts nobody.
   *
   * @throws IllegalArgumentException naming the first entry that is not an IP literal or a range
   *     (including a range with bits set past its prefix, such as {@code 10.0.0.1/8})
   */
  public static TrustedProxies parse(List<String> entries) {
    return new TrustedProxies(entries.stream().map(Range::parse).toList());
  }

  /** True when {@code ip} (an IP literal) is a trusted proxy; false for anything that is not a literal. */
  public boolean trusts(String ip) {
    byte[] address = IpLiteral.parse(ip);
    return address != null && trusts(address);
  }

  /**
   * The address of the client behind {@code peerIp}, in canonical text, fit as a per-client key.
   *
   * <p>When the peer is not a trusted proxy, its own address. Otherwise {@code X-Forwarded-For} is
   * walked from the right past trusted proxies, and the first untrusted address is the client; if
   * all are trusted, the leftmost. An entry that is not an address (garbage, empty, {@code unknown})
   * ends the walk at the last address believed. Entries may carry spaces and ports ({@code
   * 1.2.3.4:5678}, {@code [::1]:80}). Only the rightmost 32 entries are read.
   *
   * @param peerIp the address the connection came from; returned unchanged if it is not an IP literal
   * @param xForwardedFor the header, several headers joined with {@code ","}, or null
   */
  public String clientIp(String peerIp, String xForwardedFor) {
    byte[] peer = IpLiteral.parse(peerIp);
    if (peer == null) return peerIp;
    byte[] client = peer;
    if (trusts(peer) && xForwardedFor != null) {
      int end = xForwardedFor.length();
      for (int examined = 0; examined < MAX_FORWARDED_ENTRIES && end >= 0; examined++) {
        int comma = xForwardedFor.lastIndexOf(',', end - 1);
        byte[] hop = forwardedAddress(xForwardedFor, comma + 1, end);
        if (hop == null) break;
        client = hop;
        if (!trusts(hop)) break;
        end = comma;
      }
    }
    return IpLiteral.format(client);
  }

  private boolean trusts(byte[] address) {
    for (Range range : ranges) {
      if (range.contains(address)) return true;
    }
    return false;
  }

  /** The address in one {@code X-Forwarded-For} entry {@code header[from, to)}, or null if it has none. */
  private static byte[] forwardedAddress(String header, int from, int to) {
    while (from < to && isSpace(header.charAt(from))) from++;
    while (to > from && isSpace(header.charAt(to - 1))) to--;
    if (to == from || to - from > MAX_ENTRY_LENGTH) return null;
    int hostEnd;
    int portColon;
    if (header.charAt(from) == '[') {
      hostEnd = IpLiteral.indexOf(header, ']', from, to);
      if (hostEnd < 0) return null;
      portColon = hostEnd + 1;
      from++;
    } else {
      // One colon separates a port; more make an IPv6 address, which carries a port only in brackets.
      int colon = IpLiteral.indexOf(header, ':', from, to);
      boolean hostAndPort = colon >= 0 && IpLiteral.indexOf(header, ':', colon + 1, to) < 0;
      hostEnd = hostAndPort ? colon : to;
      portColon = hostEnd;
    }
    if (portColon < to && !isPort(header, portColon, to)) return null;
    return IpLiteral.parse(header, from, hostEnd);
  }

  private static boolean isPort(String text, int colon, int to) {
    int digits = to - colon - 1;
    if (text.charAt(colon) != ':' || digits < 1 || digits > MAX_PORT_DIGITS) return false;
    for (int i = colon + 1; i < to; i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') return false;
    }
    return true;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }

  /** An address with the number of leading bits that must match it. */
  private static final class Range {

    private final byte[] network;
    private final int prefixBits;

    private Range(byte[] network, int prefixBits) {
      this.network = network;
      this.prefixBits = prefixBits;
    }

    static Range parse(String entry) {
      String text = entry.strip();
      int slash = text.indexOf('/');
      byte[] network = IpLiteral.parse(text, 0, slash < 0 ? text.length() : slash);
      if (network == null) throw invalid(entry);
      int addressBits = network.length * Byte.SIZE;
      int prefixBits = slash < 0 ? addressBits : prefixBits(text.substring(slash + 1), addressBits);
      if (prefixBits < 0) throw invalid(entry);
      Range range = new Range(network, prefixBits);
      if (range.hasBitsPastPrefix()) {
        throw new IllegalArgumentException("trusted proxy range has bits set past its prefix: '" + entry + "'");
      }
      return range;
    }

    boolean contains(byte[] address) {
      if (address.length != network.length) return false;
      for (int i = 0; i < address.length; i++) {
        if (((address[i] ^ network[i]) & prefixMask(i)) != 0) return false;
      }
      return true;
    }

    private boolean hasBitsPastPrefix() {
      for (int i = 0; i < network.length; i++) {
        if ((network[i] & 0xff & ~prefixMask(i)) != 0) return true;
      }
      return false;
    }

    /** The bits of byte {@code index} that lie inside the prefix. */
    private int prefixMask(int index) {
      int bitsInByte = Math.max(0, Math.min(Byte.SIZE, prefixBits - index * Byte.SIZE));
      return (0xff << (Byte.SIZE - bitsInByte)) & 0xff;
    }

    /** The prefix length {@code text} spells, or -1 unless it is 0 to {@code addressBits} in plain digits. */
    private static int prefixBits(String text, int addressBits) {
      if (text.isEmpty() || text.length() > 3 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) return -1;
      int bits = Integer.parseInt(text);
      return bits <= addressBits ? bits : -1;
    }

    private static IllegalArgumentException invalid(String entry) {
      return new IllegalArgumentException("not an IP address or CIDR range: '" + entry + "'");
    }
  }
}
