package io.arcrelay.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.arcrelay.pair.PairCode;
import io.arcrelay.pair.PairEnd;
import io.arcrelay.pair.PairMetrics;
import io.arcrelay.pair.PairRegistry;
import io.arcrelay.pair.MemoryBudget;
import io.arcrelay.pair.PairSocket;
import io.arcrelay.pair.Seat;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pairs across a Vert.x cluster. Which node holds each side of a code is kept in a Hazelcast
 * {@link AsyncMap} (keyed by the code's SHA-256, so codes never leave the node that received them),
 * claimed with single-key atomic operations. Pairs whose two sides are on this node are spliced
 * directly, exactly as on a single node; pairs split across nodes exchange frames, credit, join and
 * close messages through the {@link NodeRouter}.
 *
 * <p>No map entry outlives its pair: a side removes the exact value it claimed when it leaves, and
 * an entry whose side is gone (its node left the cluster, or it came from an earlier relay on this
 * node) is taken over by the next claimant instead of answering 409 or being joined. When a node
 * leaves, every local side whose peer was on it is closed with 1001 {@code peer node lost}.
 */
public final class ClusteredPairRegistry implements PairRegistry, NodeRouter.Inbox {

  private static final Logger log = LoggerFactory.getLogger(ClusteredPairRegistry.class);
  /** The clustered map of who holds each code. */
  static final String PAIR_MAP = "arc-relay.pairs";
  private static final int CLAIM_ATTEMPTS = 3;
  /** How long an upgrade may wait for its claim (Hazelcast's own operation timeout is minutes). */
  private static final long CLAIM_DEADLINE_MS = 5_000;
  private static final int REMOVE_ATTEMPTS = 5;
  private static final long REMOVE_RETRY_MS = 1_000;

  private final Vertx vertx;
  private final ClusterManager cluster;
  private final String nodeId;
  private final AsyncMap<String, String> map;
  private final Duration pairTtl;
  private final int quorum;
  private final UUID lifecycleListener;
  private final PairMetrics metrics;
  private final MemoryBudget memory;
  private final String routerId;
  private final NodeRouter router;
  /** What this node's cross-node senders may add to their base windows in all (docs/benchmarks.md). */
  private final WindowBudget windowBudget = new WindowBudget(64L * 1024 * 1024);
  private final UUID membershipListener;
  private final LinkCheck linkCheck;
  private final long checkTimer;
  private final PendingCredit pendingCredit = new PendingCredit();
  private final long creditTimer;
  private final ConcurrentHashMap<String, ClusterSeat> seats = new ConcurrentHashMap<>();
  private final AtomicLong connections = new AtomicLong();
  private volatile boolean stopping;
  /** From a split-brain merge until this node's router can be reached again: not ready meanwhile. */
  private volatile boolean merging;

  private ClusteredPairRegistry(Vertx vertx, AsyncMap<String, String> map, Duration pairTtl, int quorum,
      PairMetrics metrics, MemoryBudget memory) {
    this.vertx = vertx;
    this.quorum = quorum;
    this.metrics = metrics;
    this.memory = memory;
    this.cluster = ((VertxInternal) vertx).clusterManager();
    this.nodeId = cluster.getNodeId();
    this.map = map;
    this.pairTtl = pairTtl;
    this.routerId = nodeId + "." + Long.toHexString(new SecureRandom().nextLong());
    this.router = new NodeRouter(vertx, routerId, this);
    this.membershipListener = hazelcast().getCluster()
        .addMembershipListener(new MembershipListener() {
          @Override
          public void memberAdded(MembershipEvent event) {
          }

          @Override
          public void memberRemoved(MembershipEvent event) {
            nodesLost();
          }
        });
    Context context = vertx.getOrCreateContext(); // the router's: it re-registers there after a merge
    this.lifecycleListener = hazelcast().getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGING) merging = true;
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) context.runOnContext(v -> merged());
    });
    this.linkCheck = new LinkCheck(router, this::alive);
    this.checkTimer = vertx.setPeriodic(LinkCheck.INTERVAL_MS, id -> linkCheck.run(seats.values()));
    this.creditTimer = vertx.setPeriodic(PendingCredit.FLUSH_INTERVAL_MS, id -> pendingCredit.flush());
  }

  private HazelcastInstance hazelcast() {
    return ((HazelcastClusterManager) cluster).getHazelcastInstance();
  }

  /** Joins the pair map and starts this node's router; {@code vertx} must be clustered with Hazelcast. */
  public static Future<PairRegistry> create(Vertx vertx, Duration pairTtl, int quorum, PairMetrics metrics,
      MemoryBudget memory) {
    return vertx.sharedData().<String, String>getAsyncMap(PAIR_MAP).compose(map -> {
      ClusteredPairRegistry registry = new ClusteredPairRegistry(vertx, map, pairTtl, quorum, metrics, memory);
      return registry.router.ready().map(v -> registry);
    });
  }

  public String nodeId() {
    return nodeId;
  }

  public List<String> members() {
    return cluster.getNodes();
  }

  /**
   * Why this node should get no new clients, or null: it must be a running member of the cluster,
   * in a half of at least {@code clusterQuorum} nodes when the cluster is split.
   */
  public String outOfService() {
    if (!hazelcast().getLifecycleService().isRunning() || !cluster.getNodes().contains(nodeId)) {
      return "not a cluster member";
    }
    if (merging) return "merging into the healed cluster";
    int members = cluster.getNodes().size();
    return members < quorum ? "below quorum: " + members + " of " + quorum + " nodes" : null;
  }

  /**
   * Claims side A, or side B of a waiting A. The would-be side A is registered here before the map
   * can name it: a side B that reads the entry (on this node or another) must find its A, even when
   * B's claim completes before A's.
   *
   * <p>A claim is answered within {@link #CLAIM_DEADLINE_MS} (a failure, so the client gets 503,
   * rather than an upgrade left hanging on a slow map); a claim that succeeds after its deadline
   * is given up at once, as if its client had left.
   */
  @Override
  public Future<Seat> claim(PairCode code) {
    String conn = routerId + "/" + connections.incrementAndGet();
    ClusterSeat asA = new ClusterSeat(Seat.Side.A, code, code.digest(), conn, PairEntry.waiting(nodeId, conn));
    seats.put(conn, asA);
    Promise<Seat> answer = Promise.promise();
    long deadline = vertx.setTimer(CLAIM_DEADLINE_MS, id ->
        answer.tryFail(new IllegalStateException("pair map did not answer within " + CLAIM_DEADLINE_MS + " ms")));
    claim(asA, CLAIM_ATTEMPTS).onComplete(claimed -> {
      vertx.cancelTimer(deadline);
      if (claimed.failed()) seats.remove(conn, asA);
      boolean answered = claimed.succeeded() ? answer.tryComplete(claimed.result()) : answer.tryFail(claimed.cause());
      if (!answered && claimed.succeeded()) {
        log.info("{} claimed after its deadline: given up", code);
        claimed.result().leave(PairEnd.CLOSED);
      }
    });
    return answer.future();
  }

  /**
   * Hazelcast may apply an operation and still report it failed (a timeout after the partition
   * owner applied it, a retry of an operation that had been applied): where the outcome matters,
   * the map is read again instead of guessing, and finding this side's own value means success.
   */
  private Future<Seat> claim(ClusterSeat asA, int attempts) {
    String wantedA = asA.entry.encode();
    return map.putIfAbsent(asA.key, wantedA)
        .recover(failure -> map.get(asA.key).compose(now -> now != null ? Future.succeededFuture(now) : Future.failedFuture(failure)))
        .compose(existing -> {
          if (existing == null || existing.equals(wantedA)) return Future.succeededFuture(claimed(asA));
          PairEntry current = PairEntry.decode(existing);
          boolean stale = gone(current.nodeA(), current.connA()) || (current.complete() && gone(current.nodeB(), current.connB()));
          if (current.complete() && !stale) return Future.failedFuture(new PairFullException());
          String wanted = stale ? wantedA : current.withB(nodeId, asA.conn).encode();
          return map.replaceIfPresent(asA.key, existing, wanted)
              .recover(failure -> map.get(asA.key).map(wanted::equals))
              .compose(replaced -> {
                if (!replaced) {
                  // Someone else changed the entry first: look again.
                  return attempts > 1 ? claim(asA, attempts - 1) : Future.failedFuture(new PairFullException());
                }
                if (stale) {
                  log.info("{} taken over from a side that is gone", asA.code);
                  return Future.succeededFuture(claimed(asA));
                }
                ClusterSeat asB = new ClusterSeat(Seat.Side.B, asA.code, asA.key, asA.conn, PairEntry.decode(wanted));
                seats.put(asB.conn, asB); // nothing can have reached asA: the map never named it
                return Future.succeededFuture(claimed(asB));
              });
        });
  }

  /** A claimed side waits at most {@code pairTtl} for its pair to form, whichever side it is. */
  private Seat claimed(ClusterSeat seat) {
    synchronized (this) {
      seat.claimed = true;
      seat.ttlTimer = vertx.setTimer(pairTtl.toMillis(), id -> seat.expire());
    }
    log.debug("{} side {} claimed on {}", seat.code, seat.side, nodeId);
    return seat;
  }

  private boolean alive(String node) {
    return cluster.getNodes().contains(node);
  }

  /**
   * Whether the side claimed as {@code conn} on {@code node} can no longer be there: its node left
   * the cluster, or it is this node's but from an earlier relay on it (another router), whose
   * entries may still be being removed.
   */
  private boolean gone(String node, String conn) {
    return !alive(node) || (node.equals(nodeId) && !NodeRouter.routerOf(conn).equals(routerId));
  }

  /** A pair split across nodes counts as active on both of them. */
  @Override
  public PairMetrics.Census census() {
    int waiting = 0;
    int active = 0;
    int sidesA = 0;
    int sidesB = 0;
    for (ClusterSeat seat : seats.values()) {
      if (!seat.claimed) continue;
      if (seat.side == Seat.Side.A) {
        sidesA++;
        if (seat.partner == null && seat.remote == null) waiting++; else active++;
      } else {
        sidesB++;
        if (seat.partner == null) active++;
      }
    }
    return new PairMetrics.Census(waiting, active, sidesA, sidesB);
  }

  @Override
  public void stopping() {
    stopping = true;
  }

  /** Why a pair ends as its sides are told: on a stopping node, whatever ends it, because of the stop. */
  private PairEnd effective(PairEnd why) {
    return stopping ? PairEnd.STOPPING : why;
  }

  @Override
  public NodeRouter.LinkState onCheck(String conn) {
    ClusterSeat seat = seats.get(conn);
    if (seat == null) return NodeRouter.LinkState.GONE;
    RemotePeer remote = seat.remote;
    return remote == null ? new NodeRouter.LinkState(0, 0) : remote.state();
  }

  @Override
  public Future<Void> close() {
    vertx.cancelTimer(checkTimer);
    vertx.cancelTimer(creditTimer);
    hazelcast().getCluster().removeMembershipListener(membershipListener);
    hazelcast().getLifecycleService().removeLifecycleListener(lifecycleListener);
    return router.close();
  }

  /** A member left: close every local side whose peer's node is no longer in the cluster. */
  private void nodesLost() {
    Set<String> alive = new HashSet<>(cluster.getNodes());
    int closed = 0;
    for (ClusterSeat seat : seats.values()) {
      RemotePeer remote = seat.remote;
      if (remote != null && !alive.contains(remote.remoteNode())) {
        seat.endedRemotely(PairEnd.NODE_LOST.peer(), PairEnd.NODE_LOST);
        closed++;
      }
    }
    log.info("a node left the cluster ({} remain); closed {} sides paired with it", alive.size(), closed);
    if (alive.size() < quorum) {
      // A map that refuses every claim here would leave them waiting until their TTL for a peer that
      // is sent to the other half: they are told to try again, and a load balancer that follows
      // /health/ready sends them there.
      log.warn("cluster split: {} of {} nodes needed here; closing the sides waiting on this node", alive.size(), quorum);
      seats.values().forEach(seat -> seat.endAlone(PairEnd.NO_QUORUM));
    }
  }

  /**
   * This node's half of a split cluster merged into the other one. Hazelcast kept the other half's
   * entry for each code claimed on both halves: this node's sides of such a code are closed, and
   * an entry of this node's that did not survive the merge is put back.
   */
  private void merged() {
    log.info("merged into the healed cluster ({} nodes): checking this node's {} sides", cluster.getNodes().size(), seats.size());
    router.reregister().onComplete(done -> {
      merging = false;
      if (done.failed()) log.warn("router not registered again after the merge: {}", done.cause().toString());
    });
    for (ClusterSeat seat : seats.values()) {
      if (!seat.claimed) continue;
      String mine = seat.entry.encode();
      map.putIfAbsent(seat.key, mine).onSuccess(held -> {
        if (held != null && !PairEntry.decode(held).names(seat.conn)) seat.evict(PairEnd.CLAIMED_TWICE);
      });
    }
  }

  // ---- NodeRouter.Inbox: messages from other nodes ----

  @Override
  public void onJoin(String conn, String fromNode, String fromConn) {
    ClusterSeat seat = seats.get(conn);
    if (seat == null || !seat.joinedRemotely(fromNode, fromConn)) {
      // A left before B's join arrived. On a stopping node that is why it left, and B is told so:
      // a client that sees 1001 reconnects, one that sees 1000 takes its peer for gone.
      router.sendClose(fromConn, 1, effective(PairEnd.CLOSED).peer()); // the first message of A's link
    }
  }

  @Override
  public void onFrame(String conn, long seq, WebSocketFrame frame) {
    ClusterSeat seat = seats.get(conn);
    RemotePeer remote = seat == null ? null : seat.remote;
    // A frame for a side without a link follows a lost join: the sender's link check ends that pair.
    if (remote != null && !remote.onFrame(seq, frame)) seat.lost(PairEnd.LINK_LOST);
  }

  @Override
  public void onCredit(String conn, long n) {
    ClusterSeat seat = seats.get(conn);
    if (seat != null && seat.remote != null) seat.remote.onCredit(n);
  }

  @Override
  public void onClose(String conn, long seq, PairEnd.Close close) {
    ClusterSeat seat = seats.get(conn);
    if (seat == null) return;
    RemotePeer remote = seat.remote;
    if (seq == 0 || remote == null || remote.inOrder(seq)) {
      seat.endedRemotely(close, null); // the other node counted the end
    } else {
      seat.endedRemotely(PairEnd.LINK_LOST.peer(), PairEnd.LINK_LOST); // a message before it was lost
    }
  }

  /**
   * One side claimed on this node. Its peer is either another seat of this node ({@code partner})
   * or on another node ({@code remote}). State changes are guarded by the registry's monitor;
   * sockets are told what to do after it is released.
   */
  private final class ClusterSeat implements Seat, LinkCheck.Link {
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

    ClusterSeat(Seat.Side side, PairCode code, String key, String conn, PairEntry entry) {
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
      synchronized (ClusteredPairRegistry.this) {
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
      if (entry.nodeA().equals(nodeId)) {
        ClusterSeat a = seats.get(entry.connA());
        if (a == null || a.ended) {
          ended = true;
          seats.remove(conn);
          then.add(() -> socket.close(PairEnd.CLOSED.peer()));
          then.add(this::removeEntry);
          return;
        }
        partner = a;
        a.partner = this;
        a.entry = entry;
      } else {
        RemotePeer toA = new RemotePeer(router, windowBudget, memory, pendingCredit, entry.nodeA(), entry.connA(), 0);
        remote = toA;
        then.add(() -> toA.sendJoin(nodeId, conn));
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
        log.info("{} paired on {}", code, nodeId);
        then.add(() -> {
          mine.peerJoined(theirs);
          theirs.peerJoined(mine);
        });
      }
    }

    /** Called with the monitor held, once the pair is connected. */
    private void formed(boolean count) {
      formedNanos = System.nanoTime();
      if (count) metrics.pairFormed(formedNanos - claimedNanos);
    }

    boolean joinedRemotely(String fromNode, String fromConn) {
      List<Runnable> then = new ArrayList<>();
      synchronized (ClusteredPairRegistry.this) {
        if (ended) return false;
        entry = entry.withB(fromNode, fromConn);
        remote = new RemotePeer(router, windowBudget, memory, pendingCredit, fromNode, fromConn, 1); // the join was 1
        log.info("{} paired across nodes {} and {}", code, nodeId, fromNode);
        connectIfComplete(then);
      }
      then.forEach(Runnable::run);
      return true;
    }

    private void expire() {
      endAlone(PairEnd.EXPIRED);
    }

    /** Ends this side if it is still waiting for its peer. */
    void endAlone(PairEnd why) {
      synchronized (ClusteredPairRegistry.this) {
        if (ended || partner != null || remote != null) return;
      }
      evict(why);
    }

    /** Ends the pair for a reason of the relay's own: this side is closed too, with {@code why.self()}. */
    void evict(PairEnd why) {
      PairSocket s;
      synchronized (ClusteredPairRegistry.this) {
        s = socket;
      }
      log.info("{} ended by the relay: {}", code, why);
      leave(why);
      if (s != null) s.close(why.self());
    }

    @Override
    public void leave(PairEnd why) {
      PairEnd effective = effective(why);
      PairSocket partnerSocket = null;
      RemotePeer r;
      boolean aNotFound;
      long lived;
      synchronized (ClusteredPairRegistry.this) {
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
      log.info("{} ended on {}: {}", code, nodeId, effective);
      metrics.pairEnded(effective, lived);
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
      if (!entry.nodeA().equals(nodeId)) {
        router.sendClose(entry.connA(), 0, close);
        return;
      }
      ClusterSeat a = seats.get(entry.connA());
      if (a != null) a.endedRemotely(close, null); // the end is counted here, once
    }

    /**
     * The other node ended the pair, or this node found it gone: close this side as told. The end is
     * counted as {@code why}, or not at all when null (the other node counted it).
     */
    boolean endedRemotely(PairEnd.Close close, PairEnd why) {
      PairSocket s;
      long lived;
      synchronized (ClusteredPairRegistry.this) {
        if (ended) return false;
        lived = lifetime();
        end();
        s = socket;
      }
      log.info("{} ended by its remote peer: {} {}", code, close.code(), close.reason());
      if (why != null) metrics.pairEnded(why, lived);
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
      seats.remove(conn);
      if (remote != null) remote.release();
    }

    private void cancelTtl() {
      if (ttlTimer >= 0) {
        vertx.cancelTimer(ttlTimer);
        ttlTimer = -1;
      }
    }

    /**
     * Removes the entry if it still names this side: the value this side knows, or failing that
     * whatever value the map holds with this side's connection in it (a side B may have joined
     * since), so a newer pair of the same code is never touched and no entry of ours answers 409.
     */
    private void removeEntry() {
      removeEntry(REMOVE_ATTEMPTS);
    }

    /** A failed removal would leave the code answering 409 while this node lives: try again. */
    private void removeEntry(int attempts) {
      map.removeIfPresent(key, entry.encode())
          .compose(removed -> removed ? Future.succeededFuture() : removeIfNamed())
          .onFailure(e -> {
            if (attempts > 1) {
              vertx.setTimer(REMOVE_RETRY_MS, id -> removeEntry(attempts - 1));
            } else {
              log.warn("{}: pair-map entry not removed ({}); taken over when {} leaves", code, e.toString(), nodeId);
            }
          });
    }

    private Future<Void> removeIfNamed() {
      return map.get(key).compose(value -> {
        if (value == null) return Future.succeededFuture();
        PairEntry current = PairEntry.decode(value);
        return current.names(conn) ? map.removeIfPresent(key, value).mapEmpty() : Future.succeededFuture();
      });
    }
  }
}
