package io.arcrelay.splice;

import io.arcrelay.config.LimitsConfig;
import io.arcrelay.seams.DirectWrites;
import io.arcrelay.seams.UpgradeLeftovers;
import io.netty.channel.Channel;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted WebSocket of a pair: this is what happens to a frame.
 *
 * <p>Binary frames (and their continuations) go to the peer unchanged, one by one, never aggregated.
 * Text messages are checked for valid UTF-8 and dropped whole. Before the peer joins, frames are
 * held up to {@code holdLimit} bytes and then the socket stops being read. Once paired, frames are
 * queued for the peer's client; when {@code queueLimit} bytes wait there, this socket stops being
 * read until half of them are written, so TCP pushes back on a fast sender instead of the relay
 * buffering for it. Every byte held or queued is counted in the node's {@link MemoryBudget}, and
 * reading is stopped in the pipeline itself ({@link ReadGate}), not after Vert.x's queues fill.
 *
 * <p>All state is confined to the socket's own event-loop context; other threads reach it through
 * {@link Peer} methods, which hop onto that context.
 */
public final class RelaySocket implements PairSocket, Keepalive.Watched {

  private static final Logger log = LoggerFactory.getLogger(RelaySocket.class);
  private static final Buffer EMPTY = Buffer.buffer();

  private final ServerWebSocket ws;
  private final Channel channel;
  private final Context context;
  private final Seat seat;
  private final Keepalive keepalive;
  private final int maxMessageSize;
  private final long stallNanos;
  private final HeldFrames held;
  private final MemoryBudget budget;
  private final PairMetrics metrics;

  private ReadGate gate;
  private volatile Peer peer;
  private boolean peerCrossNode;
  private boolean stoppedForPeer;
  private boolean droppingText;
  private Utf8Stream text; // made on the first text frame: most sockets never send one
  private long messageBytes;
  private boolean heard = true;
  private int silentTicks;
  private boolean closing;
  private boolean clientLeft;

  // What the peer has queued for this socket's client: added on the peer's thread, taken on this one's.
  private final OutboundQueue queue;

  /**
   * {@code channel}: the socket's Netty channel, where its {@link ReadGate} goes; {@code
   * maxMessageSize}: the largest message it may send, {@code limits}' or less.
   */
  public RelaySocket(ServerWebSocket ws, Channel channel, Context context, Seat seat, Keepalive keepalive,
      LimitsConfig limits, int maxMessageSize, MemoryBudget budget, PairMetrics metrics) {
    this.ws = ws;
    this.channel = channel;
    this.context = context;
    this.seat = seat;
    this.keepalive = keepalive;
    this.maxMessageSize = Math.min(maxMessageSize, limits.maxMessageSize());
    this.queue = new OutboundQueue(limits.queueLimit(), budget);
    this.stallNanos = limits.stallTimeout().toNanos();
    this.budget = budget;
    this.metrics = metrics;
    this.held = new HeldFrames(limits.holdLimit(), budget);
  }

  /** Installs the handlers and the read gate, and takes the seat. Call on the socket's context. */
  public void start() {
    DirectWrites.install(channel);
    UpgradeLeftovers.release(channel, ws);
    FramePayloads.install(channel);
    ReadBatch.install(channel);
    gate = ReadGate.install(channel, budget, this::holding, metrics);
    ws.frameHandler(this::onFrame);
    ws.pongHandler(pong -> heard = true);
    ws.exceptionHandler(err -> {
      log.debug("{} side {} socket failed: {}", seat.code(), seat.side(), err.toString());
      PairEnd why = PairEnd.failure(err);
      if (why != PairEnd.ERROR) closing = true; // its close frame went out from ProtocolViolations
      end(why);
    });
    ws.closeHandler(v -> left());
    ws.shutdownHandler(v -> end(PairEnd.STOPPING));
    keepalive.watch(this);
    seat.attach(this);
    ProtocolViolations.started(channel); // last: a violation held since the upgrade ends the pair
  }

  private void onFrame(WebSocketFrame frame) {
    heard = true;
    // One place frees what is not passed on: a frame forwarded or held is its new holder's to free.
    if (closing || !take(frame)) FramePayloads.release(frame);
  }

  /** Returns whether the frame went on: to the peer, or held for it. */
  private boolean take(WebSocketFrame frame) {
    switch (frame.type()) {
      case BINARY -> {
        return forwardBinary(frame, 0);
      }
      case TEXT -> {
        metrics.textDropped();
        checkText(frame);
        return false;
      }
      case CONTINUATION -> {
        if (!droppingText) return forwardBinary(frame, messageBytes);
        checkText(frame);
        return false;
      }
      case CLOSE -> {
        left(); // answered by Vert.x itself; the seat is free before the client can reconnect
        return false;
      }
      default -> {
        return false; // ping and pong are answered by Vert.x itself
      }
    }
  }

  /**
   * The client closed: at its close frame, or at the end of its connection if that comes first. Its
   * code is free from here, not only once the lingering close has seen the connection end: a client
   * that reconnects at once must not find its old side still waiting.
   */
  private void left() {
    if (clientLeft) return;
    clientLeft = true;
    closing = true;
    held.discard();
    keepalive.forget(this);
    seat.leave(PairEnd.CLOSED);
  }

