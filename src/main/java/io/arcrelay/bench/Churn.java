package io.arcrelay.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Connection churn: each of {@code --clients} concurrent clients opens side A, opens side B, makes
 * one round trip (A to B and back) and closes both, over and over. Reports pairs formed per second
 * and the time of one whole cycle, counted after a warm-up.
 */
@Command(name = "churn", description = "Pairs formed per second: open A, open B, one round trip, close both, again.")
final class Churn implements Callable<Integer> {

  @Option(names = "--relay", required = true, description = "where the A sides connect")
  String relay;

  @Option(names = "--relay-b", description = "where the B sides connect (another cluster node); default --relay")
  String relayB;

  @Option(names = "--clients", defaultValue = "50")
  int clients;

  @Option(names = "--seconds", defaultValue = "10")
  int seconds;

  @Option(names = "--warmup", defaultValue = "3", description = "seconds of churn before counting")
  int warmup;

  @Override
  public Integer call() {
    Clients sockets = new Clients();
    Stats stats = new Stats();
    AtomicLong formed = new AtomicLong();
    String run = Long.toHexString(System.nanoTime());
    long countFrom = System.nanoTime() + warmup * 1_000_000_000L;
    long stopAt = countFrom + seconds * 1_000_000_000L;
    List<Future<Void>> workers = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      String prefix = "churn-" + run + "-" + i + "-";
      Promise<Void> done = Promise.promise();
      sockets.vertx.runOnContext(v -> new Worker(sockets, prefix, countFrom, stopAt, stats, formed, done).next());
      workers.add(done.future());
    }
    Future.all(workers).await();
    System.out.printf("churn mode=%s clients=%d pairs_per_s=%.0f %s%n", relayB != null ? "cross-node" : "same-node",
        clients, formed.get() / (double) seconds, stats.summary());
    sockets.close();
    return 0;
  }

  /** One client's loop; each step runs on the client's event loop. */
  private final class Worker {
    private final Clients sockets;
    private final String prefix;
    private final long countFrom;
    private final long stopAt;
    private final Stats stats;
    private final AtomicLong formed;
    private final Promise<Void> done;
    private long cycles;

    Worker(Clients sockets, String prefix, long countFrom, long stopAt, Stats stats, AtomicLong formed, Promise<Void> done) {
      this.sockets = sockets;
      this.prefix = prefix;
      this.countFrom = countFrom;
      this.stopAt = stopAt;
      this.stats = stats;
      this.formed = formed;
      this.done = done;
    }

    void next() {
      long start = System.nanoTime();
      if (start >= stopAt) {
        done.complete();
        return;
      }
      String code = prefix + cycles++;
      Promise<Buffer> back = Promise.promise();
      Future<WebSocket> a = sockets.connect(Clients.pairUrl(relay, code), ws -> ws.binaryMessageHandler(back::tryComplete));
      a.compose(sideA -> sockets.connect(Clients.pairUrl(relayB != null ? relayB : relay, code),
              ws -> ws.binaryMessageHandler(ws::writeBinaryMessage)) // B echoes
          .compose(sideB -> sideA.writeBinaryMessage(Buffer.buffer("ping"))
              .compose(written -> back.future())
              .map(echoed -> {
                // Closed without waiting for the close handshakes: the relay still does their work.
                sideA.close();
                sideB.close();
                return echoed;
              })))
          .onComplete(cycle -> {
            if (cycle.failed()) {
              done.tryFail(cycle.cause());
              return;
            }
            if (start >= countFrom) {
              formed.incrementAndGet();
              stats.add(System.nanoTime() - start);
            }
            next();
          });
    }
  }
}
