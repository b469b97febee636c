package io.arcrelay.tunnel;

import io.vertx.core.Context;
import java.util.concurrent.TimeUnit;

/**
 * When the response to a link's current request must begin by ({@code tunnelResponseTimeout} after
 * the request is all sent). Keep-alive requests follow each other on a link, so it is a time to
 * check, not a timer set and cancelled per request: a pending check that finds the deadline moved
 * waits again for the new one (as {@code edge.ConnectionGuard}'s request deadline does). On the
 * link's context.
 */
final class ResponseDeadline {

  private final Context context;
  private final long timeoutNanos;
  private long due;
  private Runnable expired; // what happens at the deadline; null while no response is awaited
  private long check = -1; // the pending check's timer

  ResponseDeadline(Context context, long timeoutMillis) {
    this.context = context;
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
  }

  /** A response is awaited from now: {@code expired} runs if it has not begun within the timeout. */
  void start(Runnable expired) {
    this.expired = expired;
    due = System.nanoTime() + timeoutNanos;
    if (check < 0) schedule(timeoutNanos); // a pending one runs sooner, and finds the new deadline
  }

  /** The response began (or the exchange is over some other way). */
  void stop() {
    expired = null;
  }

  /** The link ended: nothing is awaited any more, and no check stays scheduled. */
  void cancel() {
    expired = null;
    if (check >= 0) context.owner().cancelTimer(check);
    check = -1;
  }

  private void schedule(long delayNanos) {
    check = context.owner().setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos + 999_999)), id -> check());
  }

  private void check() {
    check = -1;
    if (expired == null) return;
    long left = due - System.nanoTime();
    if (left > 0) {
      schedule(left);
      return;
    }
    Runnable fire = expired;
    expired = null;
    fire.run();
  }
}
