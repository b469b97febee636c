package io.arcrelay.bench;

import io.vertx.core.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Round-trip latency: the A sides send timestamped 64-byte messages at a fixed total rate, the far
 * ends (an {@code echo} process) send them back, and each round trip is recorded.
 */
@Command(name = "latency", description = "Round-trip p50/p99 of N pairs at a fixed total message rate.")
final class Latency implements Callable<Integer> {

  @Option(names = "--relay", description = "relay URL (B sides: `bench echo --relay` with the same --prefix)")
  String relay;

  @Option(names = "--direct", description = "URL of a `bench echo --serve` server instead of a relay")
  String direct;

  @Option(names = "--host-header", description = "Host header of the upgrades, e.g. a tunnel's name.localhost:port")
  String hostHeader;

  @Option(names = "--pairs", defaultValue = "100")
  int pairs;

  @Option(names = "--rate", defaultValue = "2000", description = "messages per second, all pairs together")
  int rate;

  @Option(names = "--seconds", defaultValue = "20")
  int seconds;

  @Option(names = "--warmup", defaultValue = "3")
  int warmup;

  @Option(names = "--prefix", defaultValue = "lat")
  String prefix;

  @Override
  public Integer call() throws Exception {
    Clients clients = new Clients();
    clients.hostHeader = hostHeader;
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < pairs; i++) urls.add(direct != null ? direct : Clients.pairUrl(relay, prefix + "-" + i));
    List<WebSocket> sockets = clients.connectAll(urls, 50);
    Stats[] window = {new Stats()};
    for (WebSocket ws : sockets) {
      ws.binaryMessageHandler(echoed -> window[0].addRoundTrip(echoed));
    }
    long tickMs = 1;
    int perTick = Math.max(1, (int) (rate * tickMs / 1000));
    int[] next = {0};
    clients.vertx.setPeriodic(tickMs, id -> {
      for (int i = 0; i < perTick; i++) {
        sockets.get(next[0]++ % sockets.size()).writeBinaryMessage(Stats.stamped());
      }
    });
    Thread.sleep(warmup * 1000L);
    window[0] = new Stats();
    Thread.sleep(seconds * 1000L);
    Stats measured = window[0];
    System.out.printf("latency mode=%s pairs=%d rate=%d %s%n",
        direct != null ? "direct" : "relay", pairs, rate, measured.summary());
    clients.close();
    return 0;
  }
}
