package io.arcrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.splice.MemoryBudget;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a link's sequence numbers and the answers to link checks reveal lost messages. */
class RemotePeerSequenceTest {

  private final Vertx vertx = Vertx.vertx();
  private final NodeRouter router = new NodeRouter(vertx, "test-router");
  private final RemotePeer peer = new RemotePeer(router, new WindowBudget(Long.MAX_VALUE),
      new MemoryBudget(Long.MAX_VALUE), new PendingCredit(), "other-node", "other/1", 0);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void framesMustFollowOneAnotherWithoutAGap() {
    assertTrue(peer.onFrame(1, frame()));
    assertTrue(peer.onFrame(2, frame()));
    assertFalse(peer.onFrame(4, frame()), "frame 3 was lost");
    assertFalse(peer.inOrder(2), "a repeated or late message is no better");
  }

  @Test
  void whatWasSentBeforeThePreviousCheckMustHaveArrivedByTheNextAnswer() {
    sendFrames(3);
    assertTrue(peer.checked(new NodeRouter.LinkState(1, 0), 3), "frames 2 and 3 may still be on their way");
    sendFrames(1);
    assertTrue(peer.checked(new NodeRouter.LinkState(3, 0), 4), "all sent before the previous check arrived");
    assertFalse(peer.checked(new NodeRouter.LinkState(3, 0), 4), "frame 4 was sent before the previous check and never arrived");
  }

  @Test
  void aRemoteSideGoneAtTwoChecksInARowLostItsClose() {
    assertTrue(peer.checked(NodeRouter.LinkState.GONE, 0), "its close may still be on its way");
    assertTrue(peer.checked(new NodeRouter.LinkState(0, 0), 0), "a side found again resets the count");
    assertTrue(peer.checked(NodeRouter.LinkState.GONE, 0));
    assertFalse(peer.checked(NodeRouter.LinkState.GONE, 0));
  }

  @Test
  void theCreditTotalInAnAnswerRepairsALostCreditMessage() {
    long sent = 0;
    while (!peer.congested()) sent += sendFrames(1);
    assertTrue(peer.checked(new NodeRouter.LinkState(peer.sentSeq(), sent), peer.sentSeq()));
    assertFalse(peer.congested());
  }

  /** Sends {@code n} 64 KiB frames; returns their bytes. */
  private long sendFrames(int n) {
    for (int i = 0; i < n; i++) peer.send(frame(), 64 * 1024);
    return 64L * 1024 * n;
  }

  private static WebSocketFrame frame() {
    return WebSocketFrame.binaryFrame(Buffer.buffer(new byte[64 * 1024]), true);
  }
}
