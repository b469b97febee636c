package io.arcrelay.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A reader that stops: pair 1's receiver never reads while its sender pushes 64 KiB messages as
 * fast as the relay accepts them; pair 2 measures round trips meanwhile. Reports how many bytes
 * the sender got into the relay, and pair 2's latency.
 */
@Command(name = "stall", description = "Bytes a relay accepts for a stopped reader, and another pair's p99.")
final class Stall implements Callable<Integer> {

  @Option(names = "--relay", required = true)
  String relay;

  @Option(names = "--seconds", defaultValue = "20")
  int seconds;

  @Option(names = "--rate", defaultValue = "200", description = "round trips per second on the other pair")
  int rate;

  @Override
  public Integer call() throws Exception {
    Clients clients = new Clients();
    String run = Long.toHexString(System.nanoTime());
    String stalledUrl = Clients.pairUrl(relay, "stall-" + run);
    WebSocket sender = clients.connect(stalledUrl).await();
    WebSocket stopped = clients.connect(stalledUrl).await();
    stopped.pause();
    String otherUrl = Clients.pairUrl(relay, "other-" + run);
    WebSocket probe = clients.connect(otherUrl).await();
    Echo.echo(clients.connect(otherUrl).await());

    AtomicLong accepted = new AtomicLong(); // bytes whose write reached the kernel
    Buffer message = Buffer.buffer(new byte[64 * 1024]);
    clients.vertx.runOnContext(v -> clients.pump(sender, message, accepted::addAndGet));
    Stats stats = new Stats();
    probe.binaryMessageHandler(stats::addRoundTrip);
    clients.vertx.setPeriodic(Math.max(1, 1000 / rate), id -> {
      probe.writeBinaryMessage(Stats.stamped());
    });
    Thread.sleep(seconds * 1000L);
    System.out.printf("stall accepted_MiB=%.1f other_pair %s%n", accepted.get() / 1048576.0, stats.summary());
    clients.close();
    return 0;
  }
}
