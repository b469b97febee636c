package io.arcrelay;

import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes sequenced binary frames of one size through a {@link RawWebSocket}, one at a time: the next
 * is written only when the last has gone to the kernel, so the client never holds more than one
 * frame and what it has written is what the relay (and the kernel's buffers) took.
 */
public final class FramePump {

  private final RawWebSocket socket;
  private final int frameSize;
  private final int frames;
  private final AtomicInteger written = new AtomicInteger();

  private FramePump(RawWebSocket socket, int frameSize, int frames) {
    this.socket = socket;
    this.frameSize = frameSize;
    this.frames = frames;
  }

  /** Starts pumping on {@code vertx}'s event loop. */
  public static FramePump start(Vertx vertx, RawWebSocket socket, int frameSize, int frames) {
    FramePump pump = new FramePump(socket, frameSize, frames);
    vertx.runOnContext(v -> pump.next());
    return pump;
  }

  private void next() {
    int n = written.get();
    if (n == frames) return;
    socket.send(RawWebSocket.sequencedFrame(n, frameSize)).onSuccess(done -> {
      written.incrementAndGet();
      next();
    });
  }

  /** Frames wholly written to the kernel so far. */
  public int written() {
    return written.get();
  }

  public long bytes() {
    return (long) frames * frameSize;
  }
}
