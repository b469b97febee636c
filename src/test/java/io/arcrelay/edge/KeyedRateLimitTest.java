package io.arcrelay.edge;

import static io.arcrelay.edge.Parallel.inParallel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

class KeyedRateLimitTest {

  private static final long SECOND = 1_000_000_000L;
  // nanoTime's origin is arbitrary: readings may be negative, and may wrap.
  private static final long T0 = -7 * SECOND;

  @Test
  void allowsTheBurstThenOneTokenPerInterval() {
    KeyedRateLimit limit = new KeyedRateLimit(2, 3, 100);
    for (int i = 0; i < 3; i++) assertTrue(limit.tryTake("a", T0), "burst take " + i);
    assertFalse(limit.tryTake("a", T0));
    assertTrue(limit.exhausted("a", T0));

    assertFalse(limit.tryTake("a", T0 + SECOND / 2 - 1), "half a second buys a token at 2/s, not less");
    assertTrue(limit.tryTake("a", T0 + SECOND / 2));
    assertFalse(limit.tryTake("a", T0 + SECOND / 2));
    assertFalse(limit.tryTake("a", T0 + SECOND * 3 / 4), "a quarter second is half a token");
    assertFalse(limit.exhausted("a", T0 + SECOND));
    assertTrue(limit.tryTake("a", T0 + SECOND), "two half tokens make one");
  }

  @Test
  void refillsNoFurtherThanTheBurst() {
    KeyedRateLimit limit = new KeyedRateLimit(2, 3, 100);
    assertTrue(limit.tryTake("a", T0));
    long muchLater = T0 + 3600 * SECOND;
    for (int i = 0; i < 3; i++) assertTrue(limit.tryTake("a", muchLater));
    assertFalse(limit.tryTake("a", muchLater));
  }

  @Test
  void exhaustedTakesNothing() {
    KeyedRateLimit limit = new KeyedRateLimit(1, 1, 100);
    assertFalse(limit.exhausted("a", T0), "unknown key has a full bucket");
    assertFalse(limit.exhausted("a", T0));
    assertEquals(0, limit.keys(), "asking does not track");
    assertTrue(limit.tryTake("a", T0));
    assertTrue(limit.exhausted("a", T0));
  }

  @Test
  void keysHaveTheirOwnBuckets() {
    KeyedRateLimit limit = new KeyedRateLimit(1, 1, 100);
    assertTrue(limit.tryTake("a", T0));
    assertFalse(limit.tryTake("a", T0));
    assertTrue(limit.tryTake("b", T0));
  }

  @Test
  void aClockReadEarlierButArrivingLaterNeitherRefillsNorRewinds() {
    KeyedRateLimit limit = new KeyedRateLimit(1, 1, 100);
    assertTrue(limit.tryTake("a", T0 + SECOND));
    assertFalse(limit.tryTake("a", T0));
    assertTrue(limit.tryTake("a", T0 + 2 * SECOND));
  }

  @Test
  void sweepForgetsOnlyFullBuckets() {
    KeyedRateLimit limit = new KeyedRateLimit(2, 3, 100);
    assertTrue(limit.tryTake("idle", T0));
    for (int i = 0; i < 3; i++) assertTrue(limit.tryTake("busy", T0 + SECOND / 2));

    limit.sweep(T0 + SECOND / 2 - 1);
    assertEquals(2, limit.keys(), "idle is still half a token short");
    limit.sweep(T0 + SECOND / 2);
    assertEquals(1, limit.keys(), "idle refilled");

    assertTrue(limit.exhausted("busy", T0 + SECOND / 2));
    limit.sweep(T0 + 2 * SECOND - 1);
    assertEquals(1, limit.keys());
    limit.sweep(T0 + 2 * SECOND);
    assertEquals(0, limit.keys());
  }

  @Test
  void aForgottenKeyStartsAgainWithAFullBucket() {
    KeyedRateLimit limit = new KeyedRateLimit(1, 2, 100);
    assertTrue(limit.tryTake("a", T0));
    limit.sweep(T0 + SECOND);
    assertEquals(0, limit.keys());
    assertTrue(limit.tryTake("a", T0 + SECOND));
    assertTrue(limit.tryTake("a", T0 + SECOND));
    assertFalse(limit.tryTake("a", T0 + SECOND));
  }

  @Test
  void newKeysPastMaxKeysAreAllowedUntrackedUntilASweepMakesRoom() {
    KeyedRateLimit limit = new KeyedRateLimit(1, 1, 2);
    assertTrue(limit.tryTake("a", T0));
    assertTrue(limit.tryTake("b", T0));
    for (int i = 0; i < 5; i++) assertTrue(limit.tryTake("c", T0), "fail-open take " + i);
    assertEquals(2, limit.keys());
    assertEquals(5, limit.untracked());
    assertFalse(limit.exhausted("c", T0));
    assertFalse(limit.tryTake("a", T0), "tracked keys are still limited");

    limit.sweep(T0 + SECOND);
    assertTrue(limit.tryTake("c", T0 + SECOND));
    assertFalse(limit.tryTake("c", T0 + SECOND), "c is tracked now");
    assertEquals(5, limit.untracked());
  }

