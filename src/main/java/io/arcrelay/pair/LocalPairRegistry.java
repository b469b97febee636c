package io.arcrelay.pair;

import io.arcrelay.splice.PairEnd;
import io.arcrelay.splice.PairMetrics;
import io.arcrelay.splice.PairSocket;
import io.arcrelay.splice.Seat;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pairs whose two sides are both on this node. Thread-safe: sides arrive on different event loops.
 *
 * <p>Each pair is a fresh object; it is removed from the map only by identity, so a late event from
 * an old pair can never end a newer pair that reuses the same code.
 */
public final class LocalPairRegistry implements PairRegistry {

  private static final Logger log = LoggerFactory.getLogger(LocalPairRegistry.class);

  private final Vertx vertx;
  private final Duration pairTtl;
  private final PairMetrics metrics;
  private final ConcurrentHashMap<PairCode, Pair> pairs = new ConcurrentHashMap<>();
  private volatile boolean stopping;

  public LocalPairRegistry(Vertx vertx, Duration pairTtl, PairMetrics metrics) {
    this.vertx = vertx;
    this.pairTtl = pairTtl;
    this.metrics = metrics;
  }

  @Override
  public Future<Seat> claim(PairCode code) {
    Seat[] granted = new Seat[1];
    pairs.compute(code, (c, existing) -> {
      if (existing == null) {
        Pair pair = new Pair(c);
        granted[0] = pair.seatA;
        return pair;
      }
      granted[0] = existing.claimB();
      return existing;
    });
    Seat seat = granted[0];
    if (seat == null) return Future.failedFuture(new PairFullException());
    if (seat.side() == Seat.Side.A) ((LocalSeat) seat).pair.startTtl();
    log.debug("{} side {} claimed", code, seat.side());
    return Future.succeededFuture(seat);
  }

  @Override
  public Future<Seat> join(PairCode code) {
    Seat[] granted = new Seat[1];
    pairs.computeIfPresent(code, (c, existing) -> {
      granted[0] = existing.claimB();
      return existing;
    });
    if (granted[0] == null) return Future.failedFuture(new NoSuchPairException());
    log.debug("{} side B joined", code);
    return Future.succeededFuture(granted[0]);
  }

  @Override
  public PairMetrics.Census census() {
    int waiting = 0;
    int active = 0;
    for (Pair pair : pairs.values()) {
      if (pair.seatB == null) waiting++; else active++;
    }
    return new PairMetrics.Census(waiting, active, waiting + active, active);
  }

  @Override
  public void stopping() {
    stopping = true;
  }

  private final class Pair {
    final PairCode code;
    final LocalSeat seatA = new LocalSeat(this, Seat.Side.A);
    LocalSeat seatB;
    PairSocket socketA;
    PairSocket socketB;
    PairEnd ended;
    long ttlTimer = -1;
    final long createdNanos = System.nanoTime();
    long formedNanos = -1;

    Pair(PairCode code) {
      this.code = code;
    }

    /** Called inside the map's compute for this code, so never twice at once. */
    LocalSeat claimB() {
      if (seatB != null) return null;
      seatB = new LocalSeat(this, Seat.Side.B);
      return seatB;
    }

    synchronized void startTtl() {
      if (ended == null && socketB == null) {
        ttlTimer = vertx.setTimer(pairTtl.toMillis(), id -> expire());
      }
    }

    /**
     * Decided under the pair's lock: a side B attaching at the same moment either completes the
     * pair first (no expiry) or finds it ended and is closed, never paired to a side closed here.
     */
    private void expire() {
      PairSocket alone;
      long lived;
      synchronized (this) {
        if (ended != null || socketB != null) return;
        alone = socketA;
        lived = markEnded(PairEnd.EXPIRED);
      }
      log.debug("{} expired after waiting {}", code, io.arcrelay.config.ConfigLoader.formatDuration(pairTtl));
      released(PairEnd.EXPIRED, lived);
      if (alone != null) alone.close(PairEnd.EXPIRED.self());
    }

    void attach(Seat.Side side, PairSocket socket) {
      PairEnd endedBefore;
      boolean complete;
      synchronized (this) {
        endedBefore = ended;
        if (endedBefore == null) {
          if (side == Seat.Side.A) socketA = socket; else socketB = socket;
        }
        complete = endedBefore == null && socketA != null && socketB != null;
        if (complete) {
          if (ttlTimer >= 0) vertx.cancelTimer(ttlTimer);
          formedNanos = System.nanoTime();
        }
      }
      if (endedBefore != null) {
        socket.close(endedBefore.peer());
      } else if (complete) {
        metrics.pairFormed(formedNanos - createdNanos);
        log.debug("{} paired", code);
        socketA.peerJoined(socketB);
        socketB.peerJoined(socketA);
      }
    }

    void leave(Seat.Side side, PairEnd why) {
      PairEnd effective = stopping ? PairEnd.STOPPING : why;
      if (!end(effective)) return;
      PairSocket other = side == Seat.Side.A ? socketB : socketA;
      if (other != null) other.close(effective.peer());
    }

    /** Marks the pair ended and frees its code; true only for the call that ended it. */
    private boolean end(PairEnd why) {
      long lived;
      synchronized (this) {
        if (ended != null) return false;
        lived = markEnded(why);
      }
      released(why, lived);
      log.debug("{} ended: {}", code, why);
      return true;
    }

    /** Holding the lock: the pair is over. Returns how long it was formed, or -1. */
    private long markEnded(PairEnd why) {
      ended = why;
      if (ttlTimer >= 0) vertx.cancelTimer(ttlTimer);
      return formedNanos < 0 ? -1 : System.nanoTime() - formedNanos;
    }

    /** The code is free again and the end counted. */
    private void released(PairEnd why, long lived) {
      pairs.remove(code, this);
      metrics.pairEnded(why, lived);
    }
  }

  private record LocalSeat(Pair pair, Seat.Side side) implements Seat {
    @Override
    public PairCode code() {
      return pair.code;
    }

    @Override
    public void attach(PairSocket socket) {
      pair.attach(side, socket);
    }

    @Override
    public void leave(PairEnd why) {
      pair.leave(side, why);
    }
  }
}
