package io.arcrelay.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.arcrelay.pair.PairCode;
import io.arcrelay.pair.PairEnd;
import io.arcrelay.pair.PairMetrics;
import io.arcrelay.pair.PairRegistry;
import io.arcrelay.pair.MemoryBudget;
import io.arcrelay.pair.RelaySocket;
import io.arcrelay.pair.Seat;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
  private static final int CLAIM_ATTEMPTS = 3;
  private static final int REMOVE_ATTEMPTS = 5;
  private static final long REMOVE_RETRY_MS = 1_000;
  /** How often senders without credit ask their receiver where it stands, and routers are pinged. */
  private static final long PROBE_INTERVAL_MS = 5_000;
  /** A router that has not answered a ping for this long is cut off: its links are closed. */
  private static final long LINK_TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final ClusterManager cluster;
  private final String nodeId;
  private final AsyncMap<String, String> map;
  private final Duration pairTtl;
  private final PairMetrics metrics;
  private final MemoryBudget memory;
  private final String routerId;
  private final NodeRouter router;
  /** What this node's cross-node senders may add to their base windows in all (docs/benchmarks.md). */
  private final WindowBudget windowBudget = new WindowBudget(64L * 1024 * 1024);
  private final UUID membershipListener;
  private final long probeTimer;
  private final PendingCredit pendingCredit = new PendingCredit();
  private final long creditTimer;
  private final ConcurrentHashMap<String, ClusterSeat> seats = new ConcurrentHashMap<>();
  private final AtomicLong connections = new AtomicLong();
  private final Set<String> pinging = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;

  private ClusteredPairRegistry(Vertx vertx, AsyncMap<String, String> map, Duration pairTtl,
      PairMetrics metrics, MemoryBudget memory) {
    this.vertx = vertx;
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
    this.probeTimer = vertx.setPeriodic(PROBE_INTERVAL_MS, id -> probeLinks());
    this.creditTimer = vertx.setPeriodic(PendingCredit.FLUSH_INTERVAL_MS, id -> pendingCredit.flush());
  }

  private HazelcastInstance hazelcast() {
    return ((HazelcastClusterManager) cluster).getHazelcastInstance();
  }

  /** Joins the pair map and starts this node's router; {@code vertx} must be clustered with Hazelcast. */
  public static Future<PairRegistry> create(Vertx vertx, Duration pairTtl, PairMetrics metrics,
      MemoryBudget memory) {
    return vertx.sharedData().<String, String>getAsyncMap("arc-relay.pairs").compose(map -> {
      ClusteredPairRegistry registry = new ClusteredPairRegistry(vertx, map, pairTtl, metrics, memory);
      return registry.router.ready().map(v -> registry);
    });
  }

  public String nodeId() {
    return nodeId;
  }

  public List<String> members() {
    return cluster.getNodes();
  }

  /** Whether this node is still a running member of the cluster. */
  public boolean member() {
    return hazelcast().getLifecycleService().isRunning() && cluster.getNodes().contains(nodeId);
  }

  /**
   * Claims side A, or side B of a waiting A. The would-be side A is registered here before the map
   * can name it: a side B that reads the entry (on this node or another) must find its A, even when
   * B's claim completes before A's.
   */
  @Override
  public Future<Seat> claim(PairCode code) {
    String conn = routerId + "/" + connections.incrementAndGet();
    ClusterSeat asA = new ClusterSeat(Seat.Side.A, code, code.digest(), conn, PairEntry.waiting(nodeId, conn));
    seats.put(conn, asA);
    return claim(asA, CLAIM_ATTEMPTS).andThen(claimed -> {
      if (claimed.failed()) seats.remove(conn, asA);
    });
  }

  private Future<Seat> claim(ClusterSeat asA, int attempts) {
    String wantedA = asA.entry.encode();
    return map.putIfAbsent(asA.key, wantedA).compose(existing -> {
      if (existing == null) return Future.succeededFuture(claimed(asA));
      PairEntry current = PairEntry.decode(existing);
      boolean stale = gone(current.nodeA(), current.connA()) || (current.complete() && gone(current.nodeB(), current.connB()));
      if (current.complete() && !stale) return Future.failedFuture(new PairFullException());
      String wanted = stale ? wantedA : current.withB(nodeId, asA.conn).encode();
      return map.replaceIfPresent(asA.key, existing, wanted).compose(replaced -> {
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

  private Seat claimed(ClusterSeat seat) {
    seat.claimed = true;
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

  /**
   * The clustered event bus drops messages silently (a dead connection between nodes, the ~50 ms
   * after a consumer unregisters), so links are checked, never trusted:
   *
   * <ul>
   *   <li>Every router this node has pairs with is pinged; one silent for {@link #LINK_TIMEOUT_MS}
   *       has its links closed with 1011, so even a pair whose sides are both idle is not left
   *       half-alive.
   *   <li>A sender without credit may be waiting for a credit message that was lost, or for a peer
   *       whose close was lost: it asks. A lost credit is repaired by the answer; a peer that is gone
   *       closes this side with 1000; no answer closes it with 1011.
   * </ul>
   */
  private void probeLinks() {
    Map<String, List<ClusterSeat>> byRouter = new HashMap<>();
    for (ClusterSeat seat : seats.values()) {
      RemotePeer remote = seat.remote;
      if (remote == null) continue;
      byRouter.computeIfAbsent(NodeRouter.routerOf(remote.remoteConn()), r -> new ArrayList<>()).add(seat);
      if (remote.congested()) probeCredit(seat, remote);
    }
    byRouter.forEach(this::pingRouter);
  }

  private void pingRouter(String routerId, List<ClusterSeat> linked) {
    if (!pinging.add(routerId)) return; // the last ping is still waiting
    router.ping(routerId, LINK_TIMEOUT_MS).onComplete(answer -> {
      pinging.remove(routerId);
      if (answer.failed()) {
        log.warn("router {} did not answer: closing {} sides linked to it", routerId, linked.size());
        for (ClusterSeat seat : linked) {
          // A node that died meanwhile is reported as such, whichever of the two was noticed first.
          PairEnd why = alive(seat.remote.remoteNode()) ? PairEnd.LINK_LOST : PairEnd.NODE_LOST;
          seat.endedRemotely(why.peer(), why);
        }
      }
    });
  }

  private void probeCredit(ClusterSeat seat, RemotePeer remote) {
    router.probe(remote.remoteConn(), PROBE_INTERVAL_MS).onComplete(answer -> {
      if (answer.failed()) {
        seat.endedRemotely(PairEnd.LINK_LOST.peer(), PairEnd.LINK_LOST);
      } else if (answer.result() < 0) {
        seat.endedRemotely(PairEnd.CLOSED.peer(), null);
      } else {
        remote.onCredit(answer.result());
      }
    });
  }

  @Override
  public long onProbe(String conn) {
    ClusterSeat seat = seats.get(conn);
    RemotePeer remote = seat == null ? null : seat.remote;
    return remote == null ? -1 : remote.grantedTotal();
  }

  @Override
  public Future<Void> close() {
    vertx.cancelTimer(probeTimer);
    vertx.cancelTimer(creditTimer);
    hazelcast().getCluster().removeMembershipListener(membershipListener);
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
  }

  // ---- NodeRouter.Inbox: messages from other nodes ----

  @Override
  public void onJoin(String conn, String fromNode, String fromConn) {
    ClusterSeat seat = seats.get(conn);
    if (seat == null || !seat.joinedRemotely(fromNode, fromConn)) {
      // A left before B's join arrived. On a stopping node that is why it left, and B is told so:
      // a client that sees 1001 reconnects, one that sees 1000 takes its peer for gone.
      router.sendClose(fromConn, effective(PairEnd.CLOSED).peer());
    }
  }

  @Override
  public void onFrame(String conn, WebSocketFrame frame) {
    ClusterSeat seat = seats.get(conn);
    if (seat != null && seat.remote != null) seat.remote.onFrame(frame);
  }

  @Override
  public void onCredit(String conn, long n) {
    ClusterSeat seat = seats.get(conn);
    if (seat != null && seat.remote != null) seat.remote.onCredit(n);
  }

  @Override
  public void onClose(String conn, PairEnd.Close close) {
    ClusterSeat seat = seats.get(conn);
    if (seat != null) seat.endedRemotely(close, null); // the other node counted the end
  }

  /**
   * One side claimed on this node. Its peer is either another seat of this node ({@code partner})
   * or on another node ({@code remote}). State changes are guarded by the registry's monitor;
   * sockets are told what to do after it is released.
   */
  private final class ClusterSeat implements Seat {
    final Seat.Side side;
    final PairCode code;
    final String key;
    final String conn;
    PairEntry entry;
    /** False while its claim is being decided: such a seat is registered but not yet counted. */
    volatile boolean claimed;
    RelaySocket socket;
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
    public void attach(RelaySocket s) {
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
        remote = new RemotePeer(router, windowBudget, memory, pendingCredit, entry.nodeA(), entry.connA());
        then.add(() -> router.sendJoin(entry.connA(), nodeId, conn));
      }
    }

    /** Called with the monitor held: hands each attached socket its peer once both are known. */
    private void connectIfComplete(List<Runnable> then) {
      if (remote != null && socket != null) {
        cancelTtl();
        formed(side == Seat.Side.A); // both nodes see it form; A's counts it
        RelaySocket s = socket;
        RemotePeer r = remote;
        r.attachLocal(s);
        then.add(() -> s.peerJoined(r));
      } else if (partner != null && socket != null && partner.socket != null) {
        cancelTtl();
        partner.cancelTtl();
        formed(side == Seat.Side.A);
        partner.formed(partner.side == Seat.Side.A);
        RelaySocket mine = socket;
        RelaySocket theirs = partner.socket;
        log.info("{} paired on {}", code, nodeId);
        then.add(() -> {
          mine.peerJoined(theirs);
          theirs.peerJoined(mine);
        });
      } else if (side == Seat.Side.A && socket != null && ttlTimer < 0) {
        ttlTimer = vertx.setTimer(pairTtl.toMillis(), id -> expire());
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
        remote = new RemotePeer(router, windowBudget, memory, pendingCredit, fromNode, fromConn);
        log.info("{} paired across nodes {} and {}", code, nodeId, fromNode);
        connectIfComplete(then);
      }
      then.forEach(Runnable::run);
      return true;
    }

    private void expire() {
      RelaySocket alone;
      synchronized (ClusteredPairRegistry.this) {
        if (ended || partner != null || remote != null) return;
        alone = socket;
      }
      log.info("{} expired after waiting {}", code, pairTtl);
      leave(PairEnd.EXPIRED);
      if (alone != null) alone.close(PairEnd.EXPIRED.self());
    }

    @Override
    public void leave(PairEnd why) {
      PairEnd effective = effective(why);
      RelaySocket partnerSocket = null;
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
        router.sendClose(entry.connA(), close);
        return;
      }
      ClusterSeat a = seats.get(entry.connA());
      if (a != null) a.endedRemotely(close, null); // the end is counted here, once
    }

    /**
     * The other node ended the pair, or this node found it gone: close this side as told. The end is
     * counted as {@code why}, or not at all when null (the other node counted it).
     */
    void endedRemotely(PairEnd.Close close, PairEnd why) {
      RelaySocket s;
      long lived;
      synchronized (ClusteredPairRegistry.this) {
        if (ended) return;
        lived = lifetime();
        end();
        s = socket;
      }
      log.info("{} ended by its remote peer: {} {}", code, close.code(), close.reason());
      if (why != null) metrics.pairEnded(why, lived);
      removeEntry();
      if (s != null) s.close(close);
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

    /** Removes exactly the value this side knows, so a newer pair of the same code is untouched. */
    private void removeEntry() {
      removeEntry(entry.encode(), REMOVE_ATTEMPTS);
    }

    /** A failed removal would leave the code answering 409 while this node lives: try again. */
    private void removeEntry(String value, int attempts) {
      map.removeIfPresent(key, value).onFailure(e -> {
        if (attempts > 1) {
          vertx.setTimer(REMOVE_RETRY_MS, id -> removeEntry(value, attempts - 1));
        } else {
          log.warn("{}: pair-map entry not removed ({}); taken over when {} leaves", code, e.toString(), nodeId);
        }
      });
    }
  }
}
