package io.arcrelay.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A connection flood from one address: {@code --rate} new connections a second from {@code --from},
 * each sending a complete WebSocket upgrade for a code of its own, at most {@code --connections} open
 * at once. Upgraded connections are held (they never answer the relay's pings) until the relay closes
 * them. Counts the answers by HTTP status, and connections closed without one. After {@code --seconds}
 * it opens no more and waits up to ten seconds for the answers still due.
 */
@Command(name = "flood", description = "Upgrades from one address at a steady rate; counts the relay's answers.")
final class Flood implements Callable<Integer> {

  @Option(names = "--relay", required = true, description = "a node's URL, e.g. ws://127.0.0.1:8765/")
  String relay;

  @Option(names = "--from", defaultValue = "127.0.0.2", description = "source address of every connection")
  String from;

  @Option(names = "--connections", defaultValue = "1000", description = "most connections open at once")
  int connections;

  @Option(names = "--rate", defaultValue = "200", description = "new connections per second")
  int rate;

  @Option(names = "--seconds", defaultValue = "60")
  int seconds;

  private final Tally<String> answers = new Tally<>();
  private final Set<NetSocket> waiting = Collections.newSetFromMap(new IdentityHashMap<>());
  private long unanswered;
  private long codes;

  @Override
  public Integer call() throws Exception {
    RawConnections raw = new RawConnections(relay, from);
    URI target = URI.create(relay);
    String run = Long.toHexString(System.nanoTime());
    raw.run(connections, rate, seconds, socket -> {
      waiting.add(socket);
      socket.handler(bytes -> answered(socket, bytes));
      socket.write(RawConnections.unfinishedUpgrade(target, "flood-" + run + "-" + codes++) + "\r\n");
    }, socket -> {
      if (waiting.remove(socket)) unanswered++;
    });
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline && !raw.onLoop(waiting::isEmpty)) Thread.sleep(100);
    System.out.println("flood " + raw.report(() -> String.format("answers=%s unanswered=%d waiting=%d",
        answers, unanswered, waiting.size())));
    raw.close();
    return 0;
  }

  /** The status of the first bytes a connection received; later ones (pings) are ignored. */
  private void answered(NetSocket socket, Buffer bytes) {
    if (!waiting.remove(socket)) return;
    String head = bytes.getString(0, Math.min(bytes.length(), 12));
    answers.add(head.startsWith("HTTP/1.1 ") && head.length() == 12 ? head.substring(9) : "garbled");
  }
}
