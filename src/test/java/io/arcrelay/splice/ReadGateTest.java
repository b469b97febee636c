package io.arcrelay.splice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.ops.RelayMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import org.junit.jupiter.api.Test;

/** The read gate in front of a real frame decoder, on an embedded channel fed as Netty's read loop feeds it. */
class ReadGateTest {

  private static final int READ = 64 * 1024 + 1; // reads end inside a frame, at a different place each time
  private static final int MIB = 1024 * 1024;

  /**
   * A fast sender's reads almost never end on a frame boundary, so the decoder always keeps part of
   * a frame and never frees its buffer. It used to compact it only after Netty's read loop (up to
   * 16 reads), and a buffer never shrinks: 100 busy sockets each kept 1–2 MiB, and the node ran out
   * of direct memory (docs/benchmarks.md, session 13). Now it is compacted after every read, so it holds
   * the unfinished frame and a few reads at most.
   */
  @Test
  void underAFastSenderOfSmallFramesTheDecoderHoldsAFewReads() {
    long held = mostHeldWhileDecoding(4096, 2_000); // 320 KiB; 4 MiB without compacting after each read
    assertTrue(held <= 8L * READ, "the decoder held " + held + " bytes");
  }

  /** The largest frame the defaults allow: the frame being received, its copy, one read, one growth step. */
  @Test
  void underAFastSenderOf16MiBFramesTheDecoderHoldsAboutTwoFrames() {
    int frame = 16 * MIB;
    long held = mostHeldWhileDecoding(frame, 3);
    assertTrue(held <= 2L * frame + 4 * MIB + 2L * READ, "the decoder held " + held + " bytes");
  }

  /** Decodes {@code count} frames of {@code size} bytes; returns the most memory the decoder held meanwhile. */
  private static long mostHeldWhileDecoding(int size, int count) {
    UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(false);
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.config().setAllocator(allocator);
    channel.pipeline().addLast(new WebSocket08FrameDecoder(
        WebSocketDecoderConfig.newBuilder().expectMaskedFrames(false).maxFramePayloadLength(size).build()));
    ReadGate.install(channel, new MemoryBudget(Long.MAX_VALUE), () -> 0, new RelayMetrics());

    ByteBuf stream = frames(size, count);
    int decoded = 0;
    long mostHeld = 0;
    while (stream.isReadable()) {
      // One turn of Netty's read loop: up to 16 reads, then one read-complete.
      for (int read = 0; read < 16 && stream.isReadable(); read++) {
        channel.pipeline().fireChannelRead(stream.readRetainedSlice(Math.min(READ, stream.readableBytes())));
        mostHeld = Math.max(mostHeld, allocator.metric().usedHeapMemory());
        for (Object frame; (frame = channel.readInbound()) != null; decoded++) { // forwarded as they come
          assertEquals(size, ((BinaryWebSocketFrame) frame).content().readableBytes());
          ((BinaryWebSocketFrame) frame).release();
        }
      }
      channel.pipeline().fireChannelReadComplete();
    }
    stream.release();
    channel.finishAndReleaseAll();
    assertEquals(count, decoded);
    return mostHeld;
  }

  /** {@code count} unmasked binary frames of {@code size} bytes, back to back. */
  private static ByteBuf frames(int size, int count) {
    ByteBuf stream = Unpooled.buffer(count * (size + 10));
    for (int i = 0; i < count; i++) {
      stream.writeByte(0x82);
      if (size < 65536) stream.writeByte(126).writeShort(size); else stream.writeByte(127).writeLong(size);
      stream.writeZero(size);
    }
    return stream;
  }
}
