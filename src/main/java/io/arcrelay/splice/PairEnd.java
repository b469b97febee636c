package io.arcrelay.splice;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;

/**
 * Why a pair ended, and the close frame each side is sent because of it. The close-code table of
 * docs/protocol.md is written from this enum; ProtocolDocTest keeps the two in step.
 */
public enum PairEnd {
  /** The side's client closed its socket. */
  CLOSED(null, Close.PEER_DISCONNECTED),
  /** The side's socket failed (an I/O error). */
  ERROR(new Close(1011, "socket error"), Close.PEER_ERROR),
  /** The side sent a message larger than {@code maxMessageSize}, or a frame larger than {@code maxFrameSize}. */
  TOO_BIG(new Close(1009, "message too big"), Close.PEER_DISCONNECTED),
  /** The side broke RFC 6455 (unmasked or malformed frame, reserved bits or opcode, bad control frame). */
  PROTOCOL_ERROR(new Close(1002, "protocol error"), Close.PEER_ERROR),
  /** The side sent a text message that is not valid UTF-8. */
  INVALID_TEXT(new Close(1007, "invalid utf-8"), Close.PEER_ERROR),
  /**
   * The node's memory budget stayed spent and this side, holding bytes, was not read for
   * {@code stallTimeout}: both sides may try again later (RFC 6455's 1013).
   */
  OVERLOADED(new Close(1013, "relay busy"), new Close(1013, "relay busy")),
  /** The side's client took nothing of what was queued for it for {@code stallTimeout}. */
  STALLED(new Close(1008, "not reading"), Close.PEER_DISCONNECTED),
  /** The side answered no ping for two ping intervals. */
  SILENT(new Close(1001, "keepalive timeout"), Close.PEER_DISCONNECTED),
  /** The side waited alone longer than {@code pairTtl}. */
  EXPIRED(new Close(1001, "pair expired"), new Close(1001, "pair expired")),
  /** The relay is shutting down. */
  STOPPING(new Close(1001, "relay stopping"), new Close(1001, "relay stopping")),
  /** The node holding the other side left the cluster or died (only the surviving side is told). */
  NODE_LOST(null, new Close(1001, "peer node lost")),
  /**
   * A message between the two sides' nodes was lost (a gap in the link's sequence numbers, or one
   * a link check found missing), or the other node stopped answering while still a member.
   */
  LINK_LOST(null, new Close(1011, "peer link lost")),
  /** The side waited on a node whose half of a split cluster is below {@code clusterQuorum}. */
  NO_QUORUM(new Close(1013, "cluster split"), new Close(1013, "cluster split")),
  /**
   * The side's code was claimed on both halves of a split cluster, and the healed cluster kept the
   * other half's claim.
   */
  CLAIMED_TWICE(new Close(1013, "claimed twice in a cluster split"), new Close(1013, "claimed twice in a cluster split"));

  private final Close self;
  private final Close peer;

  PairEnd(Close self, Close peer) {
    this.self = self;
    this.peer = peer;
  }

  /** Why a socket failed: RFC 6455's own reasons have their own codes, anything else is an error. */
  public static PairEnd failure(Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException corrupted) {
      return switch (corrupted.closeStatus().code()) {
        case 1009 -> TOO_BIG;
        case 1007 -> INVALID_TEXT;
        default -> PROTOCOL_ERROR;
      };
    }
    return ERROR;
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
    static final Close PEER_ERROR = new Close(1011, "peer error");
  }
}
