package io.arcrelay.bench;

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
      List<String> urls = new ArrayList<>();
      for (int i = 0; i < pairs; i++) urls.add(Clients.pairUrl(relay, prefix + "-" + i));
      List<WebSocket> sockets = clients.connectAll(urls, 50);
      for (int i = 0; i < pairs; i++) echoAndRejoin(clients, sockets.get(i), urls.get(i));
    }
    System.out.println("echo ready");
    new CountDownLatch(1).await(); // until killed
    return 0;
  }

  /** Each latency run ends its A sides; the B side then joins its code again for the next run. */
  private static void echoAndRejoin(Clients clients, WebSocket ws, String url) {
    echo(ws);
    ws.closeHandler(v -> clients.connect(url).onSuccess(next -> echoAndRejoin(clients, next, url)));
  }

  static void echo(WebSocketBase ws) {
    ws.frameHandler(frame -> {
      if (frame.isBinary() || frame.isContinuation()) ws.writeFrame(frame);
    });
  }
}
