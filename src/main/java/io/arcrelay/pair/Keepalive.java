package io.arcrelay.pair;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * Pings the sockets of one event loop every interval and closes those silent for two intervals,
 * with one timer for all of them. Confined to the context that created it, like its sockets.
 */
public final class Keepalive {

  private final Vertx vertx;
  private final long timerId;
  private final Set<RelaySocket> sockets = new HashSet<>();

  /** Starts the timer on the calling context. */
  public Keepalive(Vertx vertx, Duration interval) {
    this.vertx = vertx;
    this.timerId = vertx.setPeriodic(interval.toMillis(), id -> tick());
  }

  void watch(RelaySocket socket) {
    sockets.add(socket);
  }

  void forget(RelaySocket socket) {
    sockets.remove(socket);
  }

  private void tick() {
    // A tick may close sockets, which removes them from the set: iterate over a copy.
    for (RelaySocket socket : new ArrayList<>(sockets)) socket.keepaliveTick();
  }

  public void stop() {
    vertx.cancelTimer(timerId);
  }
}
