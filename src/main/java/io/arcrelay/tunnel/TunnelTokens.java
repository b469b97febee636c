package io.arcrelay.tunnel;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The tokens agents may open tunnels with. A token is never kept or compared as itself: its SHA-256
 * is the tunnel's owner digest, and the comparison runs in constant time over every token.
 */
public final class TunnelTokens {

  private static final String BEARER = "Bearer ";

  private final List<byte[]> digests;

  public TunnelTokens(List<String> tokens) {
    this.digests = tokens.stream().map(TunnelTokens::sha256).toList();
  }

  /**
   * The owner digest (hex SHA-256) of the token in an {@code Authorization: Bearer} header, or
   * {@code null} when it is missing or not one of the tokens.
   */
  public String owner(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) return null;
    byte[] given = sha256(authorization.substring(BEARER.length()).trim());
    boolean known = false;
    for (byte[] digest : digests) known |= MessageDigest.isEqual(given, digest); // no early exit: constant time
    return known ? HexFormat.of().formatHex(given) : null;
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
