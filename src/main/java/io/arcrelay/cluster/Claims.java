package io.arcrelay.cluster;

import io.arcrelay.pair.PairCode;
import io.arcrelay.pair.PairRegistry.NoSuchPairException;
import io.arcrelay.pair.PairRegistry.PairFullException;
import io.arcrelay.splice.PairEnd;
import io.arcrelay.splice.Seat;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims of codes in the clustered {@link PairMap}: a claim is one operation on the key's owner
 * that makes this side A of a new entry or B of a waiting one; an entry naming a side that is gone
 * is taken over; an ended pair's entry is released without a read. Pairs whose two sides are on
 * this node are then spliced directly by their {@link ClusterSeat}s, as on a single node.
 */
final class Claims {

  private static final Logger log = LoggerFactory.getLogger(Claims.class);
  private static final int ATTEMPTS = 3;
  /** How long an upgrade may wait for its claim (Hazelcast's own operation timeout is minutes). */
  private static final long DEADLINE_MS = 5_000;
  private static final int RELEASE_ATTEMPTS = 5;
  private static final long RELEASE_RETRY_MS = 1_000;

  private final Vertx vertx;
  private final PairMap map;
  private final ClusterMembers members;
  private final String routerId;
  private final AtomicLong connections = new AtomicLong();
  private Seats seats;

  Claims(Vertx vertx, PairMap map, ClusterMembers members, String routerId) {
    this.vertx = vertx;
    this.map = map;
    this.members = members;
    this.routerId = routerId;
  }

  /** The seats claims are made for (they release through {@link #release}). */
  void serve(Seats seats) {
    this.seats = seats;
  }

  /**
   * Claims side A, or side B of a waiting A; with {@code joinOnly}, side B or nothing. The would-be
   * side A is registered before the map can name it: a side B that reads the entry (on this node or
   * another) must find its A, even when B's claim completes before A's.
   *
   * <p>A claim is answered within {@link #DEADLINE_MS} (a failure, so the client gets 503, rather
   * than an upgrade left hanging on a slow map); one that succeeds after its deadline is given up at
   * once, as if its client had left.
   */
  Future<Seat> claim(PairCode code, boolean joinOnly) {
    String conn = routerId + "/" + connections.incrementAndGet();
    ClusterSeat asA = new ClusterSeat(seats, Seat.Side.A, code, code.digest(), conn, PairEntry.waiting(members.nodeId(), conn));
    seats.add(asA);
    Promise<Seat> answer = Promise.promise();
    long deadline = vertx.setTimer(DEADLINE_MS, id ->
        answer.tryFail(new IllegalStateException("pair map did not answer within " + DEADLINE_MS + " ms")));
    attempt(asA, ATTEMPTS, joinOnly).onComplete(claimed -> {
      vertx.cancelTimer(deadline);
      if (claimed.failed()) seats.remove(asA);
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
   * means success.
   */
  private Future<Seat> attempt(ClusterSeat asA, int attempts, boolean joinOnly) {
    String wantedA = asA.claimedEntry();
    Future<String> decided = (joinOnly ? map.join(asA.key(), wantedA) : map.claim(asA.key(), wantedA))
        .recover(failure -> map.get(asA.key()).compose(now -> now != null ? Future.succeededFuture(now) : Future.failedFuture(failure)));
    return decided.compose(now -> decide(asA, wantedA, now, attempts, joinOnly));
  }

  /** What the entry {@code now} means for the claim of {@code asA}. */
  private Future<Seat> decide(ClusterSeat asA, String wantedA, String now, int attempts, boolean joinOnly) {
    if (now == null) return Future.failedFuture(new NoSuchPairException());
    if (now.equals(wantedA)) return Future.succeededFuture(claimed(asA));
    PairEntry current = PairEntry.decode(now);
    if (!current.complete()) {
      // Only after a failure: another side's waiting entry, which this claim did not reach.
      return again(asA, attempts, joinOnly);
    }
    boolean joined = asA.conn().equals(current.connB());
    boolean stale = gone(current.nodeA(), current.connA()) || (!joined && gone(current.nodeB(), current.connB()));
    if (joined && !stale) {
      ClusterSeat asB = new ClusterSeat(seats, Seat.Side.B, asA.code(), asA.key(), asA.conn(), current);
      seats.add(asB); // replaces asA, which nothing can have reached: the map never named it
      return Future.succeededFuture(claimed(asB));
    }
    if (!stale) return Future.failedFuture(new PairFullException());
    if (joinOnly) {
      return joined ? map.removeNamed(asA.key(), asA.conn()).transform(removed -> Future.failedFuture(new NoSuchPairException()))
          : Future.failedFuture(new NoSuchPairException());
    }
    return takeOver(asA, now, wantedA, attempts);
  }

  /** The entry {@code now} names a side that is gone (its node left, or an earlier relay on this node): take it over as A. */
  private Future<Seat> takeOver(ClusterSeat asA, String now, String wantedA, int attempts) {
    return map.replace(asA.key(), now, wantedA)
        .recover(failure -> map.get(asA.key()).map(wantedA::equals))
        .compose(replaced -> {
          if (!replaced) return again(asA, attempts, false); // someone else changed the entry first
          log.debug("{} taken over from a side that is gone", asA.code());
          return Future.succeededFuture(claimed(asA));
        });
  }

  private Future<Seat> again(ClusterSeat asA, int attempts, boolean joinOnly) {
    return attempts > 1 ? attempt(asA, attempts - 1, joinOnly) : Future.failedFuture(new PairFullException());
  }

  private static Seat claimed(ClusterSeat seat) {
    seat.claimed();
    return seat;
  }

  /**
   * Whether the side claimed as {@code conn} on {@code node} can no longer be there: its node left
   * the cluster, or it is this node's but has ended (its entry's release is still on its way: a
   * client that reconnects at once must not be paired with the side it just closed) or came from an
   * earlier relay on this node (another router).
   */
  private boolean gone(String node, String conn) {
    if (!node.equals(members.nodeId())) return !members.alive(node);
    return !NodeRouter.routerOf(conn).equals(routerId) || seats.get(conn) == null;
  }

  /**
   * Removes the entry of {@code seat}'s pair if it still names that side (as claimed, or with a side
   * B joined since), so a newer pair of the same code is never touched. One operation, no read; a
   * failed one is tried again, as it would leave the code answering 409 while this node lives.
   */
  void release(ClusterSeat seat) {
    release(seat, RELEASE_ATTEMPTS);
  }

  private void release(ClusterSeat seat, int attempts) {
    map.removeNamed(seat.key(), seat.conn()).onFailure(e -> {
      if (attempts > 1) {
        vertx.setTimer(RELEASE_RETRY_MS, id -> release(seat, attempts - 1));
      } else {
        log.warn("{}: pair-map entry not removed ({}); taken over when {} leaves", seat.code(), e.toString(), members.nodeId());
      }
    });
  }

  /**
   * After a split-brain merge: Hazelcast kept the other half's entry for each code claimed on both
   * halves, so this node's sides of such a code are closed, and an entry of this node's that did not
   * survive the merge is put back.
   */
  void reassert() {
    for (ClusterSeat seat : seats.all()) {
      ClusterSeat.State state = seat.state();
      if (state == ClusterSeat.State.CLAIMING || state == ClusterSeat.State.ENDED) continue;
      map.putIfAbsent(seat.key(), seat.claimedEntry()).onSuccess(held -> {
        if (held != null && !PairEntry.decode(held).names(seat.conn())) seat.evict(PairEnd.CLAIMED_TWICE);
      });
    }
  }
}
