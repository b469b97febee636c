package io.arcrelay.splice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An embedded channel sends on flush only, so what is in its outbound queue is what was flushed. */
class ReadBatchTest {

  private final EmbeddedChannel sender = new EmbeddedChannel();
  private final EmbeddedChannel peer = new EmbeddedChannel();
  private final EmbeddedChannel otherPeer = new EmbeddedChannel();
  private final EmbeddedChannel anotherSender = new EmbeddedChannel();
  private final ReadBatch batch = ReadBatch.onThisThread(); // embedded channels run on the test's thread

  ReadBatchTest() {
    ReadBatch.install(peer);
    ReadBatch.install(otherPeer);
  }

  @AfterEach
  void endAnyRead() {
    batch.closing(sender);
  }

  @Test
  void outsideAReadEveryFlushGoesOutAtOnce() {
    peer.writeAndFlush("frame 1");
    assertEquals("frame 1", peer.readOutbound());
  }

  @Test
  void duringAReadFlushesWaitForItsEndThenGoOutOncePerPeer() {
    batch.opening(sender);
    peer.writeAndFlush("frame 1");
    peer.writeAndFlush("frame 2");
    otherPeer.writeAndFlush("frame 3");
    batch.opening(sender); // the same read's next buffer
    peer.writeAndFlush("frame 4");
    assertTrue(peer.outboundMessages().isEmpty());
    assertTrue(otherPeer.outboundMessages().isEmpty());

    batch.closing(sender);
    assertEquals(3, peer.outboundMessages().size());
    assertEquals("frame 1", peer.readOutbound());
    assertEquals("frame 2", peer.readOutbound());
    assertEquals("frame 4", peer.readOutbound());
    assertEquals("frame 3", otherPeer.readOutbound());

    peer.writeAndFlush("frame 5"); // the read is over
    assertEquals("frame 5", peer.readOutbound());
  }

  @Test
  void theEndOfAnotherConnectionsReadDoesNotEndThisOne() {
    batch.opening(sender);
    peer.writeAndFlush("frame 1");
    batch.closing(anotherSender);
    assertTrue(peer.outboundMessages().isEmpty());
    batch.closing(sender);
    assertEquals("frame 1", peer.readOutbound());
  }

  @Test
  void aReadOfAnotherConnectionFirstSendsWhatTheOpenOneHeld() {
    batch.opening(sender);
    peer.writeAndFlush("frame 1");
    batch.opening(anotherSender);
    assertEquals("frame 1", peer.readOutbound());
    batch.closing(anotherSender);
  }

  @Test
  void aPeerClosedDuringAReadSendsWhatItHeldBeforeClosing() {
    batch.opening(sender);
    peer.writeAndFlush("last frame");
    peer.close();
    assertFalse(peer.isOpen());
    assertEquals("last frame", peer.readOutbound());
  }
}
