package io.arcrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.splice.MemoryBudget;
import io.arcrelay.splice.PairEnd;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A cross-node sender's window: grows only for a receiver that keeps up, within the node's budget. */
class RemotePeerWindowTest {

  private static final int FRAME = 64 * 1024;

  private final Vertx vertx = Vertx.vertx();
  private final NodeRouter router = new NodeRouter(vertx, "test-router");
  private final Map<RemotePeer, Long> sentBy = new IdentityHashMap<>();
  private final MemoryBudget memory = new MemoryBudget(Long.MAX_VALUE);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aWindowDoublesWhileTheReceiverTakesEverythingUpToTheMaximum() {
    RemotePeer peer = new RemotePeer(router, new WindowBudget(Long.MAX_VALUE), memory, new PendingCredit(), "other-node", "other/1", 0);
    long acknowledged = 0;
    while (peer.window() < RemotePeer.MAX_WINDOW) {
      long window = peer.window();
      long sent = sendUntilCongested(peer);
      assertTrue(sent - acknowledged >= window, "the sender used its whole window");
      peer.onCredit(sent); // the receiver took all of it
      acknowledged = sent;
      assertEquals(2 * window, peer.window());
    }
    sendUntilCongested(peer);
    peer.onCredit(Long.MAX_VALUE);
    assertEquals(RemotePeer.MAX_WINDOW, peer.window(), "never past the maximum");
  }

  @Test
  void aReceiverThatLagsNeverMakesTheWindowGrow() {
    RemotePeer peer = new RemotePeer(router, new WindowBudget(Long.MAX_VALUE), memory, new PendingCredit(), "other-node", "other/1", 0);
    long sent = sendUntilCongested(peer);
    peer.onCredit(sent - FRAME); // one frame still in the receiver's socket
    assertEquals(RemotePeer.WINDOW, peer.window());
    assertFalse(peer.congested(), "the credit itself still lets the sender go on");
  }

  @Test
  void growthComesFromTheNodesBudgetAndGoesBackWhenThePairEnds() {
    WindowBudget budget = new WindowBudget(RemotePeer.WINDOW); // room for one doubling
    RemotePeer first = new RemotePeer(router, budget, memory, new PendingCredit(), "other-node", "other/1", 0);
    RemotePeer second = new RemotePeer(router, budget, memory, new PendingCredit(), "other-node", "other/2", 0);
    first.onCredit(sendUntilCongested(first));
    second.onCredit(sendUntilCongested(second));
    assertEquals(2 * RemotePeer.WINDOW, first.window());
    assertEquals(RemotePeer.WINDOW, second.window(), "the budget was spent");
    first.release();
    second.onCredit(sendUntilCongested(second));
    assertEquals(2 * RemotePeer.WINDOW, second.window(), "what the first pair gave back");
  }

  @Test
  void bytesInFlightAreChargedToTheNodesMemoryUntilCreditedOrThePairEnds() {
    RemotePeer peer = new RemotePeer(router, new WindowBudget(Long.MAX_VALUE), memory, new PendingCredit(), "other-node", "other/1", 0);
    long sent = sendUntilCongested(peer);
    assertEquals(sent, memory.used(MemoryBudget.Use.IN_FLIGHT));
    peer.onCredit(sent - FRAME);
    assertEquals(FRAME, memory.used(MemoryBudget.Use.IN_FLIGHT), "what the receiver has not taken yet");
    peer.release();
    assertEquals(0, memory.used(MemoryBudget.Use.IN_FLIGHT));
    peer.onCredit(sent); // a late credit after the end changes nothing
    assertEquals(0, memory.used(MemoryBudget.Use.IN_FLIGHT));
  }

  /** Sends frames until the window is used up; returns the bytes this peer has sent in all. */
  private long sendUntilCongested(RemotePeer peer) {
    while (!peer.congested()) {
      peer.send(WebSocketFrame.binaryFrame(Buffer.buffer(new byte[FRAME]), true), FRAME);
      sentBy.merge(peer, (long) FRAME, Long::sum);
    }
    return sentBy.get(peer);
  }
}
