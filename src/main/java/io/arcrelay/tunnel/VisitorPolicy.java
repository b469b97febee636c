package io.arcrelay.tunnel;

import io.arcrelay.edge.TrustedProxies;
import io.arcrelay.tunnel.protocol.ControlMessages;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Who may visit a tunnel: its agent's {@code --basic-auth user:pass} and {@code --allow CIDR}
 * (design §5). Immutable and pure: the relay decides each request with {@link #decide}, before
 * anything reaches the agent.
 *
 * <p>The password is never kept: only a random salt and SHA-256(salt | {@code user:pass}), compared
 * in constant time. {@link #toJson()} is that stored form ({@code basic}: {@code <salt>:<hash>},
 * {@code allow}: the ranges), the one a cluster keeps in the tunnel's name lease, and
 * {@link #fromJson} reads it back on any node.
 */
public final class VisitorPolicy {

  /** No restriction: every visitor passes. */
  public static final VisitorPolicy OPEN = new VisitorPolicy(null, null, List.of(), TrustedProxies.parse(List.of()));

  /** More ranges than this in one hello is not an allowlist a person wrote. */
  static final int MAX_ALLOW_ENTRIES = 100;
  /** Longer credentials are refused in the hello (browsers and proxies cap headers long before). */
  static final int MAX_CREDENTIALS_LENGTH = 1024;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int SALT_BYTES = 16;
  private static final String BASIC = "basic ";

  /** What {@link #decide} says about a request. */
  public enum Verdict {
    /** Forward it. */
    ALLOW,
    /** 401 with {@code WWW-Authenticate: Basic}: no or wrong credentials. */
    UNAUTHORIZED,
    /** 403: the visitor's address is outside the allowlist. */
    FORBIDDEN
  }

  private final byte[] salt; // null: no basic auth
  private final byte[] hash;
  private final List<String> allow; // as given, for the stored form
  private final TrustedProxies allowed; // the same ranges, parsed: "trusted" here means "allowed to visit"

  private VisitorPolicy(byte[] salt, byte[] hash, List<String> allow, TrustedProxies allowed) {
    this.salt = salt;
    this.hash = hash;
    this.allow = allow;
    this.allowed = allowed;
  }

  /**
   * The policy an agent's hello asks for: its optional {@code basicAuth} ({@code "user:pass"}) and
   * {@code allow} (addresses or CIDR ranges). A hello with neither gives {@link #OPEN}.
   *
   * @throws IllegalArgumentException with a message fit for the agent ({@code bad-hello})
   */
  public static VisitorPolicy fromHello(JsonObject hello) {
    Object basic = hello.getValue(ControlMessages.BASIC_AUTH);
    Object allow = hello.getValue(ControlMessages.ALLOW);
    if (basic == null && allow == null) return OPEN;
    byte[] salt = null;
    byte[] hash = null;
    if (basic != null) {
      String credentials = basic instanceof String s ? s : null;
      if (credentials == null || !validCredentials(credentials)) {
        throw new IllegalArgumentException("basicAuth must be \"user:pass\": a user without ':', a password, "
            + "no control characters, at most " + MAX_CREDENTIALS_LENGTH + " characters");
      }
      salt = new byte[SALT_BYTES];
      RANDOM.nextBytes(salt);
      hash = hash(salt, credentials);
    }
    List<String> ranges = allow == null ? List.of() : ranges(allow);
    return new VisitorPolicy(salt, hash, ranges, TrustedProxies.parse(ranges));
  }

  /**
   * A policy from its stored form, {@link #toJson()} (extra keys, such as a lease's other fields, are
   * ignored).
   *
   * @throws IllegalArgumentException when the stored form is damaged
   */
  public static VisitorPolicy fromJson(JsonObject stored) {
    String basic = stored.getString("basic");
    JsonArray allowArray = stored.getJsonArray("allow");
    if (basic == null && (allowArray == null || allowArray.isEmpty())) return OPEN;
    byte[] salt = null;
    byte[] hash = null;
    if (basic != null) {
      int colon = basic.indexOf(':');
      if (colon < 0) throw new IllegalArgumentException("stored basic auth is not <salt>:<hash>");
      salt = Base64.getUrlDecoder().decode(basic.substring(0, colon));
      hash = HexFormat.of().parseHex(basic.substring(colon + 1));
    }
    List<String> ranges = allowArray == null ? List.of() : ranges(allowArray);
    return new VisitorPolicy(salt, hash, ranges, TrustedProxies.parse(ranges));
  }

  /** The stored form: {@code basic} ({@code <salt>:<sha256 hex>}) and {@code allow}, each only when set. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    if (salt != null) {
      json.put("basic", Base64.getUrlEncoder().withoutPadding().encodeToString(salt) + ":" + HexFormat.of().formatHex(hash));
    }
    if (!allow.isEmpty()) json.put("allow", new JsonArray(new ArrayList<>(allow)));
    return json;
  }

  /** True when visitors must show credentials (whose {@code Authorization} header is then the relay's, not the app's). */
  public boolean basicAuth() {
    return salt != null;
  }

  /**
   * What to do with a request from {@code visitorIp} (after trusted-proxy resolution) carrying
   * {@code authorization} (the header, or null). The address is checked first: a visitor from
   * outside the allowlist is not asked for a password.
   */
  public Verdict decide(String authorization, String visitorIp) {
    if (!allow.isEmpty() && !allowed.trusts(visitorIp)) return Verdict.FORBIDDEN;
    if (salt != null && !credentialsMatch(authorization)) return Verdict.UNAUTHORIZED;
    return Verdict.ALLOW;
  }

  private boolean credentialsMatch(String authorization) {
    if (authorization == null || authorization.length() > 2 * MAX_CREDENTIALS_LENGTH
        || !authorization.regionMatches(true, 0, BASIC, 0, BASIC.length())) {
      return false;
    }
    String credentials;
    try {
      credentials = new String(Base64.getDecoder().decode(authorization.substring(BASIC.length()).strip()),
          StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notBase64) {
      return false;
    }
    return MessageDigest.isEqual(hash, hash(salt, credentials)); // constant time
  }

  private static boolean validCredentials(String credentials) {
    int colon = credentials.indexOf(':');
    return colon > 0 && colon < credentials.length() - 1 && credentials.length() <= MAX_CREDENTIALS_LENGTH
        && credentials.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
  }

  private static List<String> ranges(Object allow) {
    if (!(allow instanceof JsonArray array)) {
      throw new IllegalArgumentException("allow must be a list of addresses or CIDR ranges");
    }
    if (array.size() > MAX_ALLOW_ENTRIES) {
      throw new IllegalArgumentException("allow has more than " + MAX_ALLOW_ENTRIES + " entries");
    }
    List<String> ranges = new ArrayList<>();
    for (Object entry : array) {
      if (!(entry instanceof String range) || !isRange(range)) {
        throw new IllegalArgumentException("allow entry " + (entry instanceof String ? "'" + entry + "'" : String.valueOf(entry))
            + " is not an IP address or CIDR range such as 203.0.113.0/24 (with no bits set past the prefix)");
      }
      ranges.add(range.strip().toLowerCase(Locale.ROOT));
    }
    return List.copyOf(ranges);
  }

  private static boolean isRange(String entry) {
    try {
      TrustedProxies.parse(List.of(entry));
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static byte[] hash(byte[] salt, String credentials) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(salt);
      return sha256.digest(credentials.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Says what is restricted, never the hash. */
  @Override
  public String toString() {
    return "VisitorPolicy[" + (salt != null ? "basic auth" : "no basic auth") + ", allow " + allow + "]";
  }
}
