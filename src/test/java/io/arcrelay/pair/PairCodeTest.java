package io.arcrelay.pair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PairCodeTest {

  @Test
  void decodesTheCodeFromTheQuery() {
    assertEquals("a b/ü", PairCode.fromQuery("x=1&pair=a+b%2F%C3%BC&y").value());
    assertEquals("x".repeat(256), PairCode.fromQuery("pair=" + "x".repeat(256)).value());
    assertEquals("é".repeat(256), PairCode.fromQuery("pair=" + "%C3%A9".repeat(256)).value(), "length counts characters");
  }

  @Test
  void refusesMissingEmptyLongAndMalformedCodesWithAReason() {
    String[][] cases = {
        {null, "missing ?pair=<code>"},
        {"other=1", "missing ?pair=<code>"},
        {"pair=", "pair code is empty"},
        {"pair=" + "x".repeat(257), "pair code is longer than 256 characters"},
        {"pair=a%0Ab", "pair code contains control characters"},
        {"pair=%zz", "pair code is not properly URL-encoded"},
        {"pair=%C3", "pair code is not valid UTF-8"},
        {"pair=a&pair=b", "more than one pair parameter"},
    };
    for (String[] c : cases) {
      PairCode.InvalidPairCode e = assertThrows(PairCode.InvalidPairCode.class, () -> PairCode.fromQuery(c[0]));
      assertEquals(c[1], e.getMessage(), "query " + c[0]);
    }
  }

  @Test
  void neverShowsTheCodeInItsStringForm() {
    PairCode code = PairCode.of("secret-rendezvous");
    assertFalse(code.toString().contains("secret"));
    assertTrue(code.toString().matches("pair#[0-9a-f]{8}"));
    assertEquals(PairCode.of("secret-rendezvous").hash(), code.hash());
  }

  @Test
  void isKnownAcrossTheClusterByItsSha256() throws Exception {
    // Computed when first asked for (a code on one node is never hashed unless logged), the same each time.
    PairCode code = PairCode.of("secret-rendezvous");
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest("secret-rendezvous".getBytes(StandardCharsets.UTF_8)));
    assertEquals(expected, code.digest());
    assertEquals(expected, code.digest());
    assertEquals(expected.substring(0, 8), code.hash());
  }
}
