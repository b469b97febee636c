package io.arcrelay.cluster;

import static io.arcrelay.TestClient.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Await;
import io.arcrelay.Http;
import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.ops.RelayMetrics;
import io.arcrelay.pair.PairCode;
import io.arcrelay.splice.PairEnd;
import io.arcrelay.splice.PairMetrics;
import io.arcrelay.splice.Seat;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The whole pair protocol suite with side A on node 1 and side B on node 2 of a real two-node
 * Hazelcast cluster in this JVM, plus what only a cluster can do: lose a node.
 */
class ClusteredPairProtocolTest extends TwoNodeSuite {

  @Override
  protected String uriB(String code) {
    return TestClient.uri(relay2.port(), code);
  }

  @Test
  void pairsWhoseLinkBreaksAreClosedNotLeftHalfAlive() {
    TestClient[] idle = pair(newCode());
    TestClient[] stalled = pair(newCode());
    idle[0].assertReaches(idle[1], "paired across nodes");
    stalled[0].assertReaches(stalled[1], "paired across nodes");
    stalled[1].ws().pause(); // B stops reading, so A runs out of credit
    for (int i = 0; i < 32; i++) stalled[0].ws().writeBinaryMessage(Buffer.buffer(new byte[1024 * 1024]));
    relay2.registry().close().await(); // node 2 stops answering on the event bus, but stays a member
    idle[0].assertClosedWith(1011, "peer link lost");
    stalled[0].assertClosedWith(1011, "peer link lost");
  }

  @Test
  void anEntryLeftByAnEarlierRelayOnALiveNodeIsTakenOverNotJoined() {
    String code = newCode();
    String nodeId = ((VertxInternal) node1).clusterManager().getNodeId();
    PairEntry leftOver = PairEntry.waiting(nodeId, "a-stopped-relay/1"); // as if its removal were still on the way
    node1.sharedData().<String, String>getAsyncMap("arc-relay.pairs")
        .compose(map -> map.put(PairCode.of(code).digest(), leftOver.encode())).await();
    TestClient[] p = pair(code);
    p[0].assertReaches(p[1], "a new pair, not a side joined to the earlier relay's");
    p[1].assertReaches(p[0], "both ways");
  }

  /**
   * Side A's claim has reached the map but its answer has not yet reached node 1 (held here by
   * blocking the worker context that asked): side B, upgraded on node 2, joins meanwhile. B must be
   * joined to that A, not told it is gone, which would free the code for a second pair.
   */
  @Test
  void aSideBThatOvertakesItsSideAsClaimIsJoinedToIt() {
    String code = newCode();
    CountDownLatch holdAnswer = new CountDownLatch(1);
    Promise<Seat> seatA = Promise.promise();
    ((VertxInternal) node1).createWorkerContext().runOnContext(v -> {
      relay1.registry().claim(PairCode.of(code)).onComplete(seatA);
      await(holdAnswer); // the claim's answer is queued behind this task
    });
    CountDownLatch joinHandled = new CountDownLatch(1);
    Handler<DeliveryContext<Object>> afterJoin = delivery -> {
      delivery.next();
      if ("join".equals(BusFault.kindOf(delivery))) joinHandled.countDown();
    };
    node1.eventBus().addInboundInterceptor(afterJoin);
    try {
      AsyncMap<String, String> map = node1.sharedData().<String, String>getAsyncMap("arc-relay.pairs").await();
      Await.until("side A's entry is in the map", () -> map.get(PairCode.of(code).digest()).await() != null);
      TestClient b = TestClient.join(client, uriB(code));
      await(joinHandled);
      holdAnswer.countDown();
      Seat a = seatA.future().await();

      assertEquals(new PairMetrics.Census(0, 1, 1, 0), relay1.registry().census(), "node 1 holds one formed pair");
      assertEquals(409, refused(client, uriA(code)).getStatus(), "a third side");
      a.leave(PairEnd.CLOSED);
      b.assertClosedWith(1000, "peer disconnected");
    } finally {
      holdAnswer.countDown();
      node1.eventBus().removeInboundInterceptor(afterJoin);
    }
  }

  /**
   * The race behind a stopping node's 1000s: B's join reaches node 1 only after A, closing because
   * node 1 is stopping, has left. B must hear why, as it would had the join come first.
   */
  @Test
  void aSideBWhoseJoinArrivesAfterItsSideAStoppedIsToldTheRelayIsStopping() {
    AtomicReference<DeliveryContext<Object>> heldJoin = new AtomicReference<>();
    Handler<DeliveryContext<Object>> holdJoin = delivery -> {
      boolean join = "join".equals(BusFault.kindOf(delivery));
      if (!join || !heldJoin.compareAndSet(null, delivery)) delivery.next();
    };
    node1.eventBus().addInboundInterceptor(holdJoin);
    try {
      TestClient[] p = pair(newCode());
      Await.until("B's join reached node 1", () -> heldJoin.get() != null);
      relay1.registry().stopping();
      p[0].close();
      Await.until("side A left", () -> relay1.registry().census().sidesA() == 0);
      heldJoin.get().next();
      p[1].assertClosedWith(1001, "relay stopping");
    } finally {
      node1.eventBus().removeInboundInterceptor(holdJoin);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(TestClient.WAIT_SECONDS, TimeUnit.SECONDS), "timed out");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aNodeThatDiesClosesItsPeersAndFreesTheirCodes() {
    Vertx node3 = Relay.vertx(clusterConfig(), new RelayMetrics()).await();
    Relay relay3 = Relay.start(node3, TestRelays.config()).await();
    String code = newCode();
    TestClient a = TestClient.join(client, uriA(code));
    TestClient b = TestClient.join(client, TestClient.uri(relay3.port(), code));
    a.assertReaches(b, "across nodes 1 and 3");
    TestClient[] local = pair(newCode()); // A on node 1, B on node 2: untouched by node 3's death
    String waitingCode = newCode();
    TestClient.join(client, TestClient.uri(relay3.port(), waitingCode)); // a side waiting on node 3

    ((HazelcastClusterManager) ((VertxInternal) node3).clusterManager())
        .getHazelcastInstance().getLifecycleService().terminate(); // no goodbye, as if killed

    a.assertClosedWith(1001, "peer node lost");
    TestClient[] again = pair(code);
    again[0].assertReaches(again[1], "the dead node's code is free again");
    TestClient[] taken = pair(waitingCode);
    taken[1].assertReaches(taken[0], "a code that waited on the dead node is taken over, no stale 409");
    local[0].assertReaches(local[1], "pairs not touching the dead node keep flowing");
    assertTrue(local[0].isOpen() && local[1].isOpen());
    Http node3Health = new Http(clientVertx, relay3.managementPort());
    Await.until("the node cut off from the cluster is not ready", () -> node3Health.get("/health/ready").status() == 503);
    node3.close();
  }
}
