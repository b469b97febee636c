package io.arcrelay.bench;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Readers that stop: the B side of each of {@code --pairs} pairs reads the upgrade's answer and
 * nothing more, while A pushes {@code --size}-byte (16 MiB) single-frame messages as fast as the relay
 * takes them. (B is a plain socket: a paused Vert.x WebSocket goes on reading frames into its own
 * queue.) The bytes A got into the kernel during one stall are what the relay and the three sockets'
 * kernel buffers absorbed before back-pressure stopped A. When the relay closes A (B was closed for
 * not reading or not answering pings, or its node died), B is closed and the pair starts again under a
 * new code, until {@code --seconds} have passed. Reports the most one stall absorbed, how long stalls
 * lasted and the close codes A got.
 */
@Command(name = "stopped", description = "Pairs whose reader stops while the sender pushes 16 MiB frames; what each stall took.")
final class StoppedReaders implements Callable<Integer> {

  @Option(names = "--relay", required = true, description = "relay (or load balancer) URL")
  String relay;

  @Option(names = "--pairs", defaultValue = "2")
  int pairs;

  @Option(names = "--size", defaultValue = "16777216", description = "message size in bytes")
  int size;

  @Option(names = "--seconds", defaultValue = "60")
  int seconds;

  private Clients clients;
  private Buffer message;
  private String run;
  private final Tally<Integer> closes = new Tally<>();
  private final Stats lasted = new Stats();
  private long[] taken; // bytes A got into the kernel in each pair's current stall
  private Socket[] readers; // each pair's stopped B, closed at the end so that its pair ends at once
  private long mostTaken;
  private long stalls;
  private boolean ending; // reported: closes from here on are the client's own

  @Override
  public Integer call() throws Exception {
    clients = new Clients();
    message = Buffer.buffer(new byte[size]);
    run = Long.toHexString(System.nanoTime());
    taken = new long[pairs];
    readers = new Socket[pairs];
    clients.vertx.runOnContext(v -> {
      for (int i = 0; i < pairs; i++) stall(i, 1);
    });
    System.out.println("stopped ready");
    Thread.sleep(seconds * 1000L);
    CompletableFuture<String> report = new CompletableFuture<>();
    clients.vertx.runOnContext(v -> {
      ending = true;
      for (long running : taken) mostTaken = Math.max(mostTaken, running);
      // Otherwise the stalled pairs end only when the relay gives up on their readers (keepalive).
      for (Socket reader : readers) if (reader != null) closeQuietly(reader);
      report.complete(String.format("stopped pairs=%d size=%d stalls=%d most_absorbed_MiB=%.1f closes=%s ended_after_%s",
          pairs, size, stalls, mostTaken / 1048576.0, closes, lasted.summary()));
    });
    System.out.println(report.join());
    clients.close();
    return 0;
  }

  /** Forms pair {@code index} under a new code, stops its reader and pushes until the relay closes A. */
  private void stall(int index, int generation) {
    String code = "stopped-" + run + "-" + index + "-" + generation;
    clients.connect(Clients.pairUrl(relay, code))
        .compose(a -> clients.vertx.executeBlocking(() -> stoppedReader(URI.create(relay), code)).map(b -> {
          stalls++;
          taken[index] = 0;
          readers[index] = b;
          long start = System.nanoTime();
          a.closeHandler(v -> {
            Short status = a.closeStatusCode();
            closes.add(status == null ? 1006 : (int) status);
            lasted.add(System.nanoTime() - start);
            mostTaken = Math.max(mostTaken, taken[index]);
            closeQuietly(b);
            if (!ending) stall(index, generation + 1);
          });
          clients.pump(a, message, written -> taken[index] += written);
          return b;
        }).onFailure(e -> a.close()))
        .onFailure(e -> {
          if (!ending) clients.vertx.setTimer(100, id -> stall(index, generation + 1));
        });
  }

  /** Upgrades a plain socket as side B of {@code code} and reads the answer's head, and not a byte more. */
  private static Socket stoppedReader(URI relay, String code) throws IOException {
    Socket socket = new Socket(relay.getHost(), relay.getPort());
    try {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write((RawConnections.unfinishedUpgrade(relay, code) + "\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      while (head.indexOf("\r\n\r\n") < 0) {
        int c = in.read();
        if (c < 0) throw new IOException("closed before answering");
        head.append((char) c);
      }
      if (!head.toString().startsWith("HTTP/1.1 101")) throw new IOException(head.substring(0, head.indexOf("\r\n")));
      return socket;
    } catch (IOException e) {
      closeQuietly(socket);
      throw e;
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing a socket the relay already closed: nothing left to do
    }
  }
}
