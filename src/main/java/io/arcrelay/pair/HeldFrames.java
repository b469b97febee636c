package io.arcrelay.pair;

import io.vertx.core.http.WebSocketFrame;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/** Frames a side sent before its peer joined, in order, with their payload size counted. */
final class HeldFrames {

  private final long limit;
  private final ArrayDeque<WebSocketFrame> frames = new ArrayDeque<>();
  private long bytes;

  HeldFrames(long limit) {
    this.limit = limit;
  }

  /** Holds a frame; returns true when the side should stop reading until its peer joins. */
  boolean hold(WebSocketFrame frame, int frameBytes) {
    frames.add(frame);
    bytes += frameBytes;
    return bytes >= limit;
  }

  /** Hands every held frame, oldest first, to {@code sink} and forgets them. */
  void drainTo(Consumer<WebSocketFrame> sink) {
    WebSocketFrame frame;
    while ((frame = frames.poll()) != null) sink.accept(frame);
    bytes = 0;
  }

  long bytes() {
    return bytes;
  }
}