  @Test
  void zeroRateOrBurstDisablesTheLimit() {
    for (KeyedRateLimit limit : List.of(new KeyedRateLimit(0, 5, 1), new KeyedRateLimit(5, 0, 1))) {
      for (int i = 0; i < 100; i++) assertTrue(limit.tryTake("k" + i % 3, T0));
      assertFalse(limit.exhausted("k0", T0));
      assertEquals(0, limit.keys());
      assertEquals(0, limit.untracked());
    }
  }

  @Test
  void refusesNonsenseSettings() {
    assertThrows(IllegalArgumentException.class, () -> new KeyedRateLimit(-1, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new KeyedRateLimit(Double.NaN, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new KeyedRateLimit(Double.POSITIVE_INFINITY, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new KeyedRateLimit(1, -1, 1));
    assertThrows(IllegalArgumentException.class, () -> new KeyedRateLimit(1, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new KeyedRateLimit(1e-12, 2, 1), "refill overflows a long");
  }

  @Test
  void threadsSharingAKeyTakeExactlyTheBurst() throws Exception {
    int threads = 8;
    int burst = 1000;
    KeyedRateLimit limit = new KeyedRateLimit(1e-6, burst, 100);
    List<Integer> taken = inParallel(threads, thread -> {
      int mine = 0;
      for (int i = 0; i < 500; i++) if (limit.tryTake("shared", T0)) mine++;
      return mine;
    });
    assertEquals(burst, taken.stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void threadsRacingNewKeysNeverTrackMoreThanMaxKeys() throws Exception {
    int threads = 8;
    int keysPerThread = 2000;
    int maxKeys = 1000;
    KeyedRateLimit limit = new KeyedRateLimit(1, 1, maxKeys);
    List<Integer> allowed = inParallel(threads, thread -> {
      int mine = 0;
      for (int i = 0; i < keysPerThread; i++) if (limit.tryTake(thread + "/" + i, T0)) mine++;
      return mine;
    });
    assertEquals(threads * keysPerThread, allowed.stream().mapToInt(Integer::intValue).sum(), "every new key is allowed");
    assertEquals(maxKeys, limit.keys());
    assertEquals(threads * keysPerThread - maxKeys, limit.untracked());
  }

  /**
   * Sweeping only forgets buckets that are as good as new, so a sweeper running alongside must not
   * change what any take returns: compare against the same takes without sweeps. The sweeper's
   * clock trails every taker's, as nanoTime read before a sweep does in the relay.
   */
  @Test
  void concurrentSweepsDoNotChangeAnyOutcome() throws Exception {
    int threads = 6;
    KeyedRateLimit swept = new KeyedRateLimit(4, 2, 100);
    KeyedRateLimit unswept = new KeyedRateLimit(4, 2, 100);
    AtomicLongArray clocks = new AtomicLongArray(threads);
    for (int thread = 0; thread < threads; thread++) clocks.set(thread, T0);
    AtomicBoolean done = new AtomicBoolean();
    Thread sweeper = new Thread(() -> {
      while (!done.get()) swept.sweep(earliest(clocks));
    });
    sweeper.start();
    List<Integer> sweptTaken;
    try {
      sweptTaken = inParallel(threads, thread -> takeAlongClock(swept, thread, clocks));
    } finally {
      done.set(true);
      sweeper.join();
    }
    for (int thread = 0; thread < threads; thread++) {
      assertEquals(takeAlongClock(unswept, thread, new AtomicLongArray(threads)), sweptTaken.get(thread), "thread " + thread);
    }
  }

  /**
   * Takes on the thread's own key every eighth of a second, publishing its clock: three takes, then
   * one, then none until the bucket has refilled, so buckets are full (sweepable) now and then.
   */
  private static int takeAlongClock(KeyedRateLimit limit, int thread, AtomicLongArray clocks) {
    int taken = 0;
    for (int i = 0; i < 20_000; i++) {
      long now = T0 + i * (SECOND / 8);
      clocks.set(thread, now);
      int takes = i % 7 == 0 ? 3 : i % 7 == 3 ? 1 : 0;
      for (int j = 0; j < takes; j++) if (limit.tryTake("k" + thread, now)) taken++;
    }
    return taken;
  }

  private static long earliest(AtomicLongArray clocks) {
    long earliest = Long.MAX_VALUE;
    for (int i = 0; i < clocks.length(); i++) earliest = Math.min(earliest, clocks.get(i));
    return earliest;
  }
}
