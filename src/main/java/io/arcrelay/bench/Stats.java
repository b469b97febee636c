package io.arcrelay.bench;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;

/** Round-trip times in nanoseconds, summarised as percentiles in milliseconds. */
final class Stats {

  /** A 64-byte message carrying the time it was made, for {@link #addRoundTrip} when it comes back. */
  static Buffer stamped() {
    return Buffer.buffer(new byte[64]).setLong(0, System.nanoTime());
  }

  /** Records the round trip of a message made by {@link #stamped()} and echoed back. */
  void addRoundTrip(Buffer echoed) {
    add(System.nanoTime() - echoed.getLong(0));
  }

  private long[] samples = new long[1 << 16];
  private int count;

  synchronized void add(long nanos) {
    if (count == samples.length) samples = Arrays.copyOf(samples, count * 2);
    samples[count++] = nanos;
  }

  synchronized String summary() {
    if (count == 0) return "samples=0";
    long[] sorted = Arrays.copyOf(samples, count);
    Arrays.sort(sorted);
    return String.format("samples=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f",
        count, ms(sorted, 0.50), ms(sorted, 0.99), sorted[count - 1] / 1e6);
  }

  private static double ms(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }
}
