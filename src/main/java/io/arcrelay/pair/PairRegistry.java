package io.arcrelay.pair;

import io.arcrelay.splice.PairEnd;
import io.arcrelay.splice.PairMetrics;
import io.arcrelay.splice.Seat;
import io.vertx.core.Future;

/**
 * Where the two sides of a code meet. A node asks for a {@link Seat} before it upgrades a
 * connection, so that a full pair is refused with HTTP 409 before any WebSocket exists.
 */
public interface PairRegistry {

  /**
   * Claims the next free side of {@code code}: A if the code is unused, B if only A is taken.
   * Fails with {@link PairFullException} when both sides are taken. Atomic: racing claims never
   * produce two A or two B sides.
   */
  Future<Seat> claim(PairCode code);

  /**
   * Claims side B of {@code code} only if a side A waits for it: a code nobody opened, or whose pair
   * formed or ended, fails with {@link NoSuchPairException} (or {@link PairFullException}) and never
   * becomes a new side A. Tunnel data links use it, so a guessed or replayed link id meets nothing
   * to wait on.
   */
  Future<Seat> join(PairCode code);

  /** What this node holds now: pairs waiting and active, sides by letter. */
  PairMetrics.Census census();

  /** From now on, sides that leave take their peer down with {@link PairEnd#STOPPING}. */
  void stopping();

  /** Releases what the registry holds outside this node's memory (cluster listeners, consumers). */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /** Both sides of the code are taken. */
  final class PairFullException extends RuntimeException {
    public PairFullException() {
      super("pair is full", null, false, false);
    }
  }

  /** No side A waits for the code (never opened, already paired, or ended). */
  final class NoSuchPairException extends RuntimeException {
    public NoSuchPairException() {
      super("no such pair", null, false, false);
    }
  }
}
