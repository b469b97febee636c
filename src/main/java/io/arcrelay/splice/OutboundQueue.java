package io.arcrelay.splice;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes a peer has queued for one client and not yet seen written, counted in the node's
 * {@link MemoryBudget}: the back-pressure every side applies the same way. Past {@code limit} the
 * side is {@link #congested()} and its feeder stops reading; once half is written the feeder is told
 * to resume. Bytes are added on the feeder's thread and taken on the writer's.
 */
public final class OutboundQueue {

  private final long limit;
  private final MemoryBudget budget;
  private final AtomicLong queued = new AtomicLong();
  private final AtomicBoolean feederWaitsForDrain = new AtomicBoolean();
  private volatile long lastWritten = System.nanoTime();

  public OutboundQueue(long limit, MemoryBudget budget) {
    this.limit = limit;
    this.budget = budget;
  }

  /** {@code bytes} are handed to the client's socket to write. */
  public void add(int bytes) {
    if (queued.getAndAdd(bytes) == 0) lastWritten = System.nanoTime(); // the stall clock starts now
    budget.add(MemoryBudget.Use.QUEUED, bytes);
  }

  /**
   * {@code bytes} were written (or failed: they are freed either way). Tells {@code feeder}, when it
   * is known and waits for it, that it may read again.
   */
  public void written(int bytes, Peer feeder) {
    lastWritten = System.nanoTime();
    budget.add(MemoryBudget.Use.QUEUED, -bytes);
    long left = queued.addAndGet(-bytes);
    if (left <= limit / 2 && feeder != null && feederWaitsForDrain.compareAndSet(true, false)) {
      feeder.resumeReading();
    }
  }

  /** Bytes queued and not yet written. */
  public long pending() {
    return queued.get();
  }

  /** Full when {@code limit} bytes wait; the feeder is then told when half are written. */
  public boolean congested() {
    if (queued.get() < limit) return false;
    feederWaitsForDrain.set(true);
    // Writes completing between the check and the flag saw nobody waiting: look again.
    return queued.get() > limit / 2 || !feederWaitsForDrain.compareAndSet(true, false);
  }

  /** True when bytes wait and the client has taken none of them for {@code stallNanos}. */
  public boolean stalled(long stallNanos) {
    return queued.get() > 0 && System.nanoTime() - lastWritten > stallNanos;
  }
}
