package io.arcrelay.bench;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Big messages, every byte verified: each of {@code --pairs} pairs sends a {@code --size}-byte (16 MiB)
 * single-frame message from A to B every {@code --interval-ms}, once B has the one before (one in flight
 * per pair). A message is the id of the pair's current code, its number, then the pair's own random
 * bytes: B counts a message with another id as misrouted, a number that skips as skipped, any other
 * difference as corrupt, and prints each on stderr. A pair the relay closes (a node killed) is formed
 * again under a new code and id; a message that still arrives on the old B socket is checked all the
 * same and counted as late, one that never does as cut. After {@code --seconds} A stops, and B gets
 * up to a minute to receive the last ones.
 *
 * <p>All sockets live on the client's single event loop, so the pair state needs no locking.
 */
@Command(name = "big", description = "16 MiB single-frame messages through pairs that re-form when closed; every byte verified.")
final class BigMessages implements Callable<Integer> {

  private static final int HEADER = 16;

  @Option(names = "--relay", required = true, description = "relay (or load balancer) URL")
  String relay;

  @Option(names = "--pairs", defaultValue = "3")
  int pairs;

  @Option(names = "--size", defaultValue = "16777216", description = "message size in bytes")
  int size;

  @Option(names = "--interval-ms", defaultValue = "2000", description = "time between one pair's messages")
  int intervalMs;

  @Option(names = "--seconds", defaultValue = "60")
  int seconds;

  private Clients clients;
  private final Tally<Integer> closes = new Tally<>();
  private long sent;
  private long verified;
  private long corrupt;
  private long misrouted;
  private long skipped;
  private long late;
  private final List<Generation> history = new ArrayList<>(); // every generation of every pair
  private boolean ending; // reported: closes from here on are the client's own

  @Override
  public Integer call() throws Exception {
    clients = new Clients();
    String run = Long.toHexString(System.nanoTime());
    List<BigPair> all = new ArrayList<>();
    for (int i = 0; i < pairs; i++) all.add(new BigPair("big-" + run + "-" + i));
    onLoop(() -> Future.all(all.stream().map(BigPair::form).toList())).join().await();
    System.out.println("big ready");
    long timer = clients.vertx.setPeriodic(intervalMs, id -> all.forEach(BigPair::sendNext));
    Thread.sleep(seconds * 1000L);
    clients.vertx.cancelTimer(timer);
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline && !onLoop(this::delivered).join()) {
      Thread.sleep(100);
    }
    System.out.println(onLoop(() -> {
      ending = true;
      long cut = history.stream().filter(g -> g.ended).mapToLong(g -> g.sent - g.received).sum();
      long undelivered = history.stream().filter(g -> !g.ended).mapToLong(g -> g.sent - g.received).sum();
      return String.format("big pairs=%d size=%d sent=%d verified=%d verified_bytes=%d corrupt=%d misrouted=%d"
              + " skipped=%d late=%d cut=%d undelivered=%d generations=%d closes=%s",
          pairs, size, sent, verified, verified * size, corrupt, misrouted, skipped, late, cut, undelivered,
          history.size(), closes);
    }).join());
    clients.close();
    return 0;
  }

  private boolean delivered() {
    return history.stream().allMatch(g -> g.ended || g.received == g.sent);
  }

  private <T> CompletableFuture<T> onLoop(Supplier<T> what) {
    CompletableFuture<T> result = new CompletableFuture<>();
    clients.vertx.runOnContext(v -> result.complete(what.get()));
    return result;
  }

  /** One pair, formed again under a new code whenever the relay closes it. */
  private final class BigPair {
    final String prefix;
    final Buffer body;
    int generations;
    Generation current; // null while the pair is being formed

    BigPair(String prefix) {
      this.prefix = prefix;
      byte[] bytes = new byte[size - HEADER];
      ThreadLocalRandom.current().nextBytes(bytes);
      body = Buffer.buffer(bytes);
    }

    /** Connects A, then B; on failure (a node down, not yet out of the balancer) tries again. */
    Future<Void> form() {
      current = null;
      String url = Clients.pairUrl(relay, prefix + "-" + ++generations);
      return clients.connect(url).compose(wsA -> clients.connect(url).map(wsB -> {
        current = new Generation(this, wsA, wsB);
        history.add(current);
        return (Void) null;
      }).onFailure(e -> wsA.close())).recover(e -> clients.vertx.timer(100).compose(v -> form()));
    }

    void sendNext() {
      if (current != null) current.sendNext();
    }
  }

  /**
   * One code of a pair: its two sockets, its id and its messages. B's handler belongs to this
   * generation, so a message that arrives after the pair was formed again is still checked against
   * the id it was sent with.
   */
  private final class Generation {
    final BigPair pair;
    final WebSocket a;
    final WebSocket b;
    final long id = ThreadLocalRandom.current().nextLong();
    long sent;
    long received;
    boolean ended;

    Generation(BigPair pair, WebSocket a, WebSocket b) {
      this.pair = pair;
      this.a = a;
      this.b = b;
      b.binaryMessageHandler(this::onAtB);
      a.closeHandler(v -> end(a));
      b.closeHandler(v -> end(b));
    }

    void sendNext() {
      if (ended || received < sent) return;
      a.writeBinaryMessage(Buffer.buffer(size).appendLong(id).appendLong(++sent).appendBuffer(pair.body));
      BigMessages.this.sent++;
    }

    private void onAtB(Buffer message) {
      if (message.length() < HEADER || message.getLong(0) != id) {
        misrouted++;
        anomaly("misrouted", message);
        return;
      }
      if (ended) late++;
      long n = message.getLong(8);
      if (n != received + 1) {
        skipped += Math.max(0, n - received - 1);
        anomaly("out of order", message);
      }
      received = Math.max(received, n);
      if (message.length() == size && message.slice(HEADER, size).equals(pair.body)) {
        verified++;
      } else {
        corrupt++;
        anomaly("corrupt", message);
      }
    }

    /** The first close ends the generation: the other side is closed and the pair formed again. */
    private void end(WebSocket ws) {
      if (ended || ending) return;
      ended = true;
      Short code = ws.closeStatusCode();
      closes.add(code == null ? 1006 : (int) code);
      (ws == a ? b : a).close();
      pair.form();
    }

    /** What the relay got wrong, in detail, on stderr: enough to look for it in the node logs. */
    private void anomaly(String what, Buffer message) {
      boolean ownBody = message.length() == size && message.slice(HEADER, size).equals(pair.body);
      System.err.printf("big: %s %s: %s generation %d%s: got %d bytes, id %016x, number %d, %s body;"
              + " expected id %016x, number %d%n", LocalTime.now(), what, pair.prefix, pair.generations,
          ended ? " (ended)" : "", message.length(), message.length() >= 8 ? message.getLong(0) : 0,
          message.length() >= HEADER ? message.getLong(8) : 0, ownBody ? "the pair's own" : "another",
          id, received + 1);
    }
  }
}
