package io.arcrelay.tunnel;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy between an agent and a relay that a test can cut, as a broken network would: the
 * connections through it end without a WebSocket close, and new ones are held (accepted, nothing
 * passed on) until the test lets them through to a relay, possibly another one. Held rather than
 * refused, so the agent waits on one connection attempt instead of running up its backoff.
 */
final class CutProxy {

  private final NetServer server;
  private final NetClient client;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private final Queue<NetSocket> held = new ArrayDeque<>(); // guarded by this
  private int target; // the relay's port; 0 while cut; guarded by this

  private CutProxy(Vertx vertx, int target) {
    this.client = vertx.createNetClient();
    this.target = target;
    this.server = vertx.createNetServer().connectHandler(this::accept);
  }

  /** A proxy on a random port of 127.0.0.1 to the relay on {@code target}. */
  static CutProxy start(Vertx vertx, int target) {
    CutProxy proxy = new CutProxy(vertx, target);
    proxy.server.listen(0, "127.0.0.1").await();
    return proxy;
  }

  int port() {
    return server.actualPort();
  }

  /** Ends every connection through the proxy (TCP closes, no WebSocket close) and holds new ones. */
  synchronized void cut() {
    target = 0;
    open.forEach(NetSocket::close);
  }

  /** Passes the held connections, and new ones, on to the relay on {@code port}. */
  synchronized void forwardTo(int port) {
    target = port;
    for (NetSocket front; (front = held.poll()) != null; ) forward(front, port);
  }

  private synchronized void accept(NetSocket front) {
    front.pause(); // nothing is read before it can be passed on
    track(front);
    if (target == 0) {
      held.add(front);
    } else {
      forward(front, target);
    }
  }

  private void forward(NetSocket front, int port) {
    client.connect(port, "127.0.0.1").onComplete(connected -> {
      if (connected.failed()) {
        front.close();
        return;
      }
      NetSocket back = connected.result();
      track(back);
      front.pipeTo(back);
      back.pipeTo(front);
    });
  }

  private void track(NetSocket socket) {
    open.add(socket);
    socket.closeHandler(v -> open.remove(socket));
  }
}
