package io.arcrelay.splice;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class FramePayloadsTest {

  /**
   * A read that ends inside a frame is kept by the decoder until the frame is complete: it must cost
   * its own size and no more, and show in {@code arc_relay_frame_payload_bytes}, not pin a pool's
   * chunk where nothing counts it (docs/benchmarks.md, session 13).
   */
  @Test
  void readsOfARelayedSocketAreItsOwnMemoryFreedOnRelease() {
    EmbeddedChannel channel = new EmbeddedChannel();
    FramePayloads.install(channel);
    long before = FramePayloads.inUse();

    ByteBuf read = channel.alloc().ioBuffer(64 * 1024);
    assertEquals(before + 64 * 1024, FramePayloads.inUse());
    read.release();
    assertEquals(before, FramePayloads.inUse());
    channel.finishAndReleaseAll();
  }

  /** Small frames and headers stay pooled: Vert.x copies those to the heap and frees them at once. */
  @Test
  void smallBuffersStayPooled() {
    EmbeddedChannel channel = new EmbeddedChannel();
    FramePayloads.install(channel);
    long before = FramePayloads.inUse();

    ByteBuf header = channel.alloc().directBuffer(14);
    assertEquals(before, FramePayloads.inUse());
    header.release();
    channel.finishAndReleaseAll();
  }
}
