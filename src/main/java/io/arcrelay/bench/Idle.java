package io.arcrelay.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Opens N idle pairs (2N sockets) and holds them until killed, so a script can read the relay's
 * resident memory. Raise the open-file limit first: {@code ulimit -n 20000}.
 */
@Command(name = "idle", description = "Open N idle pairs and hold them until killed.")
final class Idle implements Callable<Integer> {

  @Option(names = "--relay", required = true)
  String relay;

  @Option(names = "--pairs", defaultValue = "8000")
  int pairs;

  @Override
  public Integer call() throws Exception {
    Clients clients = new Clients();
    String run = Long.toHexString(System.nanoTime());
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      urls.add(Clients.pairUrl(relay, "idle-" + run + "-" + i));
      urls.add(Clients.pairUrl(relay, "idle-" + run + "-" + i));
    }
    long t0 = System.nanoTime();
    int open = clients.connectAll(urls, 200).size();
    System.out.printf("idle pairs=%d sockets=%d connect_s=%.1f ready%n", pairs, open, (System.nanoTime() - t0) / 1e9);
    new CountDownLatch(1).await(); // until killed
    return 0;
  }
}
