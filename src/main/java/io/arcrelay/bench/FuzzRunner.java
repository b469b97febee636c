package io.arcrelay.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.Random;
import java.util.function.IntPredicate;

/**
 * Runs fuzz connections against a relay, a few at a time, each on a raw TCP socket: it sends its
 * {@link FuzzCase}, reading (and dropping) whatever comes back, until the relay closes it or its
 * {@code lifetime} passes, when it closes itself. Everything runs on one event loop, in the order
 * of the cases, so the cases depend on the seed alone.
 */
public final class FuzzRunner {

  /**
   * What a run did: connections made, how many of them the relay closed before the client did,
   * connection attempts that failed (a relay that stops accepting is a finding too); of those the
   * relay closed, how many had sent a valid upgrade request and were not refused, and how many of
   * those read no close frame before the connection ended (neither a 101 nor a close frame arrived,
   * or a TCP reset overtook the close frame).
   */
  public record Result(int connections, int closedByRelay, int unreachable, int closedAfterUpgrade,
      int missedCloseFrame) {}

  /** How one connection ended. */
  private record Ending(boolean byRelay, boolean validUpgrade, boolean refused, boolean closeFrame) {}

  private final Vertx vertx;
  private final String host;
  private final int port;
  private final Duration lifetime;

  /** A runner whose connections go to {@code host:port} and live at most {@code lifetime} each. */
  public FuzzRunner(Vertx vertx, String host, int port, Duration lifetime) {
    this.vertx = vertx;
    this.host = host;
    this.port = port;
    this.lifetime = lifetime;
  }

  /**
   * Runs connection after connection, {@code parallel} at a time, while {@code more} accepts the
   * number of the next one; completes when the last has closed. Pair codes are {@code codePrefix}
   * plus a number below half of {@code parallel}, so connections running at the same time meet.
   */
  public Future<Result> run(long seed, int parallel, String codePrefix, IntPredicate more) {
    Context context = vertx.getOrCreateContext();
    Promise<Result> done = Promise.promise();
    context.runOnContext(v -> new Run(new Random(seed), codePrefix, parallel, more, done).start());
    return done.future();
  }

  /** One run's state, confined to its event loop. */
  private final class Run {
    private final Random random;
    private final String codePrefix;
    private final int parallel;
    private final IntPredicate more;
    private final Promise<Result> done;
    private final NetClient client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
    private int started;
    private int running;
    private int closedByRelay;
    private int unreachable;
    private int closedAfterUpgrade;
    private int missedCloseFrame;

    Run(Random random, String codePrefix, int parallel, IntPredicate more, Promise<Result> done) {
      this.random = random;
      this.codePrefix = codePrefix;
      this.parallel = parallel;
      this.more = more;
      this.done = done;
    }

    void start() {
      for (int i = 0; i < parallel; i++) next();
      if (running == 0) finish();
    }

    private void next() {
      if (!more.test(started)) return;
      started++;
      running++;
      // The case is drawn before connecting, so the sequence of cases does not depend on timing.
      FuzzCase fuzzCase = FuzzCases.next(random, codePrefix, Math.max(1, parallel / 2));
      client.connect(port, host)
          .compose(socket -> play(socket, fuzzCase))
          .onComplete(played -> {
            if (played.failed()) {
              unreachable++;
            } else if (played.result().byRelay()) {
              closedByRelay++;
              count(played.result());
            }
            running--;
            next();
            if (running == 0) finish();
          });
    }

    private void count(Ending relayClosed) {
      if (!relayClosed.validUpgrade() || relayClosed.refused()) return;
      closedAfterUpgrade++;
      if (!relayClosed.closeFrame()) missedCloseFrame++;
    }

    /**
     * Plays one case; completes once the socket is closed, with how it ended. The lifetime runs
     * from the connect, not from the last write: a relay that stops reading (its hold limit, its
     * memory budget) may never take the rest.
     */
    private Future<Ending> play(NetSocket socket, FuzzCase fuzzCase) {
      Promise<Ending> closed = Promise.promise();
      boolean[] closing = {false};
      Runnable close = () -> {
        closing[0] = true;
        socket.close();
      };
      ServerFrames received = new ServerFrames();
      socket.handler(received::accept);
      socket.exceptionHandler(e -> {}); // a reset is one way for the relay to close: the close handler follows
      socket.closeHandler(v -> closed.complete(
          new Ending(!closing[0], fuzzCase.validUpgrade(), received.refused(), received.closeCode() >= 0)));
      long timer = vertx.setTimer(lifetime.toMillis(), id -> close.run());
      closed.future().onComplete(c -> vertx.cancelTimer(timer));
      Future<Void> written = Future.succeededFuture();
      for (Buffer bytes : fuzzCase.writes()) written = written.compose(v -> socket.write(bytes));
      if (fuzzCase.hangUp()) written.onComplete(w -> close.run());
      return closed.future();
    }

    private void finish() {
      // Once: a connect that fails at once can bring running to 0 while start() is still looping.
      Result result = new Result(started - unreachable, closedByRelay, unreachable, closedAfterUpgrade, missedCloseFrame);
      if (done.tryComplete(result)) client.close();
    }
  }
}
