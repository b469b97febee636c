package io.arcrelay.bench;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
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
 * per pair). A message is the pair's id, its number, then the pair's own random bytes: B counts a
 * message with another id as misrouted, a number that skips as skipped, any other difference as
 * corrupt. A pair the relay closes (a node killed) is formed again under a new code and id; a message
 * it had in flight is counted as cut. After {@code --seconds} A stops, and B gets up to a minute to
 * receive the last ones.
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
  private long cut;
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
    while (System.nanoTime() < deadline && !onLoop(() -> all.stream().allMatch(p -> p.received == p.sent)).join()) {
      Thread.sleep(100);
    }
    System.out.println(onLoop(() -> {
      ending = true;
      return String.format("big pairs=%d size=%d sent=%d verified=%d verified_bytes=%d"
              + " corrupt=%d misrouted=%d skipped=%d cut=%d undelivered=%d closes=%s",
          pairs, size, sent, verified, verified * size, corrupt, misrouted, skipped, cut,
          all.stream().mapToLong(p -> p.sent - p.received).sum(), closes);
    }).join());
    clients.close();
    return 0;
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
    int generation;
    long id;
    WebSocket a;
    WebSocket b;
    long sent;     // messages A sent in this generation
    long received; // messages B received in this generation

    BigPair(String prefix) {
      this.prefix = prefix;
      byte[] bytes = new byte[size - HEADER];
      ThreadLocalRandom.current().nextBytes(bytes);
      body = Buffer.buffer(bytes);
    }

    /** Connects A, then B; on failure (a node down, not yet out of the balancer) tries again. */
    Future<Void> form() {
      generation++;
      String url = Clients.pairUrl(relay, prefix + "-" + generation);
      return clients.connect(url).compose(wsA -> clients.connect(url).map(wsB -> {
        attach(wsA, wsB);
        return (Void) null;
      }).onFailure(e -> wsA.close())).recover(e -> clients.vertx.timer(100).compose(v -> form()));
    }

    private void attach(WebSocket wsA, WebSocket wsB) {
      a = wsA;
      b = wsB;
      id = ThreadLocalRandom.current().nextLong();
      sent = 0;
      received = 0;
      b.binaryMessageHandler(this::onAtB);
      a.closeHandler(v -> onClose(wsA));
      b.closeHandler(v -> onClose(wsB));
    }

    void sendNext() {
      if (a == null || received < sent) return;
      a.writeBinaryMessage(Buffer.buffer(size).appendLong(id).appendLong(++sent).appendBuffer(body));
      BigMessages.this.sent++;
    }

    private void onAtB(Buffer message) {
      if (message.length() < HEADER || message.getLong(0) != id) {
        misrouted++;
        return;
      }
      long n = message.getLong(8);
      if (n != received + 1) skipped += Math.max(0, n - received - 1);
      received = Math.max(received, n);
      if (message.length() == size && message.slice(HEADER, size).equals(body)) {
        verified++;
      } else {
        corrupt++;
      }
    }

    /** The first close of a generation ends it: the other side is closed and the pair formed again. */
    private void onClose(WebSocket ws) {
      if (ending || ws != a && ws != b) return; // the other side of a generation already ended
      Short code = ws.closeStatusCode();
      closes.add(code == null ? 1006 : (int) code);
      cut += sent - received;
      sent = received;
      WebSocket other = ws == a ? b : a;
      a = null;
      b = null;
      other.close();
      form();
    }
  }
}
