package io.arcrelay.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.edge.AccessToken.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class AccessTokenTest {

  private static final byte[] SECRET = AccessToken.secretFrom("0123456789abcdef-relay-secret");
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  private static final Instant LATER = NOW.plus(Duration.ofMinutes(10));

  private final AccessToken access = new AccessToken(SECRET);

  @Test
  void aMintedTokenOpensItsCodeUntilItExpires() {
    String token = AccessToken.mint(SECRET, "room-42", LATER);
    assertEquals(Verdict.OK, access.verify(token, "room-42", NOW));
    assertEquals(Verdict.OK, access.verify(token, "room-42", LATER.minusMillis(1)));
    assertEquals(Verdict.EXPIRED, access.verify(token, "room-42", LATER));
    assertEquals(Verdict.EXPIRED, access.verify(token, "room-42", LATER.plus(Duration.ofDays(1))));
  }

  @Test
  void theFormatIsWhatAnAppServerComputesFromItsDescription() throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
    long expires = LATER.getEpochSecond();
    byte[] sig = mac.doFinal(("arc-relay-v1\n" + expires + "\nrüm ü").getBytes(StandardCharsets.UTF_8));
    String independent = expires + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    assertEquals(independent, AccessToken.mint(SECRET, "rüm ü", LATER));
    assertEquals(Verdict.OK, access.verify(independent, "rüm ü", NOW));
  }

  @Test
  void aTokenOpensNoOtherCodeAndNeedsTheSameSecret() {
    String token = AccessToken.mint(SECRET, "room-42", LATER);
    assertEquals(Verdict.BAD_SIGNATURE, access.verify(token, "room-43", NOW));
    assertEquals(Verdict.BAD_SIGNATURE, access.verify(token, "room-4", NOW));
    byte[] otherSecret = AccessToken.secretFrom("another-secret-of-enough-bytes");
    assertEquals(Verdict.BAD_SIGNATURE, new AccessToken(otherSecret).verify(token, "room-42", NOW));
    assertEquals(Verdict.BAD_SIGNATURE, access.verify(AccessToken.mint(otherSecret, "room-42", LATER), "room-42", NOW));
  }

  @Test
  void aStretchedExpiryOrAlteredSignatureIsRefusedEvenWhenExpired() {
    String token = AccessToken.mint(SECRET, "room-42", LATER);
    String signature = token.substring(token.indexOf('.') + 1);
    String stretched = LATER.plus(Duration.ofDays(365)).getEpochSecond() + "." + signature;
    assertEquals(Verdict.BAD_SIGNATURE, access.verify(stretched, "room-42", NOW));
    assertEquals(Verdict.BAD_SIGNATURE, access.verify("0" + token, "room-42", NOW), "the expiry is signed as written");
    char last = signature.charAt(signature.length() - 1);
    String altered = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');
    assertEquals(Verdict.BAD_SIGNATURE, access.verify(altered, "room-42", NOW));
    String forgedAndOld = "1." + signature;
    assertEquals(Verdict.BAD_SIGNATURE, access.verify(forgedAndOld, "room-42", NOW),
        "EXPIRED is only said of tokens this secret issued");
  }

  @Test
  void anAbsentTokenIsMissingAndAnythingElseNotATokenIsMalformed() {
    String token = AccessToken.mint(SECRET, "room-42", LATER);
    String signature = token.substring(token.indexOf('.') + 1);
    assertEquals(Verdict.MISSING, access.verify(null, "room-42", NOW));
    List<String> malformed = List.of(
        "",
        ".",
        signature,                                    // no dot
        LATER.getEpochSecond() + signature,           // no dot either
        "soon." + signature,                          // non-numeric expiry
        "-5." + signature,
        "+" + token,
        "." + signature,                              // empty expiry
        token + "=",                                  // padded
        token.substring(0, token.length() - 1),       // truncated signature
        token.substring(0, token.length() - 1) + "+", // standard base64, not base64url
        token.substring(0, token.length() - 1) + "!",
        LATER.getEpochSecond() + ".",                 // empty signature
        token + "." + signature,
        " " + token,
        "9".repeat(19) + "." + signature,             // would overflow a long
        token + "A".repeat(200),                      // huge
        "x".repeat(1_000_000));
    for (String bad : malformed) {
      assertEquals(Verdict.MALFORMED, access.verify(bad, "room-42", NOW),
          bad.length() > 80 ? bad.length() + " characters" : bad);
    }
  }

  @Test
  void verifiesFromManyThreadsAtOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Boolean>> checks = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        String code = "code-" + i;
        String token = AccessToken.mint(SECRET, code, LATER);
        // Alternating verdicts: a Mac shared between threads would mix messages and give wrong ones.
        checks.add(() -> access.verify(token, code, NOW) == Verdict.OK
            && access.verify(token, code + "x", NOW) == Verdict.BAD_SIGNATURE);
      }
      for (Future<Boolean> result : pool.invokeAll(checks)) assertTrue(result.get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aSecretIsItsUtf8BytesAndAtLeastSixteenOfThem() {
    assertEquals(16, AccessToken.secretFrom("é".repeat(8)).length, "bytes, not characters");
    IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
        () -> AccessToken.secretFrom("fifteen-bytes!!"));
    assertEquals("access secret must be at least 16 bytes, got 15", tooShort.getMessage());
    assertThrows(IllegalArgumentException.class, () -> AccessToken.secretFrom(""));
    assertThrows(IllegalArgumentException.class, () -> new AccessToken(new byte[15]));
    assertThrows(IllegalArgumentException.class, () -> AccessToken.mint(new byte[15], "room-42", LATER));
  }

  @Test
  void theQueryParameterWinsOverABearerHeader() {
    assertEquals("from-query", AccessToken.fromRequest("from-query", "Bearer from-header"));
    assertEquals("", AccessToken.fromRequest("", "Bearer from-header"), "a present but empty parameter still wins");
    assertEquals("from-header", AccessToken.fromRequest(null, "Bearer from-header"));
    assertEquals("from-header", AccessToken.fromRequest(null, "bEARER   from-header "));
    assertEquals("", AccessToken.fromRequest(null, "Bearer "));
    assertNull(AccessToken.fromRequest(null, "Basic dXNlcjpwYXNz"));
    assertNull(AccessToken.fromRequest(null, "Bearer"));
    assertNull(AccessToken.fromRequest(null, "Bearertoken"));
    assertNull(AccessToken.fromRequest(null, null));
    assertEquals(Verdict.MISSING, access.verify(AccessToken.fromRequest(null, "Basic dXNlcjpwYXNz"), "room-42", NOW));
  }
}
