package io.arcrelay.edge;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open connections per key (a client IP), with a cap per key. Safe to call from any number of
 * threads.
 *
 * <p>A key's entry exists only while it has open connections, so memory follows the number of open
 * connections (which the operating system bounds) and never the number of clients ever seen.
 */
public final class ConnectionCounts {

  // A count that reached zero is marked before its entry is removed, so an open racing with the
  // removal retries on a new entry instead of counting on one that is leaving the map.
  private static final int REMOVED = -1;

  private final int maxPerKey;
  private final ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  /**
   * @param maxPerKey most connections one key may have open at once; 0 means no cap (still counted)
   * @throws IllegalArgumentException if maxPerKey is negative
   */
  public ConnectionCounts(int maxPerKey) {
    if (maxPerKey < 0) throw new IllegalArgumentException("maxPerKey must be >= 0: " + maxPerKey);
    this.maxPerKey = maxPerKey;
  }

  /**
   * Counts a new connection for {@code key}, unless the key is at its cap: then returns false and
   * counts nothing. Every true must be matched by one {@link #close}.
   */
  public boolean tryOpen(String key) {
    while (true) {
      AtomicInteger count = counts.computeIfAbsent(key, newKey -> new AtomicInteger());
      int open = count.get();
      if (open == REMOVED) {
        counts.remove(key, count);
        continue;
      }
      if (maxPerKey > 0 && open >= maxPerKey) return false;
      if (count.compareAndSet(open, open + 1)) return true;
    }
  }

  /**
   * Uncounts a connection opened by {@link #tryOpen}; the key is forgotten when its last one closes.
   *
   * @throws IllegalStateException if {@code key} has no open connection (an unmatched close)
   */
  public void close(String key) {
    AtomicInteger count = counts.get(key);
    if (count == null) throw unmatchedClose(key);
    int open;
    do {
      open = count.get();
      if (open <= 0) throw unmatchedClose(key);
    } while (!count.compareAndSet(open, open - 1));
    // Fails when a connection opened since the decrement: the entry is still in use then.
    if (open == 1 && count.compareAndSet(0, REMOVED)) counts.remove(key, count);
  }

  /** Connections open for {@code key} now. */
  public int count(String key) {
    AtomicInteger count = counts.get(key);
    return count == null ? 0 : Math.max(count.get(), 0);
  }

  /** Keys with at least one open connection. */
  public int keys() {
    return counts.size();
  }

  private static IllegalStateException unmatchedClose(String key) {
    return new IllegalStateException("close without an open connection for " + key);
  }
}
