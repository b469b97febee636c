package io.arcrelay.edge;

import static io.arcrelay.edge.Parallel.inParallel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionCountsTest {

  @Test
  void refusesPastTheCapWithoutCounting() {
    ConnectionCounts counts = new ConnectionCounts(2);
    assertTrue(counts.tryOpen("a"));
    assertTrue(counts.tryOpen("a"));
    assertFalse(counts.tryOpen("a"));
    assertEquals(2, counts.count("a"));
    assertTrue(counts.tryOpen("b"), "the cap is per key");

    counts.close("a");
    assertEquals(1, counts.count("a"));
    assertTrue(counts.tryOpen("a"), "a close frees a slot");
  }

  @Test
  void holdsOnlyKeysWithOpenConnections() {
    ConnectionCounts counts = new ConnectionCounts(5);
    assertTrue(counts.tryOpen("a"));
    assertTrue(counts.tryOpen("a"));
    assertTrue(counts.tryOpen("b"));
    assertEquals(2, counts.keys());
    counts.close("a");
    counts.close("b");
    assertEquals(1, counts.keys());
    counts.close("a");
    assertEquals(0, counts.keys());
    assertEquals(0, counts.count("a"));
    assertEquals(0, counts.count("never seen"));
  }

  @Test
  void zeroMeansUncappedButCounted() {
    ConnectionCounts counts = new ConnectionCounts(0);
    for (int i = 0; i < 10_000; i++) assertTrue(counts.tryOpen("a"));
    assertEquals(10_000, counts.count("a"));
  }

  @Test
  void anUnmatchedCloseIsAnError() {
    ConnectionCounts counts = new ConnectionCounts(1);
    assertThrows(IllegalStateException.class, () -> counts.close("a"));
    assertTrue(counts.tryOpen("a"));
    counts.close("a");
    assertThrows(IllegalStateException.class, () -> counts.close("a"));
    assertThrows(IllegalArgumentException.class, () -> new ConnectionCounts(-1));
  }

  @Test
  void racingOpensGetExactlyTheCap() throws Exception {
    ConnectionCounts counts = new ConnectionCounts(5);
    List<Integer> opened = inParallel(8, thread -> {
      int mine = 0;
      for (int i = 0; i < 100; i++) if (counts.tryOpen("a")) mine++;
      return mine;
    });
    assertEquals(5, opened.stream().mapToInt(Integer::intValue).sum());
    assertEquals(5, counts.count("a"));
  }

  /** Opens and closes racing on shared keys, entries appearing and vanishing: every count returns to zero. */
  @Test
  void racingOpensAndClosesBalanceExactly() throws Exception {
    int keys = 3;
    int cap = 4;
    ConnectionCounts counts = new ConnectionCounts(cap);
    inParallel(8, thread -> {
      for (int i = 0; i < 50_000; i++) {
        String key = "k" + (i + thread) % keys;
        if (!counts.tryOpen(key)) continue;
        int open = counts.count(key);
        if (open < 1 || open > cap) throw new AssertionError(key + " has " + open + " open");
        counts.close(key);
      }
      return null;
    });
    for (int k = 0; k < keys; k++) assertEquals(0, counts.count("k" + k));
    assertEquals(0, counts.keys());
  }
}
