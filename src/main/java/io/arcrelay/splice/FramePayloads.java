package io.arcrelay.splice;

import io.arcrelay.seams.VertxBuffers;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a relayed WebSocket's reads and frame payloads are allocated, so that a payload reaches the
 * peer's socket without a copy and a read costs its own size.
 *
 * <p>Vert.x copies every payload from Netty's pooled memory into a heap buffer
 * ({@code VertxHandler.safeBuffer}) and Netty copies it back to write it; payloads from an unpooled
 * direct allocator pass through untouched (relay CPU per GB -20 to -25 % for 64 KiB messages). Reads
 * come from here too: a read kept by the decoder until its frame is complete would otherwise pin a
 * pool chunk of up to 4 MiB.
 *
 * <p>The price is ownership: nothing frees a payload but the relay. Whoever finishes with a frame
 * calls {@link #release} (written, dropped, discarded) or {@link #keep} for a heap copy that outlives
 * it; {@link #inUse()} counts what is held (metric {@code arc_relay_frame_payload_bytes}, and the
 * tests that check it returns to zero). Payloads up to {@link #POOLED_UP_TO} bytes, control frames
 * included, stay on the pooled allocator, whose buffers Vert.x copies and frees as before.
 */
public final class FramePayloads extends AbstractByteBufAllocator {

  /** Above a header and a small payload Netty's encoder merges into one buffer (1,024 + 14 bytes). */
  static final int POOLED_UP_TO = 1024 + 14;
  private static final UnpooledByteBufAllocator PAYLOADS = new UnpooledByteBufAllocator(true);
  /** One per pooled allocator a channel came with: Vert.x has one or two. */
  private static final Map<ByteBufAllocator, FramePayloads> BY_POOL = new ConcurrentHashMap<>();

  private final ByteBufAllocator pooled;

  private FramePayloads(ByteBufAllocator pooled) {
    super(true);
    this.pooled = pooled;
  }

  /**
   * Gives a just-upgraded WebSocket's channel this allocator. Call on the channel's event loop.
   * Channels that share a pooled allocator share one of these too: an allocator carries an empty
   * buffer of its own, ~150 bytes a socket that an idle node would otherwise hold.
   */
  static void install(Channel channel) {
    channel.config().setAllocator(BY_POOL.computeIfAbsent(channel.config().getAllocator(), FramePayloads::new));
  }

  /** Frees {@code frame}'s payload if it was allocated here; a frame from anywhere else is left alone. */
  public static void release(WebSocketFrame frame) {
    ByteBuf payload = ours(frame);
    if (payload != null) payload.release();
  }

  /** The payload as a buffer the caller may keep after the frame is gone; frees the frame's own. */
  public static Buffer keep(WebSocketFrame frame) {
    ByteBuf payload = ours(frame);
    if (payload == null) return frame.binaryData();
    Buffer copy = Buffer.buffer(payload.readableBytes());
    copy.appendBuffer(frame.binaryData());
    payload.release();
    return copy;
  }

  /** Bytes of payloads and reads allocated here and not yet released, on every channel of this JVM. */
  public static long inUse() {
    return PAYLOADS.metric().usedDirectMemory();
  }

  private static ByteBuf ours(WebSocketFrame frame) {
    ByteBuf payload = VertxBuffers.payload(frame); // Vert.x wraps it as unreleasable
    return payload != null && payload.alloc() == PAYLOADS && payload.refCnt() > 0 ? payload : null;
  }

  @Override
  protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
    return initialCapacity > POOLED_UP_TO
        ? PAYLOADS.directBuffer(initialCapacity, maxCapacity)
        : pooled.directBuffer(initialCapacity, maxCapacity);
  }

  @Override
  protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
    return pooled.heapBuffer(initialCapacity, maxCapacity);
  }

  @Override
  public ByteBuf ioBuffer() {
    return PAYLOADS.directBuffer();
  }

  @Override
  public ByteBuf ioBuffer(int initialCapacity) {
    return PAYLOADS.directBuffer(initialCapacity);
  }

  @Override
  public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
    return PAYLOADS.directBuffer(initialCapacity, maxCapacity);
  }

  @Override
  public boolean isDirectBufferPooled() {
    return false;
  }
}
