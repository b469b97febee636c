package io.arcrelay.splice;

import io.vertx.core.http.WebSocketFrame;

/**
 * The other side of a pair, as seen by a side forwarding to it. Locally it is the peer's
 * {@link RelaySocket}; a cluster implementation reaches a socket on another node. All methods may be
 * called from any thread.
 */
public interface Peer {

  /**
   * Writes one frame of {@code bytes} payload bytes, unchanged, to the peer's client. The frame's
   * payload is the peer's from now on: it frees it once written ({@link FramePayloads#release}), or
   * takes a copy it may keep ({@link FramePayloads#keep}).
   */
  void send(WebSocketFrame frame, int bytes);

  /** Bytes sent to the peer that its client has not taken yet (across nodes: not yet credited). */
  long pending();

  /** True while the peer cannot take more frames; the sender then stops reading its own socket. */
  boolean congested();

  /** Tells the peer that this side drained: it may read from its client again. */
  void resumeReading();

  /** Closes the peer's socket, e.g. because this side left. */
  void close(PairEnd.Close close);

  /** True when frames sent to this peer leave this node. */
  default boolean crossNode() {
    return false;
  }
}
