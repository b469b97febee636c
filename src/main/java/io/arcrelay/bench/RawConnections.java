package io.arcrelay.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the attack scenarios share: plain TCP connections to a relay from one source address (say
 * {@code 127.0.0.2}, so the relay counts them all against one client), opened at a capped rate while
 * fewer than a cap are open. What each connection sends is up to the scenario. State lives on the
 * client's single event loop.
 */
final class RawConnections {

  private static final long TICK_MS = 10;

  final Vertx vertx;
  private final NetClient client;
  private final String host;
  private final int port;
  private int open; // connecting or connected
  private long opened;
  private long failedToConnect;

  RawConnections(String relay, String from) {
    URI uri = URI.create(relay);
    host = uri.getHost();
    port = uri.getPort();
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setBlockedThreadCheckInterval(60_000));
    client = vertx.createNetClient(new NetClientOptions().setLocalAddress(from).setConnectTimeout(5_000));
  }

  /** The head of a WebSocket upgrade to {@code relay} for {@code code}, without the blank line that ends it. */
  static String unfinishedUpgrade(URI relay, String code) {
    return "GET " + Clients.pairUrl("/", code) + " HTTP/1.1\r\n"
        + "Host: " + relay.getHost() + ":" + relay.getPort() + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n";
  }

  /**
   * For {@code seconds}, opens up to {@code rate} connections a second while fewer than {@code max}
   * are open; {@code onOpen} gets each one once connected, {@code onClose} when it closes. Blocks.
   */
  void run(int max, int rate, int seconds, Consumer<NetSocket> onOpen, Consumer<NetSocket> onClose)
      throws InterruptedException {
    double perTick = rate * TICK_MS / 1000.0;
    double[] owed = {0};
    long timer = vertx.setPeriodic(TICK_MS, id -> {
      owed[0] = Math.min(owed[0] + perTick, perTick + 1); // no catching up after a stretch at the cap
      for (; owed[0] >= 1 && open < max; owed[0]--) connect(onOpen, onClose);
    });
    Thread.sleep(seconds * 1000L);
    vertx.cancelTimer(timer);
  }

  private void connect(Consumer<NetSocket> onOpen, Consumer<NetSocket> onClose) {
    open++;
    client.connect(port, host).onComplete(connected -> {
      if (connected.failed()) {
        open--;
        failedToConnect++;
        return;
      }
      opened++;
      NetSocket socket = connected.result();
      socket.closeHandler(v -> {
        open--;
        onClose.accept(socket);
      });
      onOpen.accept(socket);
    });
  }

  /** {@code what}, computed on the event loop. */
  <T> T onLoop(Supplier<T> what) {
    CompletableFuture<T> result = new CompletableFuture<>();
    vertx.runOnContext(v -> result.complete(what.get()));
    return result.join();
  }

  /** {@code what} computed on the event loop, with the connection counts in front. */
  String report(Supplier<String> what) {
    return onLoop(() -> String.format("opened=%d open=%d failed_to_connect=%d %s",
        opened, open, failedToConnect, what.get()));
  }

  void close() {
    vertx.close().await();
  }
}
