package io.arcrelay.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bystander: two well-behaved WebSocket clients on one code, A sending a numbered message every
 * {@code every} (the next only once the last came back) and B echoing it. A round trip fails when
 * the echo is not the message sent, when it has not come back within {@code patience}, or when the
 * relay closes either side. Whatever else the relay goes through, none may fail.
 *
 * <p>Both sockets and the timer live on one Vert.x context, so the state needs no locking; the
 * counts are read from other threads.
 */
public final class HonestPair {

  private static final int SIZE = 256;

  private final Vertx vertx;
  private final Context context;
  private final Duration patience;
  private final AtomicLong roundTrips = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private WebSocket a;
  private WebSocket b;
  private long timer;
  private long number;
  private boolean waiting; // message `number` is out and has not come back
  private long sentAt;
  private boolean over; // stopped, or failed by a close: nothing more is counted
  private Promise<Void> settled; // set by stop() while a message is out

  private HonestPair(Vertx vertx, Context context, Duration patience) {
    this.vertx = vertx;
    this.context = context;
    this.patience = patience;
  }

  /** Connects A then B to {@code url} (a relay URL with its {@code ?pair=}) and starts the round trips. */
  public static Future<HonestPair> start(Vertx vertx, WebSocketClient client, String url, Duration every,
      Duration patience) {
    Context context = vertx.getOrCreateContext();
    HonestPair pair = new HonestPair(vertx, context, patience);
    Promise<HonestPair> started = Promise.promise();
    // Connected from the context, the sockets belong to it: their handlers and the timer share a thread.
    context.runOnContext(v -> pair.connect(client, url)
        .onSuccess(connected -> pair.timer = vertx.setPeriodic(every.toMillis(), id -> pair.tick()))
        .map(pair)
        .onComplete(started));
    return started.future();
  }

  private Future<Void> connect(WebSocketClient client, String url) {
    ClientWebSocket sideA = client.webSocket();
    sideA.binaryMessageHandler(this::echoed);
    sideA.closeHandler(v -> closedByRelay());
    return sideA.connect(new WebSocketConnectOptions().setAbsoluteURI(url)).compose(wsA -> {
      a = wsA;
      ClientWebSocket sideB = client.webSocket();
      sideB.binaryMessageHandler(sideB::writeBinaryMessage);
      sideB.closeHandler(v -> closedByRelay());
      return sideB.connect(new WebSocketConnectOptions().setAbsoluteURI(url)).onFailure(e -> wsA.close());
    }).map(wsB -> {
      b = wsB;
      return null;
    });
  }

  /** Round trips completed so far. */
  public long roundTrips() {
    return roundTrips.get();
  }

  /** Round trips failed so far (a wrong echo, none within the patience, a side closed by the relay). */
  public long failures() {
    return failures.get();
  }

  /**
   * Stops sending, waits (within the patience) for the message still out, then closes both sides.
   * The counts are final once this completes.
   */
  public Future<Void> stop() {
    Promise<Void> stopped = Promise.promise();
    context.runOnContext(v -> {
      vertx.cancelTimer(timer);
      settled = Promise.promise();
      if (over || !waiting) {
        settled.tryComplete();
      } else {
        vertx.setTimer(patience.toMillis(), id -> {
          if (waiting) fail();
          settled.tryComplete();
        });
      }
      over = true;
      settled.future().compose(done -> Future.all(a.close(), b.close())).<Void>mapEmpty().onComplete(stopped);
    });
    return stopped.future();
  }

  private void tick() {
    if (over) return;
    if (waiting) {
      if (System.nanoTime() - sentAt > patience.toNanos()) fail();
      return;
    }
    number++;
    waiting = true;
    sentAt = System.nanoTime();
    a.writeBinaryMessage(message(number));
  }

  private void echoed(Buffer echo) {
    long n = echo.length() < Long.BYTES ? -1 : echo.getLong(0);
    if (n == number && waiting) {
      waiting = false;
      if (echo.equals(message(n))) {
        roundTrips.incrementAndGet();
      } else {
        failures.incrementAndGet();
      }
      if (settled != null) settled.tryComplete();
    } else if (n < 1 || n > number) {
      failures.incrementAndGet(); // something nobody sent; a late echo was counted when it was given up on
    }
  }

  private void closedByRelay() {
    if (over) return;
    over = true;
    failures.incrementAndGet();
    vertx.cancelTimer(timer);
  }

  private void fail() {
    waiting = false;
    failures.incrementAndGet();
  }

  /** Message {@code n}: its number, then bytes that depend on it, so a mixed-up echo shows. */
  private static Buffer message(long n) {
    Buffer message = Buffer.buffer(SIZE).appendLong(n);
    for (int i = Long.BYTES; i < SIZE; i++) message.appendByte((byte) (n * 31 + i));
    return message;
  }
}