  /** Text is dropped, but RFC 6455 still requires failing a connection that sends invalid UTF-8. */
  private void checkText(WebSocketFrame frame) {
    if (text == null) text = new Utf8Stream();
    droppingText = !frame.isFinal();
    boolean valid = text.accept(frame.binaryData()) && (droppingText || text.end());
    if (!valid) end(PairEnd.INVALID_TEXT);
  }

  /**
   * {@code earlierFrames}: bytes of the message's frames before this one (0 for its first frame).
   * Returns false when the message is too big and the frame goes nowhere.
   */
  private boolean forwardBinary(WebSocketFrame frame, long earlierFrames) {
    int bytes = frame.binaryData().length(); // read once, before a write consumes the buffer
    messageBytes = earlierFrames + bytes;
    if (messageBytes > maxMessageSize) {
      end(PairEnd.TOO_BIG);
      return false;
    }
    Peer target = peer;
    if (target == null) {
      metrics.held(bytes);
      if (held.hold(frame, bytes)) stopReading(PairMetrics.Pause.HOLD_LIMIT);
      return true;
    }
    forward(target, frame, bytes);
    if (target.congested()) stopReading(PairMetrics.Pause.PEER_BUSY);
    return true;
  }

  /** Bytes this side sent that are still on the relay: held for its peer, or not yet taken by the peer's client. */
  private long holding() {
    Peer target = peer;
    return held.bytes() + (target == null ? 0 : target.pending());
  }

  private void forward(Peer target, WebSocketFrame frame, int bytes) {
    target.send(frame, bytes);
    metrics.forwarded(peerCrossNode, bytes);
  }

  private void stopReading(PairMetrics.Pause why) {
    if (!stoppedForPeer) {
      stoppedForPeer = true;
      metrics.paused(why);
      gate.stop(ReadGate.Reason.PEER);
    }
  }

  private void resumeIfPeerReady() {
    Peer target = peer;
    if (stoppedForPeer && target != null && !target.congested() && !closing) {
      stoppedForPeer = false;
      gate.resume(ReadGate.Reason.PEER);
    }
  }

  /** Both sides are attached: deliver what was held, then forward live. Any thread. */
  @Override
  public void peerJoined(Peer joined) {
    context.runOnContext(v -> {
      if (closing) return;
      peerCrossNode = joined.crossNode();
      held.drainTo((frame, bytes) -> forward(joined, frame, bytes));
      peer = joined;
      // The peer may already have filled this socket's queue and stopped, and the queue drained
      // before it knew whom to tell: tell it now.
      if (!congested()) joined.resumeReading();
      if (joined.congested()) stopReading(PairMetrics.Pause.PEER_BUSY); else resumeIfPeerReady();
    });
  }

  /**
   * One keepalive period has passed: ping a socket that has been heard from, close one that has
   * been silent for two periods, or whose client has taken nothing queued for it for the stall
   * timeout, or that has been left unread for the memory budget as long. Call on the socket's context.
   */
  @Override
  public void keepaliveTick() {
    if (queue.stalled(stallNanos)) {
      log.debug("{} side {} took nothing queued for it in {} ms", seat.code(), seat.side(), stallNanos / 1_000_000);
      end(PairEnd.STALLED);
      return;
    }
    if (gate.stoppedForBudget() > stallNanos) { // it holds bytes the node needs back
      log.debug("{} side {} not read for the memory budget in {} ms", seat.code(), seat.side(), stallNanos / 1_000_000);
      end(PairEnd.OVERLOADED);
      return;
    }
    // A socket we stopped reading cannot be judged by what we did not read, nor one with bytes queued
    // for it: our ping waits behind them, and the stall rule above judges whether it takes them.
    if (heard || gate.stopped() || queue.pending() > 0) {
      heard = false;
      silentTicks = 0;
    } else if (++silentTicks >= 2) {
      log.debug("{} side {} silent for two ping intervals", seat.code(), seat.side());
      metrics.keepaliveTimeout();
      end(PairEnd.SILENT);
      return;
    }
    ws.writePing(EMPTY);
  }

  /** This side ends the pair: close it as {@code why} says and take the peer down. */
  private void end(PairEnd why) {
    if (why.self() != null) closeNow(why.self());
    seat.leave(why);
  }

  private void closeNow(PairEnd.Close close) {
    if (!closing) {
      closing = true;
      held.discard(); // the pair is over: nobody will take them
      ws.close((short) close.code(), close.reason());
    }
  }

  // ---- Peer: what the other side of the pair may ask of this one, from its own thread ----

  /** Counted at once, written on this socket's own event loop: the only thread that writes to it ({@link DirectWrites}). */
  @Override
  public void send(WebSocketFrame frame, int bytes) {
    queue.add(bytes);
    if (channel.eventLoop().inEventLoop()) {
      write(frame, bytes);
    } else {
      context.runOnContext(v -> write(frame, bytes));
    }
  }

  private void write(WebSocketFrame frame, int bytes) {
    ws.writeFrame(frame).onComplete(done -> { // failed writes free their bytes too
      FramePayloads.release(frame);
      queue.written(bytes, peer);
    });
  }

  @Override
  public long pending() {
    return queue.pending();
  }

  /** Full when {@code queueLimit} bytes wait for this client; the caller is then told when half are written. */
  @Override
  public boolean congested() {
    return queue.congested();
  }

  @Override
  public void resumeReading() {
    context.runOnContext(v -> resumeIfPeerReady());
  }

  @Override
  public void close(PairEnd.Close close) {
    context.runOnContext(v -> closeNow(close));
  }
}
