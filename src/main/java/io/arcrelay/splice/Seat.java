package io.arcrelay.splice;

/** A claimed side of a pair, held from before the upgrade until that side leaves. */
public interface Seat {

  enum Side { A, B }

  Side side();

  /** What logs call the pair by: its code, whose {@code toString} never reveals it. */
  Object code();

  /**
   * The upgrade succeeded and {@code socket} is live. When both sides are attached each is handed
   * the other through {@link PairSocket#peerJoined(Peer)}. If the pair ended in the meantime the
   * socket is closed at once.
   */
  void attach(PairSocket socket);

  /**
   * This side is gone. Ends the pair (idempotent, and harmless after a newer pair reused the code)
   * and closes the peer as {@code why} says.
   */
  void leave(PairEnd why);
}
