package io.arcrelay.edge;

import io.arcrelay.seams.VertxChannels;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.util.AttributeKey;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Watches every TCP connection of one HTTP server from accept to close: checks its requests' framing
 * ({@link StrictHttp1}), counts it with {@link Admission}, closes it unanswered past the node's
 * reserve, and closes it if it does not send
 * a complete request head within {@code requestTimeout} (slowloris), also between keep-alive
 * requests. A connection that upgrades is watched by its WebSocket's keepalive from then on.
 * Whatever closes it, once admitted, the relay's close lingers ({@link LingeringClose}).
 *
 * <p>Why the Netty channel: Vert.x swaps the connection object when a request upgrades, and the
 * HTTP connection's close handler is not called for the WebSocket's close; the channel's close
 * future always completes, and the visitor travels with the channel as an attribute.
 *
 * <p>The deadline moves with every keep-alive request, so it is a time to check, not a timer to
 * cancel and set again each time (that was 2 % of a node's CPU on small tunnel requests): a check
 * scheduled on the channel's event loop finds the deadline moved and schedules itself for the new one.
 */
public final class ConnectionGuard {

  /** How long a connection accepted over a cap has to ask for what it wants before it is closed. */
  static final long OVER_CAPACITY_GRACE_MS = 1_000;

  private static final AttributeKey<Visitor> VISITOR = AttributeKey.valueOf("arc-relay.visitor");

  private final Admission admission;
  private final long requestTimeoutMs;

  public ConnectionGuard(Admission admission, Duration requestTimeout) {
    this.admission = admission;
    this.requestTimeoutMs = requestTimeout.toMillis();
  }

  /** The server's connection handler. Runs on the connection's event loop. */
  public void accepted(HttpConnection connection) {
    Channel channel = channel(connection);
    StrictHttp1.install(channel);
    Visitor visitor = admission.accepted(connection.remoteAddress().hostAddress());
    channel.attr(VISITOR).set(visitor);
    channel.closeFuture().addListener(closed -> {
      cancelDeadline(visitor);
      if (visitor.check != null) visitor.check.cancel(false); // not left in the event loop's queue until it runs
      admission.closed(visitor);
    });
    if (admission.overReserve()) {
      admission.cut(Admission.Cut.OVER_CAPACITY);
      channel.close(); // at once: a node past its reserve sheds connections, it does not linger on them
      return;
    }
    LingeringClose.install(channel);
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

  /**
   * The server's handler for requests that could not be decoded, those {@link StrictHttp1} refused
   * among them: each gets its status and reason, and its connection closes.
   */
  public static Handler<HttpServerRequest> invalidRequests(Admission.Metrics metrics) {
    return StrictHttp1.answerInvalid(metrics);
  }

  /** True while the requests on {@code request}'s connection are checked ({@link StrictHttp1}): no WebSocket upgrade was asked for. */
  public static boolean framingChecked(HttpServerRequest request) {
    return StrictHttp1.checks(channel(request.connection()));
  }

  /**
   * Answers {@code request}, whose body turned out malformed after its head was taken, with the
   * malformation's status, unless a response to it began; the connection closes either way.
   */
  public static void answerMalformedBody(HttpServerRequest request, MalformedRequest malformed) {
    if (!request.response().headWritten()) StrictHttp1.answerMalformedBody(channel(request.connection()), malformed);
  }

  /** The visitor of the connection {@code request} arrived on. */
  public static Visitor visitor(HttpServerRequest request) {
    return channel(request.connection()).attr(VISITOR).get();
  }

  private void startDeadline(Channel channel, Visitor visitor, long timeoutMs) {
    long timeout = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    visitor.deadline = System.nanoTime() + timeout;
    visitor.deadlineDue = true;
    ScheduledFuture<?> pending = visitor.check;
    if (pending != null && pending.getDelay(TimeUnit.NANOSECONDS) <= timeout) return; // it runs by then
    if (pending != null) pending.cancel(false); // a later one (a longer timeout before): this one is sooner
    scheduleCheck(channel, visitor, timeout);
  }

  private void scheduleCheck(Channel channel, Visitor visitor, long delayNanos) {
    visitor.check = channel.eventLoop().schedule(() -> checkDeadline(channel, visitor), delayNanos, TimeUnit.NANOSECONDS);
  }

  private void checkDeadline(Channel channel, Visitor visitor) {
    visitor.check = null;
    if (!visitor.deadlineDue || !channel.isActive()) return;
    long left = visitor.deadline - System.nanoTime();
    if (left > 0) { // moved on since: check again then
      scheduleCheck(channel, visitor, left);
      return;
    }
    visitor.deadlineDue = false;
    if (upgraded(channel)) return; // its WebSocket's keepalive, or the tunnel, watches it now
    admission.cut(Admission.Cut.REQUEST_TIMEOUT);
    channel.close();
  }

  /**
   * A WebSocket of ours has a frame decoder; a connection upgraded through a tunnel
   * ({@code toNetSocket}) has no HTTP decoder left at all.
   */
  private static boolean upgraded(Channel channel) {
    return channel.pipeline().get(WebSocketFrameDecoder.class) != null || channel.pipeline().get(VertxChannels.HTTP_DECODER) == null;
  }

  private static void cancelDeadline(Visitor visitor) {
    visitor.deadlineDue = false;
  }

  private static Channel channel(HttpConnection connection) {
    return VertxChannels.of(connection);
  }
}
