package io.arcrelay.seams;

import io.netty.channel.Channel;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.net.impl.VertxHandler;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives an upgraded WebSocket connection the direct outbound queue of Vert.x's strict thread mode.
 *
 * <p>Why: Vert.x 5.0 builds every WebSocket connection ({@code WebSocketConnectionImpl}) with a
 * multi-producer outbound queue, so any thread may write to it. That queue is Netty's MPSC queue,
 * whose first chunk of 1,024 slots is allocated up front: ~4.8 KB per socket, 41 % of an idle
 * socket's heap (docs/benchmarks.md). HTTP/1.x connections skip it in strict thread mode
 * ({@code HttpServerOptions.setStrictThreadMode}, which the relay sets), but a WebSocket connection
 * is always built without it, and no option reaches it. The relay writes to a socket only on the
 * socket's own event loop ({@code RelaySocket.send} hops there), which is strict mode's one rule,
 * so the connection's queue can be the direct one Vert.x itself uses in that mode.
 *
 * <p>The seam is one private field of {@code VertxConnection} ({@code outboundMessageQueue}) and
 * its private class {@code DirectOutboundMessageQueue} (Vert.x 5.0.10). Where they are not found
 * (another Vert.x version), nothing changes: the connection keeps its own queue, which is correct,
 * only larger.
 */
public final class DirectWrites {

  private static final Logger log = LoggerFactory.getLogger(DirectWrites.class);
  /** The connection's queue; package-private for the test that checks who uses it. */
  static final Field QUEUE;
  private static final Constructor<?> DIRECT;

  static {
    Field queue = null;
    Constructor<?> direct = null;
    try {
      queue = VertxConnection.class.getDeclaredField("outboundMessageQueue");
      queue.setAccessible(true);
      direct = Class.forName(VertxConnection.class.getName() + "$DirectOutboundMessageQueue")
          .getDeclaredConstructor(VertxConnection.class);
      direct.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("WebSocket connections keep Vert.x's multi-producer write queue ({})", e.toString());
      queue = null;
      direct = null;
    }
    QUEUE = queue;
    DIRECT = direct;
  }

  private DirectWrites() {}

  /**
   * Swaps the queue of the WebSocket connection on {@code channel}, just upgraded and with nothing
   * written yet. Call on the channel's event loop. Returns whether it did.
   */
  public static boolean install(Channel channel) {
    VertxHandler<?> handler = VertxChannels.handler(channel);
    if (QUEUE == null || handler == null) return false;
    VertxConnection connection = handler.getConnection();
    try {
      QUEUE.set(connection, DIRECT.newInstance(connection));
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("write queue not swapped: {}", e.toString());
      return false;
    }
  }
}
