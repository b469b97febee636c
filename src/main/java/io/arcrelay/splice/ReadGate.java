package io.arcrelay.splice;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import java.util.function.LongSupplier;

/**
 * Decides whether one WebSocket's TCP connection is read, and counts the bytes of the frame it is
 * in the middle of receiving. It sits in the Netty pipeline just before the frame decoder.
 *
 * <p>Why not {@code ServerWebSocket.pause()}: a paused Vert.x socket keeps reading until 8 messages
 * are queued in the connection and up to 16 in the socket, each as large as a frame may be (16 MiB),
 * before TCP feels anything. Turning the channel's auto-read off, and holding back the reads the
 * decoder asks for, stops it after the read in progress.
 *
 * <p>Why count here: the decoder keeps a frame's bytes until its last byte arrives, and nothing above
 * it sees them. Reading the frame headers (2 to 14 bytes, never the payload) tells how many bytes of
 * an unfinished frame the decoder holds; they are charged to the node's {@link MemoryBudget} as
 * {@link MemoryBudget.Use#RECEIVING} until the frame is complete and handed on.
 *
 * <p>When the node's budget is spent, the sockets that hold bytes (more than one read's worth,
 * counting what they sent that their peer's client has not taken) stop being read; sockets that
 * hold next to nothing, such as pairs trading small messages, keep going.
 *
 * <p>Confined to the channel's event loop, which is also its socket's.
 */
final class ReadGate extends ChannelDuplexHandler {

  /** Why reading is stopped; reading resumes when no reason is left. */
  enum Reason {
    /** The socket's own limit: its peer's queue is full, or it holds its hold limit. */
    PEER,
    /** The node's memory budget is spent. */
    BUDGET
  }

  private final MemoryBudget budget;
  private final LongSupplier holding;
  private final PairMetrics metrics;
  private Channel channel;
  private ReadBatch batch; // the event loop's, which is the channel's for its whole life
  private int stoppedFor; // bit per Reason
  private boolean waitingForBudget;
  private long budgetStopNanos;

  // Where the byte stream is: inside a frame header, or inside a payload.
  private int headerLeft = 2;
  private boolean lengthByteSeen;
  private int extendedLengthLeft;
  private long payloadLeft;
  private long receiving; // payload bytes of the unfinished frame, charged to the budget

  private ReadGate(MemoryBudget budget, LongSupplier holding, PairMetrics metrics) {
    this.budget = budget;
    this.holding = holding;
    this.metrics = metrics;
  }

  /**
   * Puts a gate in front of the frame decoder of an upgraded connection. Call on its event loop.
   * {@code holding} tells what else the socket holds (held frames, frames queued for its peer).
   */
  static ReadGate install(Channel channel, MemoryBudget budget, LongSupplier holding, PairMetrics metrics) {
    ReadGate gate = new ReadGate(budget, holding, metrics);
    ChannelPipeline pipeline = channel.pipeline();
    ChannelHandlerContext decoder = pipeline.context(WebSocketFrameDecoder.class);
    if (decoder == null) throw new IllegalStateException("no WebSocket frame decoder in the pipeline");
    // A fast sender's reads rarely end on a frame boundary, so the decoder's buffer is never freed,
    // and Netty compacts it only after a read loop (up to 16 reads): it grew to 1-2 MiB per busy
    // socket, never shrank, and 100 such sockets spent the node's direct memory. Compacting after
    // every read keeps it at the unfinished frame and a few reads.
    if (decoder.handler() instanceof ByteToMessageDecoder cumulating) cumulating.setDiscardAfterReads(1);
    pipeline.addBefore(decoder.name(), "arc-relay-read-gate", gate);
    return gate;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    batch = ReadBatch.onThisThread();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes) follow(bytes);
    batch.opening(channel);
    ctx.fireChannelRead(msg); // complete frames are now held or queued, and counted there
    if (budget.spent() && receiving + holding.getAsLong() >= MemoryBudget.ONE_READ) stop(Reason.BUDGET);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.fireChannelReadComplete();
    batch.closing(channel); // what this read forwarded goes out, one flush per peer
  }

  /**
   * The decoder asks for more bytes itself while it holds part of a frame, auto-read or not
   * ({@code ByteToMessageDecoder.channelReadComplete}): a stopped gate does not pass that on.
   */
  @Override
  public void read(ChannelHandlerContext ctx) {
    if (stoppedFor == 0) ctx.read();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    batch.closing(channel);
    budget.add(MemoryBudget.Use.RECEIVING, -receiving);
    receiving = 0;
  }

  /** Walks the frame headers in {@code bytes} (without consuming it) and charges the unfinished frame. */
  private void follow(ByteBuf bytes) {
    long before = receiving;
    int i = bytes.readerIndex();
    int end = bytes.writerIndex();
    while (i < end) {
      if (headerLeft == 0) {
        long take = Math.min(payloadLeft, end - i);
        i += (int) take;
        payloadLeft -= take;
        receiving += take;
        if (payloadLeft == 0) nextFrame();
      } else {
        header(bytes.getUnsignedByte(i++));
      }
    }
    budget.add(MemoryBudget.Use.RECEIVING, receiving - before);
  }

  /** RFC 6455 §5.2: FIN/opcode byte, mask bit and 7-bit length, 0/2/8 length bytes, 0/4 mask bytes. */
  private void header(int b) {
    headerLeft--;
    if (extendedLengthLeft > 0) {
      payloadLeft = (payloadLeft << 8) | b;
      if (payloadLeft < 0) payloadLeft = Long.MAX_VALUE; // nonsense; the decoder refuses it with 1009
      extendedLengthLeft--;
    } else if (!lengthByteSeen && headerLeft == 0) { // the second byte
      lengthByteSeen = true;
      int length = b & 0x7f;
      extendedLengthLeft = length == 126 ? 2 : length == 127 ? 8 : 0;
      payloadLeft = extendedLengthLeft == 0 ? length : 0;
      headerLeft = extendedLengthLeft + ((b & 0x80) != 0 ? 4 : 0);
    }
    if (headerLeft == 0 && lengthByteSeen && payloadLeft == 0) nextFrame();
  }

  private void nextFrame() {
    headerLeft = 2;
    lengthByteSeen = false;
    receiving = 0;
  }

  /** Stops reading the connection; bytes already read still reach the decoder. */
  void stop(Reason reason) {
    if (reason == Reason.BUDGET) {
      if (waitingForBudget) return;
      waitingForBudget = true;
      budgetStopNanos = System.nanoTime();
      metrics.paused(PairMetrics.Pause.MEMORY_BUDGET);
      budget.whenFreed(() -> channel.eventLoop().execute(() -> {
        waitingForBudget = false;
        resume(Reason.BUDGET);
      }));
    }
    stoppedFor |= 1 << reason.ordinal();
    channel.config().setAutoRead(false);
  }

  /** Takes back one reason to stop; reading resumes when none is left. */
  void resume(Reason reason) {
    stoppedFor &= ~(1 << reason.ordinal());
    if (stoppedFor == 0) channel.config().setAutoRead(true);
  }

  /** How long reading has been stopped for the memory budget, in nanoseconds (0 if it is not). */
  long stoppedForBudget() {
    return waitingForBudget ? System.nanoTime() - budgetStopNanos : 0;
  }

  /** True while reading is stopped for any reason. */
  boolean stopped() {
    return stoppedFor != 0;
  }
}
