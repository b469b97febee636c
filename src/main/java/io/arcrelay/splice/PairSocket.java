package io.arcrelay.splice;

/**
 * What a {@link Seat} holds: one side of a pair on this node, which the registry hands its peer
 * once both sides are attached. A pair's WebSocket ({@link RelaySocket}) is one; a tunnel's visitor
 * connection is another, so the registries stay ignorant of what carries the bytes.
 */
public interface PairSocket extends Peer {

  /** Both sides are attached: from now on this side forwards to {@code joined}. Any thread. */
  void peerJoined(Peer joined);
}
