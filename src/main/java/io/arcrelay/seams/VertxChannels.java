package io.arcrelay.seams;

import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxHandler;

/**
 * The Netty channel under a Vert.x connection, and Vert.x's handlers in its pipeline by the names
 * Vert.x 5.0.10 gives them.
 *
 * <p>Why: reading, flushing and HTTP/1.x framing are the channel's business, and Vert.x has no API
 * for them: the read gate and one flush per read (docs/benchmarks.md: the pair relay's throughput),
 * the strict HTTP/1.x check before Vert.x's decoder and the request timeout all start from the
 * channel. {@code VertxChannelsTest} fails when a name or the cast stops holding.
 */
public final class VertxChannels {

  /** Vert.x's HTTP/1.x request decoder; a connection upgraded to a WebSocket or a raw socket has none. */
  public static final String HTTP_DECODER = "httpDecoder";
  /** Vert.x's handler, which holds the connection. */
  static final String CONNECTION_HANDLER = "handler";

  private VertxChannels() {}

  /** The channel under {@code connection}; it stays the same through an upgrade. */
  public static Channel of(HttpConnection connection) {
    return ((ConnectionBase) connection).channel();
  }

  /** Vert.x's handler on {@code channel}, or null if it has none by that name. */
  static VertxHandler<?> handler(Channel channel) {
    return channel.pipeline().get(CONNECTION_HANDLER) instanceof VertxHandler<?> handler ? handler : null;
  }
}
