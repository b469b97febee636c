package io.arcrelay.bench;

import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The far end for latency runs, meant to be a separate process: either joins the B sides of
 * {@code --pairs} codes on a relay, or ({@code --serve}) is the direct echo server.
 */
@Command(name = "echo", description = "Echo every binary message: as B sides of a relay, or as a direct server.")
final class Echo implements Callable<Integer> {

  @Option(names = "--relay", description = "relay URL to join as B sides")
  String relay;

  @Option(names = "--serve", description = "instead, serve direct echo on this port")
  Integer servePort;

  @Option(names = "--pairs", defaultValue = "100")
  int pairs;

  @Option(names = "--prefix", defaultValue = "lat", description = "codes are <prefix>-<i>")
  String prefix;

  @Override
  public Integer call() throws Exception {
    Clients clients = new Clients();
    if (servePort != null) {
      SinkServer.start(clients.vertx, "127.0.0.1", servePort, Echo::echo);
    } else {
      List<Future<WebSocket>> joined = new ArrayList<>();
      for (int i = 0; i < pairs; i++) joined.add(echoAndRejoin(clients, Clients.pairUrl(relay, prefix + "-" + i)));
      Future.all(joined).await();
    }
    System.out.println("echo ready");
    new CountDownLatch(1).await(); // until killed
    return 0;
  }

  /** Joins as side B and echoes. Each latency run ends its A sides; B then joins its code again. */
  private static Future<WebSocket> echoAndRejoin(Clients clients, String url) {
    return clients.connect(url, ws -> {
      echo(ws);
      ws.closeHandler(v -> echoAndRejoin(clients, url));
    });
  }

  static void echo(WebSocketBase ws) {
    ws.frameHandler(frame -> {
      if (frame.isBinary() || frame.isContinuation()) ws.writeFrame(frame);
    });
  }
}
