package io.arcrelay.splice;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The payload bytes one node holds for its clients, in all, against one limit: frames being
 * received (a partly read frame sits in the decoder until its last byte), held for a peer that has
 * not joined, queued for a client, and sent to another node without credit back yet. Counting every
 * place a frame can be means no mix of clients (many sockets each with half a 16 MiB frame, stopped
 * readers, lone senders) can take the node past its limit by more than one read per socket.
 *
 * <p>When the budget is spent, sockets stop being read as they next deliver bytes (see
 * {@link ReadGate}) and new upgrades are refused with 503; sockets are read again, a few at a
 * time, once the node is back under three quarters of its limit. Thread-safe.
 */
public final class MemoryBudget {

  /** Where the bytes are. */
  public enum Use { RECEIVING, HELD, QUEUED, IN_FLIGHT }

  /** What one socket can add between two checks: Netty reads at most 64 KiB at a time. */
  static final long ONE_READ = 64 * 1024;

  private final long limit;
  private final long resumeBelow;
  // One counter per use, and the total read as their sum: the data path updates one counter per
  // change (twice per frame), the total is read far less often (once per read, once per upgrade).
  private final AtomicLongArray byUse = new AtomicLongArray(Use.values().length);
  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

  public MemoryBudget(long limit) {
    this.limit = limit;
    this.resumeBelow = limit / 4 * 3;
  }

  /** Counts {@code bytes} more (or fewer, if negative) in {@code use}. */
  public void add(Use use, long bytes) {
    byUse.addAndGet(use.ordinal(), bytes);
    if (bytes < 0 && !waiting.isEmpty()) poke();
  }

  /** True while the node holds its limit or more: stop reading, refuse upgrades. */
  public boolean spent() {
    return used() >= limit;
  }

  public long limit() {
    return limit;
  }

  public long used() {
    long total = 0;
    for (int i = 0; i < byUse.length(); i++) total += byUse.get(i);
    return total;
  }

  public long used(Use use) {
    return byUse.get(use.ordinal());
  }

  /** Runs {@code resume} once the budget has room again (at once if it has room now). */
  void whenFreed(Runnable resume) {
    waiting.add(resume);
    // Room may have been made between the caller's check and the line above, with nobody waiting yet.
    poke();
  }

  /**
   * Wakes waiting sockets if there is room: called periodically, since sockets woken earlier may
   * have stayed quiet and made no room for the rest.
   */
  public void poke() {
    if (waiting.isEmpty()) return;
    long now = used();
    if (now < resumeBelow) wake(now);
  }

  /**
   * Wakes as many waiting sockets as the room left can take one read each from, at least one:
   * waking every paused socket at once would overshoot by a read per socket.
   */
  private void wake(long now) {
    long room = Math.max(ONE_READ, limit - now);
    for (long woken = 0; woken < room; woken += ONE_READ) {
      Runnable next = waiting.poll();
      if (next == null) return;
      next.run();
    }
  }
}
