package io.arcrelay.bench;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Steady load that survives restarts, and proves nothing was lost: each pair's A side sends
 * numbered messages at a steady rate, B echoes every number back. When the relay closes a pair
 * (1001 on a drain), both sides re-form it and A resends from the last number B echoed, as an
 * application on an end-to-end channel does. B checks that the numbers it gets never skip one:
 * a skipped number is a message the relay lost on a live connection. At the end A stops and waits
 * until every sent number is echoed.
 *
 * <p>All sockets live on the client's single event loop, so the pair state needs no locking.
 */
@Command(name = "steady", description = "Numbered messages through pairs that re-form when closed; reports losses.")
final class Steady implements Callable<Integer> {

  @Option(names = "--relay", required = true, description = "relay (or load balancer) URL")
  String relay;

  @Option(names = "--pairs", defaultValue = "50")
  int pairs;

  @Option(names = "--rate", defaultValue = "1000", description = "messages per second, all pairs together")
  int rate;

  @Option(names = "--size", defaultValue = "1024", description = "message size in bytes (at least 8)")
  int size;

  @Option(names = "--seconds", defaultValue = "60")
  int seconds;

  private Clients clients;
  private final Map<Integer, Integer> closes = new TreeMap<>();
  private final Stats reformTimes = new Stats();
  private long holes;
  private long reforms;
  private long halfOpen;

  @Override
  public Integer call() throws Exception {
    clients = new Clients();
    String run = Long.toHexString(System.nanoTime());
    List<SteadyPair> all = new ArrayList<>();
    for (int i = 0; i < pairs; i++) all.add(new SteadyPair("steady-" + run + "-" + i));
    CompletableFuture<Void> formed = new CompletableFuture<>();
    clients.vertx.runOnContext(v -> Future.all(all.stream().map(SteadyPair::form).toList())
        .onComplete(r -> formed.complete(null)));
    formed.join();
    System.out.println("steady ready");

    long tickMs = 10;
    double perTick = rate * tickMs / 1000.0;
    double[] owed = {0};
    int[] next = {0};
    long timer = clients.vertx.setPeriodic(tickMs, id -> {
      for (owed[0] += perTick; owed[0] >= 1; owed[0]--) all.get(next[0]++ % pairs).sendNext();
    });
    Thread.sleep(seconds * 1000L);
    clients.vertx.cancelTimer(timer);

    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline && !allEchoed(all)) Thread.sleep(100);
    CompletableFuture<String> report = new CompletableFuture<>();
    clients.vertx.runOnContext(v -> report.complete(report(all)));
    System.out.println(report.join());
    clients.close();
    return 0;
  }

  private boolean allEchoed(List<SteadyPair> all) {
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    clients.vertx.runOnContext(v -> done.complete(all.stream().allMatch(p -> p.echoed == p.sent)));
    return done.join();
  }

  private String report(List<SteadyPair> all) {
    long sent = 0;
    long delivered = 0;
    long undelivered = 0;
    int intact = 0;
    for (SteadyPair p : all) {
      sent += p.sent;
      delivered += p.received;
      undelivered += p.sent - p.received;
      if (p.generation == 1) intact++;
    }
    StringBuilder codes = new StringBuilder();
    closes.forEach((code, n) -> codes.append(codes.length() == 0 ? "" : ",").append(code).append(':').append(n));
    return String.format("steady pairs=%d sent=%d delivered=%d lost=%d undelivered=%d reformed=%d intact_pairs=%d"
            + " half_open=%d closes=%s reform_%s",
        pairs, sent, delivered, holes, undelivered, reforms, intact, halfOpen, codes.length() == 0 ? "none" : codes,
        reformTimes.summary());
  }

  /** One code, re-formed as often as the relay closes it. Numbers start at 1. */
  private final class SteadyPair {
    final String code;
    int generation;
    WebSocket a;
    WebSocket b;
    long sent;     // highest number A has sent (in this or an earlier generation)
    long echoed;   // highest number B has echoed back to A
    long received; // highest number B has seen, with none skipped
    int open;
    long closedAt;
    boolean closingHalf;

    SteadyPair(String code) {
      this.code = code;
    }

    /** Connects A, then B; on failure (a node going down, not yet out of the balancer) tries again. */
    Future<Void> form() {
      generation++;
      String url = Clients.pairUrl(relay, code);
      return clients.connect(url).compose(wsA -> clients.connect(url).map(wsB -> {
        attach(wsA, wsB);
        return (Void) null;
      }).onFailure(e -> wsA.close())).recover(e -> {
        generation--;
        return clients.vertx.timer(100).compose(v -> form());
      });
    }

    private void attach(WebSocket wsA, WebSocket wsB) {
      a = wsA;
      b = wsB;
      open = 2;
      if (closedAt != 0) reformTimes.add(System.nanoTime() - closedAt);
      closedAt = 0;
      b.binaryMessageHandler(this::onAtB);
      a.binaryMessageHandler(echo -> echoed = Math.max(echoed, echo.getLong(0)));
      a.closeHandler(v -> onClose(wsA));
      b.closeHandler(v -> onClose(wsB));
      // Resend whatever B had not echoed before the last close: an end-to-end channel's job.
      for (long n = echoed + 1; n <= sent; n++) write(n);
    }

    void sendNext() {
      if (open < 2) return; // re-forming: the numbers wait
      write(++sent);
    }

    private void write(long n) {
      a.writeBinaryMessage(Buffer.buffer(new byte[size]).setLong(0, n));
    }

    private void onAtB(Buffer message) {
      long n = message.getLong(0);
      if (n > received + 1) holes += n - received - 1; // numbers skipped on a live connection
      if (n > received) received = n;
      b.writeBinaryMessage(Buffer.buffer(8).appendLong(n));
    }

    private void onClose(WebSocket ws) {
      if (ws != a && ws != b) return; // a socket of an earlier generation
      if (!closingHalf) {
        Short code = ws.closeStatusCode();
        closes.merge(code == null ? 1006 : (int) code, 1, Integer::sum);
      }
      if (--open == 1) {
        closedAt = System.nanoTime();
        WebSocket other = ws == a ? b : a;
        int closedGeneration = generation;
        // The relay closes both sides; one left open for long is a half-open pair: count and close it.
        clients.vertx.setTimer(5_000, id -> {
          if (generation == closedGeneration && open == 1) {
            halfOpen++;
            closingHalf = true;
            other.close();
          }
        });
      } else if (open == 0) {
        closingHalf = false;
        reforms++;
        form();
      }
    }
  }
}
