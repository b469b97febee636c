package io.arcrelay.edge;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.util.AttributeKey;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import java.time.Duration;

/**
 * Watches every TCP connection of one HTTP server from accept to close: counts it with
 * {@link Admission}, closes it unanswered past the node's reserve, and closes it if it does not send
 * a complete request head within {@code requestTimeout} (slowloris), also between keep-alive
 * requests. A connection that upgrades is watched by its WebSocket's keepalive from then on.
 *
 * <p>Why the Netty channel: Vert.x swaps the connection object when a request upgrades, and the
 * HTTP connection's close handler is not called for the WebSocket's close; the channel's close
 * future always completes, and the visitor travels with the channel as an attribute.
 */
public final class ConnectionGuard {

  /** How long a connection accepted over a cap has to ask for what it wants before it is closed. */
  static final long OVER_CAPACITY_GRACE_MS = 1_000;

  private static final AttributeKey<Visitor> VISITOR = AttributeKey.valueOf("arc-relay.visitor");

  private final Vertx vertx;
  private final Admission admission;
  private final long requestTimeoutMs;

  public ConnectionGuard(Vertx vertx, Admission admission, Duration requestTimeout) {
    this.vertx = vertx;
    this.admission = admission;
    this.requestTimeoutMs = requestTimeout.toMillis();
  }

  /** The server's connection handler. Runs on the connection's event loop. */
  public void accepted(HttpConnection connection) {
    Channel channel = channel(connection);
    Visitor visitor = admission.accepted(connection.remoteAddress().hostAddress());
    channel.attr(VISITOR).set(visitor);
    channel.closeFuture().addListener(closed -> {
      cancelDeadline(visitor);
      admission.closed(visitor);
    });
    if (admission.overReserve()) {
      admission.cut(Admission.Cut.OVER_CAPACITY);
      channel.close();
      return;
    }
    startDeadline(channel, visitor, visitor.overCapacity() ? OVER_CAPACITY_GRACE_MS : requestTimeoutMs);
  }

  /**
   * A request head is complete: its connection's deadline stops, and starts again when the response
   * ends (idle keep-alive, or an upgrade that was refused). Returns the connection's visitor.
   */
  public Visitor requestArrived(HttpServerRequest request) {
    Channel channel = channel(request.connection());
    Visitor visitor = channel.attr(VISITOR).get();
    cancelDeadline(visitor);
    request.response().endHandler(ended -> startDeadline(channel, visitor, requestTimeoutMs));
    return visitor;
  }

  /** The visitor of the connection {@code request} arrived on. */
  public static Visitor visitor(HttpServerRequest request) {
    return channel(request.connection()).attr(VISITOR).get();
  }

  private void startDeadline(Channel channel, Visitor visitor, long timeoutMs) {
    cancelDeadline(visitor);
    visitor.deadline = vertx.setTimer(timeoutMs, id -> {
      visitor.deadline = -1;
      if (upgraded(channel)) return; // its WebSocket's keepalive, or the tunnel, watches it now
      admission.cut(Admission.Cut.REQUEST_TIMEOUT);
      channel.close();
    });
  }

  /**
   * A WebSocket of ours has a frame decoder; a connection upgraded through a tunnel
   * ({@code toNetSocket}) has no HTTP decoder left at all.
   */
  private static boolean upgraded(Channel channel) {
    return channel.pipeline().get(WebSocketFrameDecoder.class) != null || channel.pipeline().get("httpDecoder") == null;
  }

  private void cancelDeadline(Visitor visitor) {
    if (visitor.deadline >= 0) {
      vertx.cancelTimer(visitor.deadline);
      visitor.deadline = -1;
    }
  }

  private static Channel channel(HttpConnection connection) {
    return ((ConnectionBase) connection).channel();
  }
}
