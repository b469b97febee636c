package io.arcrelay.bench;

import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Slowloris from one address: keeps {@code --connections} connections open from {@code --from}, each
 * having sent half a WebSocket upgrade and then one more header line every two seconds, never the
 * blank line that ends the request. A connection the relay closes is replaced, at most {@code --rate}
 * new ones a second. Reports how long the relay let them live, and whether it ever answered one.
 */
@Command(name = "slowloris", description = "Requests from one address that never finish; how long the relay keeps them.")
final class Slowloris implements Callable<Integer> {

  @Option(names = "--relay", required = true, description = "a node's URL, e.g. ws://127.0.0.1:8765/")
  String relay;

  @Option(names = "--from", defaultValue = "127.0.0.2", description = "source address of every connection")
  String from;

  @Option(names = "--connections", defaultValue = "2000", description = "connections kept open")
  int connections;

  @Option(names = "--rate", defaultValue = "500", description = "most new connections per second")
  int rate;

  @Option(names = "--seconds", defaultValue = "60")
  int seconds;

  private final Map<NetSocket, Long> openedAt = new IdentityHashMap<>();
  private final Stats lifetimes = new Stats();
  private long answered;
  private long codes;
  private long lines;

  @Override
  public Integer call() throws Exception {
    RawConnections raw = new RawConnections(relay, from);
    URI target = URI.create(relay);
    String run = Long.toHexString(System.nanoTime());
    long dribble = raw.vertx.setPeriodic(2_000, id -> {
      String line = "X-Wait-" + lines++ + ": 1\r\n";
      openedAt.keySet().forEach(socket -> socket.write(line));
    });
    raw.run(connections, rate, seconds, socket -> {
      openedAt.put(socket, System.nanoTime());
      socket.handler(bytes -> answered++);
      socket.write(RawConnections.unfinishedUpgrade(target, "slow-" + run + "-" + codes++));
    }, socket -> lifetimes.add(System.nanoTime() - openedAt.remove(socket)));
    raw.vertx.cancelTimer(dribble);
    System.out.println("slowloris " + raw.report(() -> String.format("answered=%d relay_closed_after_%s",
        answered, lifetimes.summary())));
    raw.close();
    return 0;
  }
}
