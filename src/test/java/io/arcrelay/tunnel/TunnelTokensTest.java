package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class TunnelTokensTest {

  private final TunnelTokens tokens = new TunnelTokens(List.of("alpha", "beta"));

  @Test
  void aKnownBearerTokenGivesItsOwnerDigest() {
    String alpha = tokens.owner("Bearer alpha");
    assertEquals(64, alpha.length());
    assertEquals(alpha, tokens.owner("bearer  alpha "));
    assertNotEquals(alpha, tokens.owner("Bearer beta"));
  }

  @Test
  void anythingElseIsRefused() {
    assertNull(tokens.owner(null));
    assertNull(tokens.owner("Bearer gamma"));
    assertNull(tokens.owner("Basic alpha"));
    assertNull(tokens.owner("alpha"));
    assertNull(new TunnelTokens(List.of()).owner("Bearer alpha"));
  }
}
