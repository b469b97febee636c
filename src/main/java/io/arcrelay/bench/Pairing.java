package io.arcrelay.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Pairing time: side A joins and sends one message at once (the relay holds it); then side B
 * starts its upgrade, and the time until B has A's message is recorded. One pair at a time.
 */
@Command(name = "pairing", description = "Time from the second side's upgrade to the first frame it receives.")
final class Pairing implements Callable<Integer> {

  @Option(names = "--relay", required = true, description = "where the A sides connect")
  String relay;

  @Option(names = "--relay-b", description = "where the B sides connect (another cluster node); default --relay")
  String relayB;

  @Option(names = "--pairs", defaultValue = "500")
  int pairs;

  @Override
  public Integer call() {
    Clients clients = new Clients();
    Stats stats = new Stats();
    String run = Long.toHexString(System.nanoTime());
    for (int i = 0; i < pairs; i++) {
      String code = "pairing-" + run + "-" + i;
      WebSocket a = clients.connect(Clients.pairUrl(relay, code)).await();
      a.writeBinaryMessage(Buffer.buffer("first")).await();
      CompletableFuture<Long> delivered = new CompletableFuture<>();
      long start = System.nanoTime();
      WebSocket b = clients.connect(Clients.pairUrl(relayB != null ? relayB : relay, code),
          ws -> ws.binaryMessageHandler(m -> delivered.complete(System.nanoTime()))).await();
      stats.add(delivered.join() - start);
      a.close().await();
      b.close();
    }
    System.out.printf("pairing mode=%s %s%n", relayB != null ? "cross-node" : "same-node", stats.summary());
    clients.close();
    return 0;
  }
}
