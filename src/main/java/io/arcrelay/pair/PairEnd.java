package io.arcrelay.pair;

/**
 * Why a pair ended, and the close frame each side is sent because of it. The README's close-code
 * table is written from this enum; keep the two in step.
 */
public enum PairEnd {
  /** The side's client closed its socket. */
  CLOSED(null, Close.PEER_DISCONNECTED),
  /** The side's socket failed (I/O error, protocol violation). */
  ERROR(new Close(1011, "socket error"), new Close(1011, "peer error")),
  /** The side sent a message larger than {@code maxMessageSize}. */
  TOO_BIG(new Close(1009, "message too big"), Close.PEER_DISCONNECTED),
  /** The side answered no ping for two ping intervals. */
  SILENT(new Close(1001, "keepalive timeout"), Close.PEER_DISCONNECTED),
  /** The side waited alone longer than {@code pairTtl}. */
  EXPIRED(new Close(1001, "pair expired"), new Close(1001, "pair expired")),
  /** The relay is shutting down. */
  STOPPING(new Close(1001, "relay stopping"), new Close(1001, "relay stopping")),
  /** The node holding the other side left the cluster or died (only the surviving side is told). */
  NODE_LOST(null, new Close(1001, "peer node lost")),
  /** The node holding the other side stopped answering on the event bus while still a member. */
  LINK_LOST(null, new Close(1011, "peer link lost"));

  private final Close self;
  private final Close peer;

  PairEnd(Close self, Close peer) {
    this.self = self;
    this.peer = peer;
  }

  /** What the side that caused the end is closed with, or null when its client closed it already. */
  public Close self() {
    return self;
  }

  /** What the other side is closed with. */
  public Close peer() {
    return peer;
  }

  /** A WebSocket close code and reason. */
  public record Close(int code, String reason) {
    static final Close PEER_DISCONNECTED = new Close(1000, "peer disconnected");
  }
}
