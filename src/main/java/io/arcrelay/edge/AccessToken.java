package io.arcrelay.edge;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A token that lets one WebSocket upgrade join one pair code until it expires.
 *
 * <p>Format: {@code <expires>.<sig>}, where {@code <expires>} is Unix seconds in decimal and
 * {@code <sig>} is the unpadded base64url HMAC-SHA256, keyed with the shared secret, of
 * {@code "arc-relay-v1\n" + expires + "\n" + pairCode}. An app server holding the secret mints
 * tokens without talking to the relay; binding the pair code means a leaked token opens only that
 * code.
 */
public final class AccessToken {

  /** Outcome of {@link #verify}; everything but {@link #OK} refuses the upgrade. */
  public enum Verdict {
    /** Signed with this secret for this pair code, and not expired. */
    OK,
    /** The request carried no token. */
    MISSING,
    /** Not of the form {@code <expires>.<sig>}, or too long to be one. */
    MALFORMED,
    /** Genuine, but its expiry has passed. */
    EXPIRED,
    /** Not signed with this secret, or signed for another pair code or expiry. */
    BAD_SIGNATURE
  }

  /** Shortest secret accepted: below this, guessing it offline becomes plausible. */
  public static final int MIN_SECRET_BYTES = 16;

  private static final String ALGORITHM = "HmacSHA256";
  private static final String CONTEXT = "arc-relay-v1\n";
  // Real tokens are about 55 characters; the bound keeps hostile input from costing anything.
  private static final int MAX_TOKEN_LENGTH = 200;
  // 18 digits cannot overflow a long; 43 characters are exactly 32 bytes in unpadded base64.
  private static final Pattern FORMAT = Pattern.compile("(\\d{1,18})\\.([A-Za-z0-9_-]{43})");
  private static final String BEARER = "Bearer ";

  // Mac is stateful; verify runs on several event loops at once.
  private final ThreadLocal<Mac> macs;

  /**
   * @param secret the shared secret, at least {@value #MIN_SECRET_BYTES} bytes (see {@link #secretFrom})
   * @throws IllegalArgumentException if the secret is shorter
   */
  public AccessToken(byte[] secret) {
    SecretKeySpec key = key(secret);
    this.macs = ThreadLocal.withInitial(() -> mac(key));
  }

  /**
   * Mints the token that {@link #verify} accepts for {@code pairCode} until {@code expires}
   * (truncated to the second).
   *
   * @throws IllegalArgumentException if the secret is shorter than {@value #MIN_SECRET_BYTES} bytes
   */
  public static String mint(byte[] secret, String pairCode, Instant expires) {
    String expiresText = Long.toString(expires.getEpochSecond());
    return expiresText + "." + signature(mac(key(secret)), expiresText, pairCode);
  }

  /**
   * Checks a token presented for {@code pairCode} (the decoded {@code pair} parameter).
   *
   * @param token the token from {@link #fromRequest}, or null when the request had none
   * @param now   the time to judge expiry at
   */
  public Verdict verify(String token, String pairCode, Instant now) {
    if (token == null) return Verdict.MISSING;
    if (token.length() > MAX_TOKEN_LENGTH) return Verdict.MALFORMED;
    Matcher parts = FORMAT.matcher(token);
    if (!parts.matches()) return Verdict.MALFORMED;
    String expiresText = parts.group(1);
    // Comparing the canonical text, not decoded bytes, also refuses re-encodings of a genuine signature.
    byte[] expected = signature(macs.get(), expiresText, pairCode).getBytes(StandardCharsets.US_ASCII);
    byte[] presented = parts.group(2).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, presented)) return Verdict.BAD_SIGNATURE;
    // Judged after the signature, so EXPIRED always means a token this secret really issued.
    if (now.getEpochSecond() >= Long.parseLong(expiresText)) return Verdict.EXPIRED;
    return Verdict.OK;
  }

  /**
   * The secret as configured: the UTF-8 bytes of {@code text}, unchanged.
   *
   * @throws IllegalArgumentException if they are fewer than {@value #MIN_SECRET_BYTES}
   */
  public static byte[] secretFrom(String text) {
    return checked(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Picks the token a request presents: the {@code token} query parameter when there is one
   * (browsers cannot set headers on a WebSocket), else the credentials of an
   * {@code Authorization: Bearer} header.
   *
   * @param queryParamToken     the decoded {@code token} parameter, or null when absent
   * @param authorizationHeader the {@code Authorization} header, or null when absent
   * @return the token, or null when the request presents none
   */
  public static String fromRequest(String queryParamToken, String authorizationHeader) {
    if (queryParamToken != null) return queryParamToken;
    if (authorizationHeader == null
        || !authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    return authorizationHeader.substring(BEARER.length()).strip();
  }

  private static String signature(Mac mac, String expiresText, String pairCode) {
    byte[] signed = mac.doFinal((CONTEXT + expiresText + "\n" + pairCode).getBytes(StandardCharsets.UTF_8));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(signed);
  }

  private static byte[] checked(byte[] secret) {
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("access secret must be at least " + MIN_SECRET_BYTES
          + " bytes, got " + secret.length);
    }
    return secret;
  }

  private static SecretKeySpec key(byte[] secret) {
    return new SecretKeySpec(checked(secret), ALGORITHM); // copies the bytes: later changes to the array do not leak in
  }

  private static Mac mac(SecretKeySpec key) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is required by every JVM", e);
    }
  }
}
