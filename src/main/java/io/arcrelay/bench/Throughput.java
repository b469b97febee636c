package io.arcrelay.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Delivered throughput: N senders push S-byte messages as fast as back-pressure allows, and the
 * bytes that reach the receivers are counted over a timed window (after a warm-up).
 */
@Command(name = "throughput", description = "Delivered bytes/s of N pairs sending S-byte messages.")
final class Throughput implements Callable<Integer> {

  @Option(names = "--relay", description = "relay URL, e.g. ws://127.0.0.1:8765/")
  String relay;

  @Option(names = "--relay-b", description = "where the B sides connect (another cluster node); default --relay")
  String relayB;

  @Option(names = "--direct", description = "measure against this tool's own sink server instead")
  boolean direct;

  @Option(names = "--sink-port", defaultValue = "0", description = "with --direct: the sink server's port (default: any free one)")
  int sinkPort;

  @Option(names = "--via", description = "with --direct: where the senders connect, e.g. a TCP proxy in front of the sink "
      + "(ws://127.0.0.1:18910/); default the sink itself")
  String via;

  @Option(names = "--pairs", defaultValue = "1")
  int pairs;

  @Option(names = "--size", defaultValue = "65536", description = "message size in bytes")
  int size;

  @Option(names = "--seconds", defaultValue = "10")
  int seconds;

  @Option(names = "--warmup", defaultValue = "3")
  int warmup;

  @Override
  public Integer call() throws Exception {
    Clients clients = new Clients();
    // Receivers on an event loop of their own: on the senders' loop, 100 pumping senders starve them
    // (jstack: the loop masking frames while the receivers' sockets hold megabytes unread), and the
    // relay then measures the generator's stalls instead of its own throughput.
    Clients readers = new Clients();
    AtomicLong delivered = new AtomicLong();
    List<WebSocket> senders = new ArrayList<>();
    if (direct) {
      HttpServer sink = SinkServer.start(readers.vertx, "127.0.0.1", sinkPort, ws -> count(ws, delivered));
      String url = via != null ? via : "ws://127.0.0.1:" + sink.actualPort() + "/";
      for (int i = 0; i < pairs; i++) senders.add(clients.connect(url).await());
    } else {
      String run = Long.toHexString(System.nanoTime());
      for (int i = 0; i < pairs; i++) {
        String code = "tp-" + run + "-" + i;
        senders.add(clients.connect(Clients.pairUrl(relay, code)).await());
        count(readers.connect(Clients.pairUrl(relayB != null ? relayB : relay, code)).await(), delivered);
      }
    }
    Buffer message = Buffer.buffer(new byte[size]);
    clients.vertx.runOnContext(v -> senders.forEach(ws -> clients.pump(ws, message, written -> { })));
    Thread.sleep(warmup * 1000L);
    long start = delivered.get();
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    double mbPerSecond = (delivered.get() - start) / ((System.nanoTime() - t0) / 1e9) / 1e6;
    long closed = senders.stream().filter(WebSocket::isClosed).count(); // a relay that cut senders measured less than it says
    System.out.printf("throughput mode=%s pairs=%d size=%d MBps=%.1f senders_closed=%d%n",
        direct ? (via != null ? "via" : "direct") : relayB != null ? "cross-node" : "relay", pairs, size, mbPerSecond, closed);
    clients.close();
    readers.close();
    return 0;
  }

  private static void count(WebSocketBase ws, AtomicLong delivered) {
    ws.frameHandler(frame -> delivered.addAndGet(frame.binaryData().length()));
  }
}
