package io.arcrelay.cluster;

import io.arcrelay.pair.PairCode;
import io.arcrelay.pair.PairRegistry;
import io.arcrelay.splice.MemoryBudget;
import io.arcrelay.splice.PairEnd;
import io.arcrelay.splice.PairMetrics;
import io.arcrelay.splice.Seat;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pairs across a Vert.x cluster, put together from its parts: {@link Claims} (who holds each code,
 * in a Hazelcast map keyed by the code's SHA-256, so codes never leave the node that received them),
 * {@link Seats} (this node's sides, and what reaches them from other nodes through its
 * {@link NodeRouter}), {@link ClusterMembers} (node loss, quorum, merges) and {@link LinkCheck}.
 *
 * <p>No map entry outlives its pair: a pair's entry is released when it ends, and an entry whose
 * side is gone (its node left the cluster, or it came from an earlier relay on this node) is taken
 * over by the next claimant instead of answering 409 or being joined. When a node leaves, every
 * local side whose peer was on it is closed with 1001 {@code peer node lost}.
 */
public final class ClusteredPairRegistry implements PairRegistry, Membership, ClusterMembers.Changes {

  private static final Logger log = LoggerFactory.getLogger(ClusteredPairRegistry.class);
  /** The clustered map of who holds each code. */
  static final String PAIR_MAP = "arc-relay.pairs";

  private final Vertx vertx;
  private final ClusterMembers members;
  private final PairMap map;
  private final NodeRouter router;
  private final Seats seats;
  private final Claims claims;
  private final long checkTimer;
  private final long creditTimer;

  private ClusteredPairRegistry(Vertx vertx, ClusterMembers members, PairMap map, Duration pairTtl,
      PairMetrics metrics, MemoryBudget memory) {
    this.vertx = vertx;
    this.members = members;
    this.map = map;
    String routerId = members.nodeId() + "." + Long.toHexString(new SecureRandom().nextLong());
    this.claims = new Claims(vertx, map, members, routerId);
    this.router = new NodeRouter(vertx, routerId);
    // What this node's cross-node senders may add to their base windows in all (docs/benchmarks.md).
    WindowBudget windowBudget = new WindowBudget(64L * 1024 * 1024);
    PendingCredit pendingCredit = new PendingCredit();
    SeatNode node = new SeatNode(vertx, members.nodeId(), pairTtl, router, windowBudget, memory, pendingCredit, metrics);
    this.seats = new Seats(node, claims::release);
    claims.serve(seats);
    members.listen(vertx.getOrCreateContext(), this); // the router's context: it re-registers there after a merge
    LinkCheck linkCheck = new LinkCheck(router, members::alive);
    this.checkTimer = vertx.setPeriodic(LinkCheck.INTERVAL_MS, id -> linkCheck.run(seats.all()));
    this.creditTimer = vertx.setPeriodic(PendingCredit.FLUSH_INTERVAL_MS, id -> pendingCredit.flush());
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
    ClusterMembers members;
    try {
      members = new ClusterMembers(vertx, quorum);
    } catch (IllegalStateException notClustered) {
      return Future.failedFuture(notClustered);
    }
    // Creating a map's proxy may wait for the other members.
    return vertx.executeBlocking(() -> members.hazelcast().<String, String>getMap(mapName)).compose(map -> {
      ClusteredPairRegistry registry = new ClusteredPairRegistry(vertx, members, new PairMap(vertx, map), pairTtl, metrics, memory);
      return registry.router.open(registry.seats).map(v -> registry);
    });
  }

  @Override
  public Future<Seat> claim(PairCode code) {
    return claims.claim(code, false);
  }

  @Override
  public Future<Seat> join(PairCode code) {
    return claims.claim(code, true);
  }

  @Override
  public PairMetrics.Census census() {
    return seats.census();
  }

  @Override
  public void stopping() {
    seats.stopping();
  }

  @Override
  public Future<Void> close() {
    vertx.cancelTimer(checkTimer);
    vertx.cancelTimer(creditTimer);
    members.close();
    return router.close();
  }

  /** Operations this node has sent to the pair map. */
  long mapOperations() {
    return map.operations();
  }

  @Override
  public String nodeId() {
    return members.nodeId();
  }

  @Override
  public List<String> members() {
    return members.members();
  }

  @Override
  public long clusterTime() {
    return members.clusterTime();
  }

  @Override
  public String outOfService() {
    return members.outOfService();
  }

  @Override
  public void nodesLost(Set<String> alive, boolean belowQuorum) {
    int closed = seats.peersLost(alive);
    log.info("a node left the cluster ({} remain); closed {} sides paired with it", alive.size(), closed);
    if (belowQuorum) {
      // A map that refuses every claim here would leave them waiting until their TTL for a peer that
      // is sent to the other half: they are told to try again, and a load balancer that follows
      // /health/ready sends them there.
      log.warn("cluster split: {} nodes remain here, below the quorum; closing the sides waiting on this node", alive.size());
      seats.endWaiting(PairEnd.NO_QUORUM);
    }
  }

  @Override
  public void merged() {
    log.info("merged into the healed cluster ({} nodes): checking this node's {} sides", members.members().size(), seats.all().size());
    router.reregister().onComplete(done -> {
      members.settled();
      if (done.failed()) log.warn("router not registered again after the merge: {}", done.cause().toString());
    });
    claims.reassert();
  }
}
