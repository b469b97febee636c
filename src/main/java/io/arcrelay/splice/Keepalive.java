package io.arcrelay.splice;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Pings the sockets of one event loop every interval and closes those silent for two intervals,
 * with one timer for all of them. The sockets are spread over {@link #SLICES} slices visited one
 * after the other, so an event loop with 10,000 sockets pings a few hundred at a time instead of
 * stalling its other sockets while it pings all of them at once. Confined to the context that
 * created it, like its sockets.
 */
public final class Keepalive {

  /** A socket the keepalive visits once per interval, on its own context. */
  public interface Watched {
    /** One interval has passed: ping, or close a socket silent for too long. */
    void keepaliveTick();
  }

  static final int SLICES = 30;

  private final Vertx vertx;
  private final long timerId;
  private final List<Set<Watched>> slices = new ArrayList<>(SLICES);
  private int nextSlice;
  private int nextTick;

  /** Starts the timer on the calling context. */
  public Keepalive(Vertx vertx, Duration interval) {
    this.vertx = vertx;
    for (int i = 0; i < SLICES; i++) slices.add(new HashSet<>());
    this.timerId = vertx.setPeriodic(Math.max(1, interval.toMillis() / SLICES), id -> tick());
  }

  /** Visits {@code socket} from now on; call on this keepalive's context. */
  public void watch(Watched socket) {
    slices.get(nextSlice++ % SLICES).add(socket);
  }

  /** Stops visiting {@code socket}; call on this keepalive's context. */
  public void forget(Watched socket) {
    for (Set<Watched> slice : slices) {
      if (slice.remove(socket)) return;
    }
  }

  private void tick() {
    // A tick may close sockets, which removes them from the slice: iterate over a copy.
    for (Watched socket : new ArrayList<>(slices.get(nextTick++ % SLICES))) socket.keepaliveTick();
  }

  public void stop() {
    vertx.cancelTimer(timerId);
  }
}
