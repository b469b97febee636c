package io.arcrelay.pair;

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

  ReadBatchTest() {
    ReadBatch.install(peer);
    ReadBatch.install(otherPeer);
  }

  @AfterEach
  void endAnyRead() {
    ReadBatch.closing(sender);
  }

  @Test
  void outsideAReadEveryFlushGoesOutAtOnce() {
    peer.writeAndFlush("frame 1");
    assertEquals("frame 1", peer.readOutbound());
  }

  @Test
  void duringAReadFlushesWaitForItsEndThenGoOutOncePerPeer() {
    ReadBatch.opening(sender);
    peer.writeAndFlush("frame 1");
    peer.writeAndFlush("frame 2");
    otherPeer.writeAndFlush("frame 3");
    ReadBatch.opening(sender); // the same read's next buffer
    peer.writeAndFlush("frame 4");
    assertTrue(peer.outboundMessages().isEmpty());
    assertTrue(otherPeer.outboundMessages().isEmpty());

    ReadBatch.closing(sender);
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
    EmbeddedChannel another = new EmbeddedChannel();
    ReadBatch.opening(sender);
    peer.writeAndFlush("frame 1");
    ReadBatch.closing(another);
    assertTrue(peer.outboundMessages().isEmpty());
    ReadBatch.closing(sender);
    assertEquals("frame 1", peer.readOutbound());
  }

  @Test
  void aReadOfAnotherConnectionFirstSendsWhatTheOpenOneHeld() {
    EmbeddedChannel another = new EmbeddedChannel();
    ReadBatch.opening(sender);
    peer.writeAndFlush("frame 1");
    ReadBatch.opening(another);
    assertEquals("frame 1", peer.readOutbound());
    ReadBatch.closing(another);
  }

  @Test
  void aPeerClosedDuringAReadSendsWhatItHeldBeforeClosing() {
    ReadBatch.opening(sender);
    peer.writeAndFlush("last frame");
    peer.close();
    assertFalse(peer.isOpen());
    assertEquals("last frame", peer.readOutbound());
  }
}
