package io.arcrelay.pair;

import io.arcrelay.config.PairingConfig;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The rendezvous code two endpoints share, taken from the {@code pair} query parameter.
 *
 * <p>Valid codes are 1 to {@value #MAX_LENGTH} characters after URL decoding, with no control
 * characters. Codes are secrets-ish: {@link #toString()} and {@link #hash()} never reveal the code,
 * so it is safe to log a {@code PairCode}.
 */
public final class PairCode {

  public static final int MAX_LENGTH = PairingConfig.MAX_CODE_LENGTH;

  private final String value;
  private String digest; // computed when first asked for: a code on a single node is never hashed unless logged

  private PairCode(String value) {
    this.value = value;
  }

  /**
   * Finds the {@code pair} parameter in a raw (still encoded) query string.
   *
   * @throws InvalidPairCode with a one-line reason fit for an HTTP 400 body
   */
  public static PairCode fromQuery(String rawQuery) {
    return fromQuery(rawQuery, 1);
  }

  /** As {@link #fromQuery(String)}, refusing codes shorter than {@code minLength} characters too. */
  public static PairCode fromQuery(String rawQuery, int minLength) {
    PairCode code = parse(rawQuery);
    if (code.value.codePointCount(0, code.value.length()) < minLength) {
      throw new InvalidPairCode("pair code is shorter than " + minLength + " characters");
    }
    return code;
  }

  private static PairCode parse(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) throw new InvalidPairCode("missing ?pair=<code>");
    String raw = null;
    for (String param : rawQuery.split("&")) {
      int eq = param.indexOf('=');
      String name = eq < 0 ? param : param.substring(0, eq);
      if (name.equals("pair")) {
        if (raw != null) throw new InvalidPairCode("more than one pair parameter");
        raw = eq < 0 ? "" : param.substring(eq + 1);
      }
    }
    if (raw == null) throw new InvalidPairCode("missing ?pair=<code>");
    return of(decode(raw));
  }

  /** Validates an already decoded code. */
  public static PairCode of(String code) {
    if (code.isEmpty()) throw new InvalidPairCode("pair code is empty");
    int length = code.codePointCount(0, code.length());
    if (length > MAX_LENGTH) {
      throw new InvalidPairCode("pair code is longer than " + MAX_LENGTH + " characters");
    }
    if (code.codePoints().anyMatch(Character::isISOControl)) {
      throw new InvalidPairCode("pair code contains control characters");
    }
    return new PairCode(code);
  }

  private static String decode(String raw) {
    try {
      String decoded = URLDecoder.decode(raw, StandardCharsets.UTF_8);
      if (decoded.indexOf('\uFFFD') >= 0 && raw.indexOf('\uFFFD') < 0) {
        throw new InvalidPairCode("pair code is not valid UTF-8");
      }
      return decoded;
    } catch (IllegalArgumentException e) {
      throw new InvalidPairCode("pair code is not properly URL-encoded");
    }
  }

  /** The code itself; for routing and storage only, never for logs. */
  public String value() {
    return value;
  }

  /** Eight hex characters of the code's SHA-256: enough to correlate log lines, useless to join a pair. */
  public String hash() {
    return digest().substring(0, 8);
  }

  /** The code's whole SHA-256 in hex: how the code is known outside this node (the cluster's pair map). */
  public String digest() {
    String known = digest;
    if (known == null) digest = known = sha256(value); // a race computes the same string twice, harmlessly
    return known;
  }

  private static String sha256(String value) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PairCode other && other.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "pair#" + hash();
  }

  /** The request's pair code is missing or malformed; the message is the HTTP 400 body. */
  public static final class InvalidPairCode extends RuntimeException {
    InvalidPairCode(String reason) {
      super(reason, null, false, false);
    }
  }
}
