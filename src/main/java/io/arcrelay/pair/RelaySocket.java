package io.arcrelay.pair;

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
 * Text messages are dropped whole. Before the peer joins, frames are held up to a limit and then
 * the socket stops being read. Once paired, a congested peer pauses this socket until the peer
 * drains, so TCP pushes back on a fast sender instead of the relay buffering for it.
 *
 * <p>All state is confined to the socket's own event-loop context; other threads reach it through
 * {@link Peer} methods, which hop onto that context.
 */
public final class RelaySocket implements Peer {

  private static final Logger log = LoggerFactory.getLogger(RelaySocket.class);
  private static final Buffer EMPTY = Buffer.buffer();

  private final ServerWebSocket ws;
  private final Context context;
  private final Seat seat;
  private final int maxMessageSize;
  private final HeldFrames held;
  private final PairMetrics metrics;

  private Peer peer;
  private boolean peerCrossNode;
  private boolean paused;
  private boolean droppingText;
  private long messageBytes;
  private boolean heard = true;
  private int silentTicks;
  private boolean closing;

  private final Keepalive keepalive;

  public RelaySocket(ServerWebSocket ws, Context context, Seat seat, Keepalive keepalive,
      long holdLimit, int maxMessageSize, PairMetrics metrics) {
    this.ws = ws;
    this.metrics = metrics;
    this.context = context;
    this.keepalive = keepalive;
    this.seat = seat;
    this.maxMessageSize = maxMessageSize;
    this.held = new HeldFrames(holdLimit);
  }

  /** Installs the handlers and takes the seat. Call on the socket's context. */
  public void start() {
    ws.frameHandler(this::onFrame);
    ws.pongHandler(pong -> heard = true);
    ws.exceptionHandler(err -> {
      log.debug("{} side {} socket error: {}", seat.code(), seat.side(), err.toString());
      end(PairEnd.ERROR);
    });
    ws.closeHandler(v -> {
      closing = true;
      keepalive.forget(this);
      seat.leave(PairEnd.CLOSED);
    });
    ws.shutdownHandler(v -> end(PairEnd.STOPPING));
    keepalive.watch(this);
    seat.attach(this);
  }

  private void onFrame(WebSocketFrame frame) {
    heard = true;
    if (closing) return;
    switch (frame.type()) {
      case BINARY -> forwardBinary(frame, 0);
      case TEXT -> {
        metrics.textDropped();
        droppingText = !frame.isFinal();
      }
      case CONTINUATION -> {
        if (droppingText) {
          droppingText = !frame.isFinal();
        } else {
          forwardBinary(frame, messageBytes);
        }
      }
      default -> { } // ping, pong and close are answered by Vert.x itself
    }
  }

  /** {@code earlierFrames}: bytes of the message's frames before this one (0 for its first frame). */
  private void forwardBinary(WebSocketFrame frame, long earlierFrames) {
    int bytes = frame.binaryData().length(); // read once, before a write consumes the buffer
    messageBytes = earlierFrames + bytes;
    if (messageBytes > maxMessageSize) {
      end(PairEnd.TOO_BIG);
      return;
    }
    if (peer == null) {
      metrics.held(bytes);
      if (held.hold(frame, bytes)) pause(PairMetrics.Pause.HOLD_LIMIT);
      return;
    }
    forward(frame, bytes);
    if (peer.congested()) pause(PairMetrics.Pause.PEER_BUSY);
  }

  private void forward(WebSocketFrame frame, int bytes) {
    peer.send(frame);
    metrics.forwarded(peerCrossNode, bytes);
  }

  private void pause(PairMetrics.Pause why) {
    if (!paused) {
      paused = true;
      metrics.paused(why);
      ws.pause();
    }
  }

  private void resumeIfPeerReady() {
    if (paused && peer != null && !peer.congested() && !closing) {
      paused = false;
      ws.resume();
    }
  }

  /** Both sides are attached: deliver what was held, then forward live. Any thread. */
  public void peerJoined(Peer joined) {
    context.runOnContext(v -> {
      if (closing) return;
      peer = joined;
      peerCrossNode = joined.crossNode();
      held.drainTo(frame -> forward(frame, frame.binaryData().length()));
      ws.drainHandler(drained -> joined.resumeReading());
      // The peer may already have filled this socket and paused, and this socket drained before
      // the handler above existed: that drain would be lost and the peer left paused for good.
      if (!congested()) joined.resumeReading();
      if (joined.congested()) pause(PairMetrics.Pause.PEER_BUSY); else resumeIfPeerReady();
    });
  }

  /**
   * One keepalive period has passed: ping a socket that has been heard from, close one that has
   * been silent for two periods. Call on the socket's context.
   */
  public void keepaliveTick() {
    if (heard || paused) { // a socket we stopped reading cannot be judged by what we did not read
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
      ws.close((short) close.code(), close.reason());
    }
  }

  // ---- Peer: what the other side of the pair may ask of this one, from its own thread ----

  @Override
  public void send(WebSocketFrame frame) {
    ws.writeFrame(frame);
  }

  @Override
  public boolean congested() {
    try {
      return ws.writeQueueFull();
    } catch (IllegalStateException closed) {
      return false; // a closed peer takes nothing more; the pair is being torn down
    }
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
