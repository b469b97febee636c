package io.arcrelay.cluster;

import io.arcrelay.pair.PairCode;
import io.arcrelay.splice.PairEnd;
import io.arcrelay.splice.PairSocket;
import io.arcrelay.splice.Seat;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One side claimed on this node by a {@link ClusteredPairRegistry}: how it finds its peer, forms
 * the pair, and ends it (its own leaving, the other node's word, a lost link, its TTL, a split).
 * Its peer is either another seat of this node ({@code partner}) or on another node
 * ({@code remote}). State changes are guarded by the registry's monitor, shared by all its seats;
 * sockets are told what to do after it is released.
 */
final class ClusterSeat implements Seat, LinkCheck.Link {

  private static final Logger log = LoggerFactory.getLogger(ClusterSeat.class);
  private static final int REMOVE_ATTEMPTS = 5;
  private static final long REMOVE_RETRY_MS = 1_000;

  private final ClusteredPairRegistry registry;
  final Seat.Side side;
  final PairCode code;
  final String key;
  final String conn;
  PairEntry entry;
  /** False while its claim is being decided: such a seat is registered but not yet counted. */
  volatile boolean claimed;
  PairSocket socket;
  ClusterSeat partner;
  volatile RemotePeer remote;
  boolean ended;
  long ttlTimer = -1;
  final long claimedNanos = System.nanoTime();
  long formedNanos = -1;

  ClusterSeat(ClusteredPairRegistry registry, Seat.Side side, PairCode code, String key, String conn, PairEntry entry) {
    this.registry = registry;
    this.side = side;
    this.code = code;
    this.key = key;
    this.conn = conn;
    this.entry = entry;
  }

  @Override
  public Side side() {
    return side;
  }

  @Override
  public PairCode code() {
    return code;
  }

  @Override
  public void attach(PairSocket s) {
    List<Runnable> then = new ArrayList<>();
    synchronized (registry) {
      socket = s;
      if (ended) {
        then.add(() -> s.close(PairEnd.CLOSED.peer()));
      } else if (side == Seat.Side.B && remote == null && partner == null) {
        findA(then);
      }
      if (!ended) connectIfComplete(then);
    }
    then.forEach(Runnable::run);
  }

  /** Side B locates side A: a seat of this node, or a node to send {@code join} to. */
  private void findA(List<Runnable> then) {
    if (entry.nodeA().equals(registry.nodeId)) {
      ClusterSeat a = registry.seats.get(entry.connA());
      if (a == null || a.ended) {
        ended = true;
        registry.seats.remove(conn);
        then.add(() -> socket.close(PairEnd.CLOSED.peer()));
        then.add(this::removeEntry);
        return;
      }
      partner = a;
      a.partner = this;
      a.entry = entry;
    } else {
      RemotePeer toA = new RemotePeer(registry.router, registry.windowBudget, registry.memory, registry.pendingCredit, entry.nodeA(), entry.connA(), 0);
      remote = toA;
      then.add(() -> toA.sendJoin(registry.nodeId, conn));
    }
  }

  /** Called with the monitor held: hands each attached socket its peer once both are known. */
  private void connectIfComplete(List<Runnable> then) {
    if (remote != null && socket != null) {
      cancelTtl();
      formed(side == Seat.Side.A); // both nodes see it form; A's counts it
      PairSocket s = socket;
      RemotePeer r = remote;
      r.attachLocal(s);
      then.add(() -> s.peerJoined(r));
    } else if (partner != null && socket != null && partner.socket != null) {
      cancelTtl();
      partner.cancelTtl();
      formed(side == Seat.Side.A);
      partner.formed(partner.side == Seat.Side.A);
      PairSocket mine = socket;
      PairSocket theirs = partner.socket;
      log.debug("{} paired on {}", code, registry.nodeId);
      then.add(() -> {
        mine.peerJoined(theirs);
        theirs.peerJoined(mine);
      });
    }
  }

  /** Called with the monitor held, once the pair is connected. */
  private void formed(boolean count) {
    formedNanos = System.nanoTime();
    if (count) registry.metrics.pairFormed(formedNanos - claimedNanos);
  }

  boolean joinedRemotely(String fromNode, String fromConn) {
    List<Runnable> then = new ArrayList<>();
    synchronized (registry) {
      if (ended) return false;
      entry = entry.withB(fromNode, fromConn);
      remote = new RemotePeer(registry.router, registry.windowBudget, registry.memory, registry.pendingCredit, fromNode, fromConn, 1); // the join was 1
      log.debug("{} paired across nodes {} and {}", code, registry.nodeId, fromNode);
      connectIfComplete(then);
    }
    then.forEach(Runnable::run);
    return true;
  }

  void expire() {
    endAlone(PairEnd.EXPIRED);
  }

  /** Ends this side if it is still waiting for its peer. */
  void endAlone(PairEnd why) {
    synchronized (registry) {
      if (ended || partner != null || remote != null) return;
    }
    evict(why);
  }

  /** Ends the pair for a reason of the relay's own: this side is closed too, with {@code why.self()}. */
  void evict(PairEnd why) {
    PairSocket s;
    synchronized (registry) {
      s = socket;
    }
    log.debug("{} ended by the relay: {}", code, why);
    leave(why);
    if (s != null) s.close(why.self());
  }

  @Override
  public void leave(PairEnd why) {
    PairEnd effective = registry.effective(why);
    PairSocket partnerSocket = null;
    RemotePeer r;
    boolean aNotFound;
    long lived;
    synchronized (registry) {
      if (ended) return;
      lived = lifetime();
      end();
      if (partner != null && !partner.ended) {
        partner.end();
        partnerSocket = partner.socket;
      }
      r = remote;
      aNotFound = side == Seat.Side.B && partner == null && remote == null;
    }
    log.debug("{} ended on {}: {}", code, registry.nodeId, effective);
    registry.metrics.pairEnded(effective, lived);
    removeEntry();
    if (partnerSocket != null) partnerSocket.close(effective.peer());
    if (r != null) r.close(effective.peer());
    if (aNotFound) endA(effective.peer());
  }

  /**
   * A side B that leaves before it attached (its upgrade failed) never looked for its A, which
   * would wait alone for a B that will not come while its code is already free for another pair.
   */
  private void endA(PairEnd.Close close) {
    if (!entry.nodeA().equals(registry.nodeId)) {
      registry.router.sendClose(NodeRouter.Target.of(entry.connA()), 0, close);
      return;
    }
    ClusterSeat a = registry.seats.get(entry.connA());
    if (a != null) a.endedRemotely(close, null); // the end is counted here, once
  }

  /**
   * The other node ended the pair, or this node found it gone: close this side as told. The end is
   * counted as {@code why}, or not at all when null (the other node counted it).
   */
  boolean endedRemotely(PairEnd.Close close, PairEnd why) {
    PairSocket s;
    long lived;
    synchronized (registry) {
      if (ended) return false;
      lived = lifetime();
      end();
      s = socket;
    }
    log.debug("{} ended by its remote peer: {} {}", code, close.code(), close.reason());
    if (why != null) registry.metrics.pairEnded(why, lived);
    removeEntry();
    if (s != null) s.close(close);
    return true;
  }

  @Override
  public RemotePeer remote() {
    return remote;
  }

  @Override
  public void lost(PairEnd why) {
    RemotePeer r = remote;
    if (endedRemotely(why.peer(), why) && r != null && why == PairEnd.LINK_LOST) r.close(why.peer());
  }

  private long lifetime() {
    return formedNanos < 0 ? -1 : System.nanoTime() - formedNanos;
  }

  private void end() {
    ended = true;
    cancelTtl();
    registry.seats.remove(conn);
    if (remote != null) remote.release();
  }

  private void cancelTtl() {
    if (ttlTimer >= 0) {
      registry.vertx.cancelTimer(ttlTimer);
      ttlTimer = -1;
    }
  }

  /**
   * Removes the entry if it still names this side (as it was claimed, or with a side B joined
   * since), so a newer pair of the same code is never touched and no entry of ours answers 409.
   */
  private void removeEntry() {
    // A pair split across nodes needs one removal, not one per side: side B's node does it, whatever
    // ends the pair. Should B's node die first, the entry names a node that left, and the next
    // claimant of the code takes it over.
    if (side == Seat.Side.A && remote != null && entry.complete()) return;
    removeEntry(REMOVE_ATTEMPTS);
  }

  /** A failed removal would leave the code answering 409 while this node lives: try again. */
  private void removeEntry(int attempts) {
    registry.map.removeNamed(key, conn).onFailure(e -> {
      if (attempts > 1) {
        registry.vertx.setTimer(REMOVE_RETRY_MS, id -> removeEntry(attempts - 1));
      } else {
        log.warn("{}: pair-map entry not removed ({}); taken over when {} leaves", code, e.toString(), registry.nodeId);
      }
    });
  }
}
