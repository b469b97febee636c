package io.arcrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arcrelay.Await;
import io.arcrelay.Relay;
import io.arcrelay.ops.RelayMetrics;
import io.arcrelay.pair.PairCode;
import io.arcrelay.splice.MemoryBudget;
import io.arcrelay.splice.PairEnd;
import io.arcrelay.splice.PairSocket;
import io.arcrelay.splice.Peer;
import io.arcrelay.splice.Seat;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketFrame;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a pair costs in pair-map round trips on a real two-node cluster: a claim for each side and
 * one release, whether its sides are on one node or two; and no entry is left behind.
 */
class ClaimRoundTripsTest {

  private static final int PAIRS = 20;
  private static Vertx node1;
  private static Vertx node2;
  private static ClusteredPairRegistry registry1;
  private static ClusteredPairRegistry registry2;

  @BeforeAll
  static void formCluster() {
    node1 = Relay.vertx(TwoNodeSuite.clusterConfig(), new RelayMetrics()).await();
    node2 = Relay.vertx(TwoNodeSuite.clusterConfig(), new RelayMetrics()).await();
    registry1 = registry(node1);
    registry2 = registry(node2);
  }

  private static ClusteredPairRegistry registry(Vertx node) {
    return ClusteredPairRegistry.create(node, Duration.ofMinutes(1), 1, new RelayMetrics(), new MemoryBudget(1 << 20)).await();
  }

  @AfterAll
  static void leaveCluster() {
    registry2.close().await();
    registry1.close().await();
    node2.close().await();
    node1.close().await();
  }

  @Test
  void aPairOnOneNodeCostsThreeOperations() {
    assertEquals(3 * PAIRS, operationsFor("same", registry1));
  }

  @Test
  void aPairAcrossNodesCostsThreeOperations() {
    assertEquals(3 * PAIRS, operationsFor("cross", registry2));
  }

  /** Operations for {@link #PAIRS} pairs formed and ended, A on node 1 and B on {@code nodeB}. */
  private static long operationsFor(String prefix, ClusteredPairRegistry nodeB) {
    long before = operations();
    for (int i = 0; i < PAIRS; i++) {
      PairCode code = PairCode.of(prefix + "-" + i);
      Side a = new Side();
      Side b = new Side();
      registry1.claim(code).await().attach(a);
      Seat seatB = nodeB.join(code).await();
      seatB.attach(b);
      Await.until("pair " + i + " formed", () -> a.joined != null && b.joined != null);
      seatB.leave(PairEnd.CLOSED);
      Await.until("side A of pair " + i + " closed", () -> a.closed != null);
    }
    Await.until("no pair-map entry left", () -> node1.sharedData().getAsyncMap(ClusteredPairRegistry.PAIR_MAP)
        .compose(map -> map.size()).await() == 0);
    return operations() - before;
  }

  private static long operations() {
    return registry1.mapOperations() + registry2.mapOperations();
  }

  /** One side's socket: what the registry handed it. */
  private static final class Side implements PairSocket {
    volatile Peer joined;
    volatile PairEnd.Close closed;

    @Override
    public void peerJoined(Peer peer) {
      joined = peer;
    }

    @Override
    public void close(PairEnd.Close close) {
      closed = close;
    }

    @Override
    public void send(WebSocketFrame frame, int bytes) {
    }

    @Override
    public long pending() {
      return 0;
    }

    @Override
    public boolean congested() {
      return false;
    }

    @Override
    public void resumeReading() {
    }
  }
}
