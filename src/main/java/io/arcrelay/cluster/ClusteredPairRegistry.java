package io.arcrelay.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.arcrelay.pair.PairCode;
import io.arcrelay.pair.PairRegistry;
import io.arcrelay.splice.MemoryBudget;
import io.arcrelay.splice.PairEnd;
import io.arcrelay.splice.PairMetrics;
import io.arcrelay.splice.Seat;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pairs across a Vert.x cluster. Which node holds each side of a code is kept in a Hazelcast map
 * (keyed by the code's SHA-256, so codes never leave the node that received them), claimed with
 * single-key atomic operations ({@link PairMap}). Pairs whose two sides are on this node are spliced
 * directly, exactly as on a single node; pairs split across nodes exchange frames, credit, join and
 * close messages through the {@link NodeRouter}.
 *
 * <p>No map entry outlives its pair: a side removes the exact value it claimed when it leaves, and
 * an entry whose side is gone (its node left the cluster, or it came from an earlier relay on this
 * node) is taken over by the next claimant instead of answering 409 or being joined. When a node
 * leaves, every local side whose peer was on it is closed with 1001 {@code peer node lost}.
 */
public final class ClusteredPairRegistry implements PairRegistry, Membership, NodeRouter.Inbox {

  private static final Logger log = LoggerFactory.getLogger(ClusteredPairRegistry.class);
  /** The clustered map of who holds each code. */
  static final String PAIR_MAP = "arc-relay.pairs";
  private static final int CLAIM_ATTEMPTS = 3;
  /** How long an upgrade may wait for its claim (Hazelcast's own operation timeout is minutes). */
  private static final long CLAIM_DEADLINE_MS = 5_000;

  final Vertx vertx;
  private final ClusterManager cluster;
  final String nodeId;
  final PairMap map;
  final Duration pairTtl;
  private final int quorum;
  private final UUID lifecycleListener;
  final PairMetrics metrics;
  final MemoryBudget memory;
  private final String routerId;
  final NodeRouter router;
  /** What this node's cross-node senders may add to their base windows in all (docs/benchmarks.md). */
  final WindowBudget windowBudget = new WindowBudget(64L * 1024 * 1024);
  private final UUID membershipListener;
  private final LinkCheck linkCheck;
  private final long checkTimer;
  final PendingCredit pendingCredit = new PendingCredit();
  private final long creditTimer;
  final ConcurrentHashMap<String, ClusterSeat> seats = new ConcurrentHashMap<>();
  private final AtomicLong connections = new AtomicLong();
  private volatile boolean stopping;
  /** From a split-brain merge until this node's router can be reached again: not ready meanwhile. */
  private volatile boolean merging;

  private ClusteredPairRegistry(Vertx vertx, PairMap map, Duration pairTtl, int quorum,
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
    return hazelcastOf(vertx);
  }

  private static HazelcastInstance hazelcastOf(Vertx vertx) {
    return ((HazelcastClusterManager) ((VertxInternal) vertx).clusterManager()).getHazelcastInstance();
  }

  /** Joins the pair map and starts this node's router; {@code vertx} must be clustered with Hazelcast. */
  public static Future<ClusteredPairRegistry> create(Vertx vertx, Duration pairTtl, int quorum, PairMetrics metrics,
      MemoryBudget memory) {
    return create(vertx, PAIR_MAP, pairTtl, quorum, metrics, memory);
  }

  /**
   * A registry of its own in the map {@code mapName}, with a router of its own: tunnel data links
   * pair like pairs, but never count as pairs.
   */
  public static Future<ClusteredPairRegistry> create(Vertx vertx, String mapName, Duration pairTtl, int quorum,
      PairMetrics metrics, MemoryBudget memory) {
    // Creating a map's proxy may wait for the other members.
    return vertx.executeBlocking(() -> hazelcastOf(vertx).<String, String>getMap(mapName)).compose(map -> {
      ClusteredPairRegistry registry = new ClusteredPairRegistry(vertx, new PairMap(vertx, map), pairTtl, quorum, metrics, memory);
      return registry.router.ready().map(v -> registry);
    });
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public List<String> members() {
    return cluster.getNodes();
  }

  @Override
  public long clusterTime() {
    return hazelcast().getCluster().getClusterTime();
  }

  @Override
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
    return claim(code, false);
  }

  @Override
  public Future<Seat> join(PairCode code) {
    return claim(code, true);
  }

  private Future<Seat> claim(PairCode code, boolean joinOnly) {
    String conn = routerId + "/" + connections.incrementAndGet();
    ClusterSeat asA = new ClusterSeat(this, Seat.Side.A, code, code.digest(), conn, PairEntry.waiting(nodeId, conn));
    seats.put(conn, asA);
    Promise<Seat> answer = Promise.promise();
    long deadline = vertx.setTimer(CLAIM_DEADLINE_MS, id ->
        answer.tryFail(new IllegalStateException("pair map did not answer within " + CLAIM_DEADLINE_MS + " ms")));
    claim(asA, CLAIM_ATTEMPTS, joinOnly).onComplete(claimed -> {
      vertx.cancelTimer(deadline);
      if (claimed.failed()) seats.remove(conn, asA);
      boolean answered = claimed.succeeded() ? answer.tryComplete(claimed.result()) : answer.tryFail(claimed.cause());
      if (!answered && claimed.succeeded()) {
        log.debug("{} claimed after its deadline: given up", code);
        claimed.result().leave(PairEnd.CLOSED);
      }
    });
    return answer.future();
  }

  /**
   * One round trip decides: the map's owner writes this side in as side A of a new entry or side B
   * of a waiting one, and answers the entry as it now is. Hazelcast may apply an operation and still
   * report it failed (a timeout after the partition owner applied it, a retry of an operation that
   * had been applied): then the map is read again instead of guessing, and an entry naming this side
   * means success. With {@code joinOnly}, no entry is ever created: side B or nothing.
   */
  private Future<Seat> claim(ClusterSeat asA, int attempts, boolean joinOnly) {
    String wantedA = asA.entry.encode();
    Future<String> decided = (joinOnly ? map.join(asA.key, wantedA) : map.claim(asA.key, wantedA))
        .recover(failure -> map.get(asA.key).compose(now -> now != null ? Future.succeededFuture(now) : Future.failedFuture(failure)));
    return decided.compose(now -> {
      if (now == null) return Future.failedFuture(new NoSuchPairException());
      if (now.equals(wantedA)) return Future.succeededFuture(claimed(asA));
      PairEntry current = PairEntry.decode(now);
      if (!current.complete()) {
        // Only after a failure: another side's waiting entry, which this claim did not reach.
        return attempts > 1 ? claim(asA, attempts - 1, joinOnly) : Future.failedFuture(new PairFullException());
      }
      boolean joined = asA.conn.equals(current.connB());
      boolean stale = gone(current.nodeA(), current.connA()) || (!joined && gone(current.nodeB(), current.connB()));
      if (joined && !stale) {
        ClusterSeat asB = new ClusterSeat(this, Seat.Side.B, asA.code, asA.key, asA.conn, current);
        seats.put(asB.conn, asB); // nothing can have reached asA: the map never named it
        return Future.succeededFuture(claimed(asB));
      }
      if (!stale) return Future.failedFuture(new PairFullException());
      if (joinOnly) {
        return joined ? map.removeNamed(asA.key, asA.conn).transform(removed -> Future.failedFuture(new NoSuchPairException()))
            : Future.failedFuture(new NoSuchPairException());
      }
      // The entry names a side that is gone (its node left, or an earlier relay on this node): take it over as A.
      return map.replace(asA.key, now, wantedA)
          .recover(failure -> map.get(asA.key).map(wantedA::equals))
          .compose(replaced -> {
            if (replaced) {
              log.debug("{} taken over from a side that is gone", asA.code);
              return Future.succeededFuture(claimed(asA));
            }
            // Someone else changed the entry first: look again.
            return attempts > 1 ? claim(asA, attempts - 1, joinOnly) : Future.failedFuture(new PairFullException());
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
  PairEnd effective(PairEnd why) {
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
      router.sendClose(NodeRouter.Target.of(fromConn), 1, effective(PairEnd.CLOSED).peer()); // the first message of A's link
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
}
