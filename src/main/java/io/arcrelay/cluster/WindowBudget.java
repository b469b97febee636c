package io.arcrelay.cluster;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of flow-control window, beyond each pair's base window, that one node's senders may
 * have in flight in all. Windows grow for pairs whose receivers keep up (see {@link RemotePeer});
 * this bound keeps what stalled readers can hold on other nodes small whatever the number of pairs.
 */
final class WindowBudget {

  private final AtomicLong free;

  WindowBudget(long bytes) {
    this.free = new AtomicLong(bytes);
  }

  /** Takes {@code bytes} if that many are left. */
  boolean take(long bytes) {
    long left;
    do {
      left = free.get();
      if (left < bytes) return false;
    } while (!free.compareAndSet(left, left - bytes));
    return true;
  }

  void give(long bytes) {
    free.addAndGet(bytes);
  }
}
