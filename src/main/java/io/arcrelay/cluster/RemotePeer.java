package io.arcrelay.cluster;

import io.arcrelay.splice.MemoryBudget;
import io.arcrelay.splice.PairEnd;
import io.arcrelay.splice.PairSocket;
import io.arcrelay.splice.Peer;
import io.vertx.core.http.WebSocketFrame;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A peer on another node, as seen by a local socket: frames go over the event bus, and
 * credit-based flow control stands in for the back-pressure the clustered event bus lacks.
 *
 * <p>The sender may have at most its window in flight to the peer's node. The receiving node
 * returns credit as its socket takes the frames: at once while the socket keeps up, on drain when it
 * does not. So a reader that stops reading holds at most one window per direction in the receiving
 * node, and its sender is paused, which TCP passes on to the client.
 *
 * <p>The window starts at {@link #WINDOW} and doubles, up to {@link #MAX_WINDOW}, each time the
 * sender used all of it and the credit that comes back shows the receiver took everything sent:
 * then the window, not the reader, is what limits the pair. The growth is taken from the node's
 * {@link WindowBudget} and given back when the pair ends; a receiver that withholds credit never
 * makes a window grow.
 *
 * <p>Credit is cumulative (the total number of bytes the receiver has taken), so a lost credit
 * message is repaired by any later one, or by the credit total each {@link LinkCheck} brings back.
 *
 * <p>What a side sends on its link ({@code join}, frames, {@code close}) is numbered from 1. A
 * message whose number does not follow the last one received means one was lost (the clustered
 * event bus drops messages silently when a connection between nodes breaks): the pair is then
 * over, since a stream with a hole in it is worth nothing to end-to-end encryption. A loss with
 * nothing after it is found by the {@link LinkCheck}, which compares what was sent with what the
 * other node says it received.
 */
final class RemotePeer implements Peer {

  /** The window a pair starts with: bytes a side may send to a remote peer before credit comes back. */
  static final long WINDOW = 512 * 1024;
  /** The most a window grows to (4 MiB). */
  static final long MAX_WINDOW = 8 * WINDOW;
  private static final long GRANT_BATCH = WINDOW / 4;

  private final NodeRouter router;
  private final WindowBudget budget;
  private final MemoryBudget memory;
  private final PendingCredit pendingCredit;
  private final AtomicBoolean creditPending = new AtomicBoolean();
  private final String remoteNode;
  private final NodeRouter.Target remote;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong granted = new AtomicLong();
  private volatile long window = WINDOW;
  private boolean released;
  /** The sequence number of the last message sent on this link. */
  private long sentSeq;
  /** The sequence number of the last message received from the remote side. */
  private long receivedSeq;
  /** What had been sent when the previous check was asked: it must have arrived by the next answer. */
  private long sentAtLastCheck;
  private boolean seenGone;
  private PairSocket local;
  private ArrayDeque<WebSocketFrame> early;

  RemotePeer(NodeRouter router, WindowBudget budget, MemoryBudget memory, PendingCredit pendingCredit,
      String remoteNode, String remoteConn, long receivedSeq) {
    this.router = router;
    this.receivedSeq = receivedSeq;
    this.budget = budget;
    this.memory = memory;
    this.pendingCredit = pendingCredit;
    this.remoteNode = remoteNode;
    this.remote = NodeRouter.Target.of(remoteConn);
  }

  String remoteNode() {
    return remoteNode;
  }

  String remoteConn() {
    return remote.conn();
  }

  /** The local socket is attached: frames that arrived before it are written now. */
  synchronized void attachLocal(PairSocket socket) {
    local = socket;
    if (early != null) {
      early.forEach(this::deliverLocally);
      early = null;
    }
  }

  // ---- towards the remote node ----

  /**
   * Bytes sent stay charged to this node's memory budget until credit comes back for them: the
   * event bus buffers them without limit of its own, so what one node may have in flight to all
   * others is bounded by its budget.
   */
  @Override
  public synchronized void send(WebSocketFrame frame, int bytes) {
    sent.addAndGet(bytes);
    if (!released) memory.add(MemoryBudget.Use.IN_FLIGHT, bytes);
    // Numbered and sent under one lock, so numbers go out in order and a check never counts a
    // message that has not been handed to the event bus yet.
    router.sendFrame(remote, ++sentSeq, frame);
  }

  /** Side B tells side A's node that it joined: the first message of B's link. */
  synchronized void sendJoin(String fromNode, String fromConn) {
    sentSeq++;
    router.sendJoin(remote, fromNode, fromConn);
  }

  @Override
  public long pending() {
    return sent.get() - acknowledged.get();
  }

  @Override
  public boolean congested() {
    return sent.get() - acknowledged.get() >= window;
  }

  long window() {
    return window;
  }

  /** The pair ended: its window's growth goes back to the node's budget. */
  synchronized void release() {
    if (released) return;
    released = true;
    budget.give(window - WINDOW);
    memory.add(MemoryBudget.Use.IN_FLIGHT, -(sent.get() - acknowledged.get()));
  }

  private synchronized void grow() {
    if (!released && window < MAX_WINDOW && budget.take(window)) window *= 2;
  }

  /** The local socket drained: everything it took so far is credited back to the remote sender. */
  @Override
  public void resumeReading() {
    long total = received.get();
    if (granted.getAndSet(total) < total) router.sendCredit(remote, total);
  }

  /** What this side has credited so far, for a sender that asks (its last credit may have been lost). */
  long grantedTotal() {
    return granted.get();
  }

  @Override
  public synchronized void close(PairEnd.Close close) {
    router.sendClose(remote, ++sentSeq, close);
  }

  @Override
  public boolean crossNode() {
    return true;
  }

  // ---- from the remote node ----

  /** A frame from the remote side; false if it does not follow the last message received. */
  synchronized boolean onFrame(long seq, WebSocketFrame frame) {
    if (!inOrder(seq)) return false;
    if (local == null) {
      if (early == null) early = new ArrayDeque<>();
      early.add(frame); // bounded: the sender holds at most one window without credit
      return true;
    }
    deliverLocally(frame);
    return true;
  }

  /** Whether message {@code seq} from the remote side follows the last one received; counts it. */
  synchronized boolean inOrder(long seq) {
    if (seq != receivedSeq + 1) return false;
    receivedSeq = seq;
    return true;
  }

  /** Where this link stands, for the remote node's {@link LinkCheck}. */
  synchronized NodeRouter.LinkState state() {
    return new NodeRouter.LinkState(receivedSeq, granted.get());
  }

  synchronized long sentSeq() {
    return sentSeq;
  }

  /**
   * Judges the remote node's answer to a check asked when {@code sentWhenAsked} messages had been
   * sent: false if the link lost a message. Whatever was sent before the previous check must have
   * arrived by now; a remote side found gone twice in a row lost its {@code close} on the way (once
   * may be a close still in flight).
   */
  boolean checked(NodeRouter.LinkState remote, long sentWhenAsked) {
    synchronized (this) {
      if (remote.gone()) {
        if (seenGone) return false;
        seenGone = true;
        return true;
      }
      seenGone = false;
      boolean lost = remote.received() < sentAtLastCheck;
      sentAtLastCheck = sentWhenAsked;
      if (lost) return false;
    }
    onCredit(remote.granted());
    return true;
  }

  private void deliverLocally(WebSocketFrame frame) {
    int bytes = frame.binaryData().length(); // read first: a written frame's buffer is consumed
    local.send(frame, bytes);
    if (received.addAndGet(bytes) - granted.get() >= GRANT_BATCH && !local.congested()) {
      resumeReading();
    } else if (creditPending.compareAndSet(false, true)) {
      pendingCredit.add(this);
    }
  }

  /**
   * Credits what the local socket has taken, unless it is congested (its drain will credit it) or
   * the pair has ended (the sender stopped counting it then).
   */
  void flushCredit() {
    creditPending.set(false);
    PairSocket socket;
    synchronized (this) {
      socket = released ? null : local;
    }
    if (socket != null && !socket.congested()) resumeReading();
  }

  /** Records the credit total and uncharges what it newly covers; returns the total before. */
  private synchronized long acknowledge(long total) {
    long before = acknowledged.getAndAccumulate(total, Math::max);
    if (!released && total > before) memory.add(MemoryBudget.Use.IN_FLIGHT, -(total - before));
    return before;
  }

  /** The receiver has taken {@code total} bytes in all. */
  void onCredit(long total) {
    long before = acknowledge(total);
    long sentSoFar = sent.get();
    if (total >= sentSoFar && sentSoFar - before >= window) grow();
    PairSocket socket;
    synchronized (this) {
      socket = local;
    }
    if (socket != null) socket.resumeReading();
  }
}
