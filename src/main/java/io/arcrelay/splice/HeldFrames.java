package io.arcrelay.splice;

import io.vertx.core.http.WebSocketFrame;
import java.util.ArrayDeque;
import java.util.function.ObjIntConsumer;

/**
 * Frames a side sent before its peer joined, in order, with their payload bytes counted here and
 * in the node's {@link MemoryBudget} while they are held.
 */
final class HeldFrames {

  private final long limit;
  private final MemoryBudget budget;
  private final ArrayDeque<WebSocketFrame> frames = new ArrayDeque<>(0);
  private long bytes;

  HeldFrames(long limit, MemoryBudget budget) {
    this.limit = limit;
    this.budget = budget;
  }

  /** Holds a frame; returns true when the side should stop reading until its peer joins. */
  boolean hold(WebSocketFrame frame, int frameBytes) {
    frames.add(frame);
    bytes += frameBytes;
    budget.add(MemoryBudget.Use.HELD, frameBytes);
    return bytes >= limit;
  }

  /** Hands every held frame and its size, oldest first, to {@code sink} and forgets them. */
  void drainTo(ObjIntConsumer<WebSocketFrame> sink) {
    WebSocketFrame frame;
    while ((frame = frames.poll()) != null) {
      int frameBytes = frame.binaryData().length(); // read before the sink's write consumes the buffer
      bytes -= frameBytes;
      budget.add(MemoryBudget.Use.HELD, -frameBytes);
      sink.accept(frame, frameBytes);
    }
  }

  long bytes() {
    return bytes;
  }

  /** The side left before its peer came: what it held goes with it. */
  void discard() {
    frames.forEach(FramePayloads::release);
    frames.clear();
    budget.add(MemoryBudget.Use.HELD, -bytes);
    bytes = 0;
  }
}
