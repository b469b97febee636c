package io.arcrelay.tunnel.agent;

import java.util.function.LongUnaryOperator;

/**
 * How long an agent waits before it reconnects: "full jitter", the n-th retry waits a random time
 * in {@code [0, min(cap, base * 2^n))}, so agents cut off together do not come back together.
 */
public final class Backoff {

  private final long baseMs;
  private final long capMs;
  private final LongUnaryOperator random; // bound -> a value in [0, bound)
  private int failures;

  /** {@code random}: given a bound, a value from 0 (inclusive) to it (exclusive). */
  public Backoff(long baseMs, long capMs, LongUnaryOperator random) {
    this.baseMs = baseMs;
    this.capMs = capMs;
    this.random = random;
  }

  /** The wait before the next attempt, in milliseconds; each call counts one more failure. */
  public long nextDelayMs() {
    long bound = Math.min(capMs, baseMs << Math.min(failures, 30));
    failures++;
    return random.applyAsLong(Math.max(1, bound));
  }

  /** The connection worked: the next failure starts from the shortest wait again. */
  public void reset() {
    failures = 0;
  }
}
