package io.arcrelay.tunnel;

import io.vertx.core.http.WebSocketFrame;

/**
 * What a {@link VisitorLink} carries at a time: one HTTP exchange, or after a {@code 101} the
 * connection's raw bytes. All on the visitor connection's context.
 */
sealed interface LinkTraffic permits VisitorExchange, RawSplice {

  /**
   * A message from the agent; its {@code bytes} are counted in the link's queue until {@link
   * VisitorLink#done} gives them back, which every way through here ends in.
   */
  void fromAgent(WebSocketFrame frame, int bytes);

  /** The agent's side drained: the visitor is read again. */
  void resumeReading();

  /** The link ended: whatever is held for it is let go. */
  void linkEnded();

  /** The link ended from the agent's side ({@code agentCame}: after its data connection joined): the visitor is told. */
  void linkLost(boolean agentCame);
}
