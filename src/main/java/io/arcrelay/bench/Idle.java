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

  @Option(names = "--one-side", description = "open one side of each code; a second process with the "
      + "same --prefix opens the others (on another node, say): a process may hold 20,000 files here")
  boolean oneSide;

  @Option(names = "--prefix", description = "codes are idle-<prefix>-<i> (default: a random prefix)")
  String prefix;

  @Override
  public Integer call() throws Exception {
    Clients clients = new Clients();
    String run = prefix != null ? prefix : Long.toHexString(System.nanoTime());
    int perCode = oneSide ? 1 : 2;
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      for (int s = 0; s < perCode; s++) urls.add(Clients.pairUrl(relay, "idle-" + run + "-" + i));
    }
    long t0 = System.nanoTime();
    int open = clients.connectAll(urls, 200).size();
    System.out.printf("idle pairs=%d sockets=%d connect_s=%.1f ready%n", pairs, open, (System.nanoTime() - t0) / 1e9);
    new CountDownLatch(1).await(); // until killed
    return 0;
  }
}
