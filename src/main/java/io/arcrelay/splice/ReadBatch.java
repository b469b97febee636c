package io.arcrelay.splice;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.List;

/**
 * Flushes the sockets one read of a relayed connection wrote to once, when that read is over,
 * instead of once per frame.
 *
 * <p>Why: one read of a sender's connection often carries many frames (26 frames of 4 KiB per read,
 * on average, with 100 pairs here), and each forwarded frame was its own {@code writev} to the
 * peer: a system call, a TCP segment and a wake-up of the peer's reader per frame. Holding back the
 * peers' flushes until the read is over sends what that read produced for each peer in one call.
 * Netty calls a handler's {@code flush} on the channel's own event loop, so a held flush is always
 * one of that thread's.
 *
 * <p>How: a read is open on an event loop from the first {@code channelRead} of a relayed
 * connection ({@link ReadGate}) to its {@code channelReadComplete}, which Netty fires at the end of
 * every read loop. While one is open, a flush of a relayed socket on the same thread is noted, not
 * done; the read's end does them all. A flush outside a read (a ping, a frame from another node or
 * another event loop, held frames delivered when the peer joins) goes out at once. A socket closed
 * while its flush is held back flushes first, so nothing it was given is lost.
 */
final class ReadBatch {

  private static final FastThreadLocal<ReadBatch> OF_THREAD = new FastThreadLocal<>() {
    @Override
    protected ReadBatch initialValue() {
      return new ReadBatch();
    }
  };

  /** The connection whose read is open, or null. */
  private Channel reading;
  private final List<HeldFlush> held = new ArrayList<>();

  private ReadBatch() {}

  /**
   * The batch of the calling thread. A channel never changes event loop, so its handlers look theirs
   * up once, when added, rather than on every read and flush.
   */
  static ReadBatch onThisThread() {
    return OF_THREAD.get();
  }

  /** Holds back this socket's flushes while a read is open on its thread. Call on its event loop. */
  static void install(Channel channel) {
    channel.pipeline().addFirst("arc-relay-held-flush", new HeldFlush(onThisThread()));
  }

  /** {@code channel} is being read: flushes on this thread wait for its read to end. */
  void opening(Channel channel) {
    if (reading == channel) return;
    flushAll(); // never left open by a read that did not end; but if it were, it ends here
    reading = channel;
  }

  /** The read of {@code channel} is over: everything it wrote goes out now. */
  void closing(Channel channel) {
    if (reading == channel) flushAll();
  }

  private void flushAll() {
    reading = null;
    // A flush may write more (a write completing can hand on the next queued frame): index, not iterator.
    for (int i = 0; i < held.size(); i++) held.get(i).release();
    held.clear();
  }

  /** The handler at the head of a relayed socket's pipeline that holds its flushes back. */
  private static final class HeldFlush extends ChannelOutboundHandlerAdapter {
    private final ReadBatch batch;
    private ChannelHandlerContext ctx;
    private boolean flushPending;

    HeldFlush(ReadBatch batch) {
      this.batch = batch;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      if (batch.reading == null) {
        ctx.flush();
      } else if (!flushPending) {
        flushPending = true;
        batch.held.add(this);
      }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
      if (flushPending) release();
      ctx.close(promise);
    }

    private void release() {
      flushPending = false;
      ctx.flush();
    }
  }
}
