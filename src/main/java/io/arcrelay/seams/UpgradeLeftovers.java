package io.arcrelay.seams;

import io.netty.channel.Channel;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.impl.VertxHandler;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets go of the HTTP exchange that Vert.x keeps reachable from every upgraded WebSocket for as
 * long as the socket lives.
 *
 * <p>Why: the channel handler that Vert.x installs for the WebSocket connection keeps the function
 * that built the connection ({@code VertxHandler.connectionFactory}, Vert.x 5.0.10). That function
 * captured the handshake, and with it the upgrade request and its headers, the response, the HTTP
 * connection with its own channel handler, and Netty's copy of the request. None of them is used
 * again once the connection exists, but together they came to 3.1 KB of an idle socket's 7.6 KB of
 * heap (docs/benchmarks.md, session 14). The request's headers are also the WebSocket's
 * {@code headers()}: the relay reads what it needs from them before the upgrade, so they are
 * cleared.
 *
 * <p>The seam is one private field. Where it is not found (another Vert.x version), only the
 * headers are cleared: the socket works the same, only larger.
 */
public final class UpgradeLeftovers {

  private static final Logger log = LoggerFactory.getLogger(UpgradeLeftovers.class);
  private static final Field FACTORY = factoryField();

  private UpgradeLeftovers() {}

  /** Releases what the upgrade of {@code ws} on {@code channel} left behind. Call on the channel's event loop. */
  public static void release(Channel channel, ServerWebSocket ws) {
    ws.headers().clear();
    VertxHandler<?> handler = VertxChannels.handler(channel);
    if (FACTORY == null || handler == null) return;
    try {
      FACTORY.set(handler, null); // used once, when the handler was added to the pipeline
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("the upgrade's request stays reachable: {}", e.toString());
    }
  }

  private static Field factoryField() {
    try {
      Field field = VertxHandler.class.getDeclaredField("connectionFactory");
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("WebSocket connections keep their upgrade request reachable ({})", e.toString());
      return null;
    }
  }
}
