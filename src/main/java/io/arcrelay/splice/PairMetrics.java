package io.arcrelay.splice;

/**
 * What the pair relay reports as it works. Implementations are called on the data path (one call
 * per forwarded frame), from any event loop: they must not lock or allocate per call. Nothing here
 * is ever labelled by code or connection.
 */
public interface PairMetrics {

  /** Why a socket stopped being read. */
  enum Pause {
    /** Its peer has not joined and it has sent {@code holdLimit} bytes. */
    HOLD_LIMIT,
    /** Its peer's write queue is full, or (across nodes) no credit is left. */
    PEER_BUSY,
    /** The node's memory budget is spent. */
    MEMORY_BUDGET
  }

  /** One frame of {@code bytes} payload bytes was handed to the peer, on this node or across nodes. */
  void forwarded(boolean crossNode, int bytes);

  /** A side sent {@code bytes} before its peer joined; they are held until it does. */
  void held(int bytes);

  /** A text message (or its first frame) was dropped. */
  void textDropped();

  /** A socket stopped being read. */
  void paused(Pause why);

  /** A socket answered no ping for two intervals. */
  void keepaliveTimeout();

  /** Both sides are connected; the first waited {@code waitedNanos} for the second. */
  void pairFormed(long waitedNanos);

  /**
   * The pair ended; counted once per pair, on the node that saw why. {@code livedNanos} is how long
   * it was formed, or negative if it never was.
   */
  void pairEnded(PairEnd why, long livedNanos);

  /** Counts of what a registry holds now, read when metrics are scraped. */
  record Census(int waitingPairs, int activePairs, int sidesA, int sidesB) {
    public int pairs() {
      return waitingPairs + activePairs;
    }
  }
}
