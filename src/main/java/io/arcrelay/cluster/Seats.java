package io.arcrelay.cluster;

import io.arcrelay.splice.PairEnd;
import io.arcrelay.splice.PairMetrics;
import io.arcrelay.splice.Seat;
import io.vertx.core.http.WebSocketFrame;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * This node's seats by connection id, and what reaches them from other nodes. Its monitor is the
 * one lock of every {@link ClusterSeat} of the node: the two seats of a same-node pair change
 * together, and a side B finds its side A here.
 */
final class Seats implements NodeRouter.Inbox {

  private final SeatNode node;
  private final Consumer<ClusterSeat> release;
  private final ConcurrentHashMap<String, ClusterSeat> byConn = new ConcurrentHashMap<>();
  private volatile boolean stopping;

  /** {@code release} removes a seat's pair-map entry, once its pair has ended. */
  Seats(SeatNode node, Consumer<ClusterSeat> release) {
    this.node = node;
    this.release = release;
  }

  SeatNode node() {
    return node;
  }

  void add(ClusterSeat seat) {
    byConn.put(seat.conn(), seat);
  }

  ClusterSeat get(String conn) {
    return byConn.get(conn);
  }

  void remove(ClusterSeat seat) {
    byConn.remove(seat.conn(), seat);
  }

  Collection<ClusterSeat> all() {
    return byConn.values();
  }

  void release(ClusterSeat seat) {
    release.accept(seat);
  }

  void stopping() {
    stopping = true;
  }

  /** Why a pair ends as its sides are told: on a stopping node, whatever ends it, because of the stop. */
  PairEnd effective(PairEnd why) {
    return stopping ? PairEnd.STOPPING : why;
  }

  /** A pair split across nodes counts as active on both of them; a pair on this node once. */
  PairMetrics.Census census() {
    int waiting = 0;
    int active = 0;
    int sidesA = 0;
    int sidesB = 0;
    for (ClusterSeat seat : byConn.values()) {
      ClusterSeat.State state = seat.state();
      if (state == ClusterSeat.State.CLAIMING || state == ClusterSeat.State.ENDED) continue;
      if (seat.side() == Seat.Side.A) {
        sidesA++;
        if (seat.hasPeer()) active++; else waiting++;
      } else {
        sidesB++;
        if (!seat.hasPartner()) active++;
      }
    }
    return new PairMetrics.Census(waiting, active, sidesA, sidesB);
  }

  /** Closes every side whose peer's node is not in {@code alive}; how many. */
  int peersLost(Set<String> alive) {
    int closed = 0;
    for (ClusterSeat seat : byConn.values()) {
      RemotePeer remote = seat.remote();
      if (remote != null && !alive.contains(remote.remoteNode())) {
        seat.endedByPeer(PairEnd.NODE_LOST.peer(), PairEnd.NODE_LOST);
        closed++;
      }
    }
    return closed;
  }

  /** Ends every side still waiting for its peer, with {@code why}. */
  void endWaiting(PairEnd why) {
    byConn.values().forEach(seat -> seat.endAlone(why));
  }

  // ---- NodeRouter.Inbox: messages from other nodes ----

  @Override
  public void onJoin(String conn, String fromNode, String fromConn) {
    ClusterSeat seat = byConn.get(conn);
    if (seat == null || !seat.joinedRemotely(fromNode, fromConn)) {
      // A left before B's join arrived. On a stopping node that is why it left, and B is told so:
      // a client that sees 1001 reconnects, one that sees 1000 takes its peer for gone.
      node.router().sendClose(NodeRouter.Target.of(fromConn), 1, effective(PairEnd.CLOSED).peer()); // the first message of A's link
    }
  }

  @Override
  public void onFrame(String conn, long seq, WebSocketFrame frame) {
    ClusterSeat seat = byConn.get(conn);
    RemotePeer remote = seat == null ? null : seat.remote();
    // A frame for a side without a link follows a lost join: the sender's link check ends that pair.
    if (remote != null && !remote.onFrame(seq, frame)) seat.lost(PairEnd.LINK_LOST);
  }

  @Override
  public void onCredit(String conn, long n) {
    ClusterSeat seat = byConn.get(conn);
    RemotePeer remote = seat == null ? null : seat.remote();
    if (remote != null) remote.onCredit(n);
  }

  @Override
  public void onClose(String conn, long seq, PairEnd.Close close) {
    ClusterSeat seat = byConn.get(conn);
    if (seat == null) return;
    RemotePeer remote = seat.remote();
    if (seq == 0 || remote == null || remote.inOrder(seq)) {
      seat.endedByPeer(close, null); // the other node counted the end
    } else {
      seat.endedByPeer(PairEnd.LINK_LOST.peer(), PairEnd.LINK_LOST); // a message before it was lost
    }
  }

  @Override
  public NodeRouter.LinkState onCheck(String conn) {
    ClusterSeat seat = byConn.get(conn);
    if (seat == null) return NodeRouter.LinkState.GONE;
    RemotePeer remote = seat.remote();
    return remote == null ? new NodeRouter.LinkState(0, 0) : remote.state();
  }
}
