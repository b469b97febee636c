package io.arcrelay.edge;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A token bucket per key (a client IP): each key may take {@code burst} tokens at once, and its
 * tokens come back at {@code perSecond} (one every {@code 1 / perSecond} seconds, rounded to the
 * nanosecond). Safe to call from any number of threads.
 *
 * <p>Memory is bounded by {@code maxKeys}. A key whose bucket has refilled completely is in the same
 * state as a key never seen, so {@link #sweep} forgets it and idle clients cost nothing. When
 * {@code maxKeys} keys are tracked, a new key is <em>allowed and not tracked</em> (counted in
 * {@link #untracked()}): an attacker who floods the table with made-up sources then cannot lock
 * honest clients out, the limit just stops applying to newcomers until a sweep makes room.
 *
 * <p>Times are {@link System#nanoTime()} readings, passed in so that callers read the clock once
 * per event and tests need no sleeping.
 */
public final class KeyedRateLimit {

  private static final double NANOS_PER_SECOND = 1e9;

  private final boolean disabled;
  private final long nanosPerToken;
  /**
   * How far a bucket may be from full and still give a token: (burst - 1) tokens' worth of time.
   * Buckets are kept as the time they will be full again, which makes the arithmetic exact.
   */
  private final long maxDebtToTake;
  private final int maxKeys;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
  // Reserved before a bucket is inserted and released after it is removed, so the map never
  // holds more than maxKeys buckets, even while threads race to insert.
  private final AtomicInteger tracked = new AtomicInteger();
  private final LongAdder untracked = new LongAdder();

  /**
   * @param perSecond tokens a key gets back per second; 0 disables the limit
   * @param burst most tokens a key can hold, i.e. takes allowed at once; 0 disables the limit
   * @param maxKeys most keys tracked at once
   * @throws IllegalArgumentException if a value is negative (or not a number), maxKeys is 0, or a
   *     bucket would take centuries to refill
   */
  public KeyedRateLimit(double perSecond, int burst, int maxKeys) {
    if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException("perSecond must be a finite number >= 0: " + perSecond);
    }
    if (burst < 0) throw new IllegalArgumentException("burst must be >= 0: " + burst);
    if (maxKeys < 1) throw new IllegalArgumentException("maxKeys must be >= 1: " + maxKeys);
    this.disabled = perSecond == 0 || burst == 0;
    // Faster than a token per nanosecond cannot be told apart from it.
    this.nanosPerToken = disabled ? 0 : Math.max(1, Math.round(NANOS_PER_SECOND / perSecond));
    this.maxDebtToTake = disabled ? 0 : refillNanos(burst, nanosPerToken, perSecond) - nanosPerToken;
    this.maxKeys = maxKeys;
  }

  /** Time an empty bucket takes to fill; it must fit in a difference of nanoTime readings. */
  private static long refillNanos(int burst, long nanosPerToken, double perSecond) {
    try {
      return Math.multiplyExact(burst, nanosPerToken);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("a bucket of " + burst + " at " + perSecond + "/s takes centuries to refill");
    }
  }

  /** Takes one token from {@code key}'s bucket; false when it has none (the caller should refuse). */
  public boolean tryTake(String key, long nowNanos) {
    if (disabled) return true;
    while (true) {
      Bucket bucket = buckets.get(key);
      if (bucket == null) bucket = track(key, nowNanos);
      if (bucket == null) {
        untracked.increment();
        return true;
      }
      Take take = bucket.take(nowNanos);
      if (take != Take.FORGOTTEN) return take == Take.TAKEN;
      // A sweep forgot this bucket after we looked it up: help remove it, then use a fresh one.
      remove(key, bucket);
    }
  }

  /**
   * True when {@code key} has less than one token, so its next {@link #tryTake} would fail; false
   * for a key not tracked. Takes nothing.
   */
  public boolean exhausted(String key, long nowNanos) {
    if (disabled) return false;
    Bucket bucket = buckets.get(key);
    return bucket != null && bucket.exhausted(nowNanos);
  }

  /**
   * Forgets every key whose bucket is full at {@code nowNanos}. Call it periodically; it visits
   * every tracked key.
   */
  public void sweep(long nowNanos) {
    buckets.forEach((key, bucket) -> {
      if (bucket.forgetIfFull(nowNanos)) remove(key, bucket);
    });
  }

  /** Keys tracked now. */
  public int keys() {
    return buckets.size();
  }

  /** Takes allowed without a bucket because {@code maxKeys} keys were tracked, since creation. */
  public long untracked() {
    return untracked.sum();
  }

  /** The bucket now tracking {@code key}, or null when the table is full. */
  private Bucket track(String key, long nowNanos) {
    if (!reserveSlot()) return null;
    Bucket fresh = new Bucket(nowNanos);
    Bucket raced = buckets.putIfAbsent(key, fresh);
    if (raced == null) return fresh;
    tracked.decrementAndGet();
    return raced;
  }

  private boolean reserveSlot() {
    int count;
    do {
      count = tracked.get();
      if (count >= maxKeys) return false;
    } while (!tracked.compareAndSet(count, count + 1));
    return true;
  }

  private void remove(String key, Bucket bucket) {
    if (buckets.remove(key, bucket)) tracked.decrementAndGet();
  }

  private enum Take { TAKEN, EMPTY, FORGOTTEN }

  /**
   * One key's tokens, kept as the time the bucket will be full again. A forgotten bucket refuses
   * further takes, so a take racing with the sweep that removes it retries on the key's next
   * bucket instead of spending a token nobody will see.
   */
  private final class Bucket {

    private long fullAt;
    private boolean forgotten;

    Bucket(long nowNanos) {
      this.fullAt = nowNanos;
    }

    synchronized Take take(long nowNanos) {
      if (forgotten) return Take.FORGOTTEN;
      long debt = debt(nowNanos);
      if (debt > maxDebtToTake) return Take.EMPTY;
      fullAt = nowNanos + debt + nanosPerToken;
      return Take.TAKEN;
    }

    synchronized boolean exhausted(long nowNanos) {
      return !forgotten && debt(nowNanos) > maxDebtToTake;
    }

    synchronized boolean forgetIfFull(long nowNanos) {
      if (debt(nowNanos) == 0) forgotten = true;
      return forgotten;
    }

    /** Time until the bucket is full. Differences, not comparisons, because nanoTime may wrap. */
    private long debt(long nowNanos) {
      return Math.max(0, fullAt - nowNanos);
    }
  }
}
