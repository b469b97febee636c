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
 * One side claimed on this node: how it finds its peer, forms the pair and ends it. Its peer is
 * another seat of this node ({@code partner}) or on another node ({@code remote}).
 *
 * <p>A seat goes {@link State#CLAIMING} → {@link State#WAITING} → {@link State#PAIRED} →
 * {@link State#ENDED}, and may end from any state. Whatever ends it goes through {@link #end}: its
 * own client leaving ({@link #leave}), the relay ({@link #evict}, {@link #endAlone}), its peer
 * ({@link #endedByPeer}: the other node's word, the peer's node lost, a lost link, a side B that
 * left before it attached), or a side B finding its side A already gone. State is changed only
 * under the monitor of the node's {@link Seats}, which all its seats share (the two seats of a
 * same-node pair change together); sockets are told what to do after it is released.
 */
final class ClusterSeat implements Seat, LinkCheck.Link {

  /** Where a seat is in its life. */
  enum State {
    /** Registered, so a side B can find it, while its claim is decided: not yet counted. */
    CLAIMING,
    /** Claimed; waits at most {@code pairTtl} for its peer. */
    WAITING,
    /** Its socket is spliced to its peer's. */
    PAIRED,
    ENDED
  }

  private static final Logger log = LoggerFactory.getLogger(ClusterSeat.class);

  private final Seats seats;
  private final Seat.Side side;
  private final PairCode code;
  private final String key;
  private final String conn;
  private final long claimedNanos = System.nanoTime();
  /** The pair-map value this side claimed (with its side B once known); guarded by {@code seats}. */
  private PairEntry entry;
  private volatile State state = State.CLAIMING;
  private PairSocket socket;
  private volatile ClusterSeat partner;
  private volatile RemotePeer remote;
  private long ttlTimer = -1;
  private long formedNanos = -1;

  ClusterSeat(Seats seats, Seat.Side side, PairCode code, String key, String conn, PairEntry entry) {
    this.seats = seats;
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

  /** The pair-map key: the code's digest. */
  String key() {
    return key;
  }

  /** This side's connection id, unique in the cluster. */
  String conn() {
    return conn;
  }

  State state() {
    return state;
  }

  /** Whether its peer is known (on this node or another), read without the monitor for the census. */
  boolean hasPeer() {
    return partner != null || remote != null;
  }

  boolean hasPartner() {
    return partner != null;
  }

  /** The pair-map value as this side claimed it. */
  String claimedEntry() {
    synchronized (seats) {
      return entry.encode();
    }
  }

  /** The claim succeeded: from now on it counts, and waits at most {@code pairTtl} for its pair. */
  void claimed() {
    synchronized (seats) {
      if (state != State.CLAIMING) return;
      state = State.WAITING;
      ttlTimer = seats.node().vertx().setTimer(seats.node().pairTtl().toMillis(), id -> endAlone(PairEnd.EXPIRED));
    }
    log.debug("{} side {} claimed on {}", code, side, seats.node().nodeId());
  }

  @Override
  public void attach(PairSocket s) {
    List<Runnable> then = new ArrayList<>();
    synchronized (seats) {
      socket = s;
      if (state == State.ENDED) {
        then.add(() -> s.close(PairEnd.CLOSED.peer()));
      } else {
        if (side == Seat.Side.B && !hasPeer()) findA(then);
        if (state != State.ENDED) connectIfComplete(then);
      }
    }
    then.forEach(Runnable::run);
  }

  /** Side B locates side A: a seat of this node, or a node to send {@code join} to. */
  private void findA(List<Runnable> then) {
    if (!entry.nodeA().equals(seats.node().nodeId())) {
      RemotePeer toA = seats.node().peer(entry.nodeA(), entry.connA(), 0);
      remote = toA;
      then.add(() -> toA.sendJoin(seats.node().nodeId(), conn));
      return;
    }
    ClusterSeat a = seats.get(entry.connA());
    if (a == null || a.state == State.ENDED) { // A left before B could find it
      Ending ending = end();
      PairSocket s = socket;
      then.add(() -> ending.finish(this, null));
      then.add(() -> s.close(PairEnd.CLOSED.peer()));
      return;
    }
    partner = a;
    a.partner = this;
    a.entry = entry;
  }

  /** With the monitor held: hands each attached socket its peer once both are known. */
  private void connectIfComplete(List<Runnable> then) {
    if (remote != null && socket != null) {
      formed(side == Seat.Side.A); // both nodes see it form; A's counts it
      PairSocket s = socket;
      RemotePeer r = remote;
      r.attachLocal(s);
      then.add(() -> s.peerJoined(r));
    } else if (partner != null && socket != null && partner.socket != null) {
      formed(side == Seat.Side.A);
      partner.formed(partner.side == Seat.Side.A);
      PairSocket mine = socket;
      PairSocket theirs = partner.socket;
      log.debug("{} paired on {}", code, seats.node().nodeId());
      then.add(() -> {
        mine.peerJoined(theirs);
        theirs.peerJoined(mine);
      });
    }
  }

  private void formed(boolean count) {
    cancelTtl();
    state = State.PAIRED;
    formedNanos = System.nanoTime();
    if (count) seats.node().metrics().pairFormed(formedNanos - claimedNanos);
  }

  /** Side B on {@code fromNode} joined this side A; false if this side has ended. */
  boolean joinedRemotely(String fromNode, String fromConn) {
    List<Runnable> then = new ArrayList<>();
    synchronized (seats) {
      if (state == State.ENDED) return false;
      entry = entry.withB(fromNode, fromConn);
      remote = seats.node().peer(fromNode, fromConn, 1); // the join was 1
      log.debug("{} paired across nodes {} and {}", code, seats.node().nodeId(), fromNode);
      connectIfComplete(then);
    }
    then.forEach(Runnable::run);
    return true;
  }

  /** Ends this side if it is still waiting for its peer. */
  void endAlone(PairEnd why) {
    synchronized (seats) {
      if (state == State.ENDED || hasPeer()) return;
    }
    evict(why);
  }

  /** Ends the pair for a reason of the relay's own: this side is closed too, with {@code why.self()}. */
  void evict(PairEnd why) {
    PairSocket s;
    synchronized (seats) {
      s = socket;
    }
    log.debug("{} ended by the relay: {}", code, why);
    leave(why);
    if (s != null) s.close(why.self());
  }

  @Override
  public void leave(PairEnd why) {
    PairEnd effective = seats.effective(why);
    Ending ending;
    boolean aNotFound;
    synchronized (seats) {
      if (state == State.ENDED) return;
      aNotFound = side == Seat.Side.B && !hasPeer();
      ending = end();
    }
    log.debug("{} ended on {}: {}", code, seats.node().nodeId(), effective);
    seats.node().metrics().pairEnded(effective, ending.lived);
    ending.finish(this, effective.peer());
    if (aNotFound) endA(effective.peer());
  }

  /**
   * A side B that leaves before it attached (its upgrade failed) never looked for its A, which
   * would wait alone for a B that will not come while its code is already free for another pair.
   */
  private void endA(PairEnd.Close close) {
    if (!entry.nodeA().equals(seats.node().nodeId())) {
      seats.node().router().sendClose(NodeRouter.Target.of(entry.connA()), 0, close);
      return;
    }
    ClusterSeat a = seats.get(entry.connA());
    if (a != null) a.endedByPeer(close, null); // the end is counted here, once
  }

  /**
   * Its peer ended the pair (the other node's word, its node lost, a lost link): close this side as
   * told. The end is counted as {@code why}, or not at all when null (the other node counted it).
   */
  boolean endedByPeer(PairEnd.Close close, PairEnd why) {
    PairSocket s;
    Ending ending;
    synchronized (seats) {
      if (state == State.ENDED) return false;
      ending = end();
      s = socket;
    }
    log.debug("{} ended by its peer: {} {}", code, close.code(), close.reason());
    if (why != null) seats.node().metrics().pairEnded(why, ending.lived);
    ending.finish(this, null);
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
    if (endedByPeer(why.peer(), why) && r != null && why == PairEnd.LINK_LOST) r.close(why.peer());
  }

  /**
   * What is left to do once a side has ended, after the monitor is released: release the pair's
   * map entry (once per pair), close its same-node partner, and tell its remote peer {@code close}
   * (none when the peer ended it).
   */
  private record Ending(long lived, PairSocket partnerSocket, RemotePeer remote, boolean release) {
    void finish(ClusterSeat seat, PairEnd.Close close) {
      if (release) seat.seats.release(seat);
      if (partnerSocket != null) partnerSocket.close(close != null ? close : PairEnd.CLOSED.peer());
      if (remote != null && close != null) remote.close(close);
    }
  }

  /**
   * With the monitor held: this side (and its same-node partner, whose pair it is) ends. The pair's
   * map entry is released once: a pair split across nodes by side B's node (should it die first,
   * the entry names a node that left and the next claimant takes it over), a pair on one node by
   * whichever side ends first.
   */
  private Ending end() {
    long lived = formedNanos < 0 ? -1 : System.nanoTime() - formedNanos;
    markEnded();
    PairSocket partnerSocket = null;
    ClusterSeat p = partner;
    if (p != null && p.state != State.ENDED) {
      p.markEnded();
      partnerSocket = p.socket;
    }
    RemotePeer r = remote;
    return new Ending(lived, partnerSocket, r, !(side == Seat.Side.A && r != null && entry.complete()));
  }

  private void markEnded() {
    state = State.ENDED;
    cancelTtl();
    seats.remove(this);
    if (remote != null) remote.release();
  }

  private void cancelTtl() {
    if (ttlTimer >= 0) {
      seats.node().vertx().cancelTimer(ttlTimer);
      ttlTimer = -1;
    }
  }
}
