package io.arcrelay.cluster;

import io.arcrelay.pair.PairEnd;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import java.util.function.Function;

/**
 * Carries pair traffic between nodes: one event-bus consumer per node (never one per connection),
 * addressed {@code arc-relay.node.<routerId>}. A connection id is {@code <routerId>/<n>}, so it
 * says where to send; a restarted relay gets a new router id, so nothing meant for its predecessor
 * reaches it. Every message names its target connection in the {@code to} header and its kind in
 * {@code op}; the body is the frame's payload or empty.
 *
 * <table>
 *   <caption>Messages between nodes</caption>
 *   <tr><th>op</th><th>headers</th><th>meaning</th></tr>
 *   <tr><td>join</td><td>from-node, from-conn</td><td>side B joined; the target (side A) is now paired with it</td></tr>
 *   <tr><td>frame</td><td>fin, cont</td><td>one WebSocket frame for the target's client</td></tr>
 *   <tr><td>credit</td><td>n</td><td>the receiver has taken n bytes in all (cumulative); the target may send up to a window more</td></tr>
 *   <tr><td>probe</td><td></td><td>request: answer with the credit total, or -1 if the connection is gone</td></tr>
 *   <tr><td>ping</td><td></td><td>request to the router itself ({@code to} unused): answer at once</td></tr>
 *   <tr><td>close</td><td>code, reason</td><td>the pair ended; close the target with this code</td></tr>
 * </table>
 */
final class NodeRouter {

  /** What a node does with a message for one of its connections. */
  interface Inbox {
    void onJoin(String conn, String fromNode, String fromConn);

    void onFrame(String conn, WebSocketFrame frame);

    void onCredit(String conn, long n);

    void onClose(String conn, PairEnd.Close close);

    /** The credit total of {@code conn}'s link, or -1 if this node no longer has it. */
    long onProbe(String conn);
  }

  private static final String PREFIX = "arc-relay.node.";

  private final EventBus bus;
  private final MessageConsumer<Buffer> consumer;

  NodeRouter(Vertx vertx, String routerId, Inbox inbox) {
    this.bus = vertx.eventBus();
    this.consumer = bus.<Buffer>consumer(PREFIX + routerId, message -> dispatch(message, inbox));
  }

  /** Resolves once every node can reach this one. */
  Future<Void> ready() {
    return consumer.completion();
  }

  Future<Void> close() {
    return consumer.unregister();
  }

  private static void dispatch(Message<Buffer> message, Inbox inbox) {
    MultiMap h = message.headers();
    String to = h.get("to");
    switch (h.get("op")) {
      case "frame" -> {
        boolean fin = "1".equals(h.get("fin"));
        Buffer data = message.body();
        inbox.onFrame(to, "1".equals(h.get("cont"))
            ? WebSocketFrame.continuationFrame(data, fin)
            : WebSocketFrame.binaryFrame(data, fin));
      }
      case "credit" -> inbox.onCredit(to, Long.parseLong(h.get("n")));
      case "join" -> inbox.onJoin(to, h.get("from-node"), h.get("from-conn"));
      case "close" -> inbox.onClose(to, new PairEnd.Close(Integer.parseInt(h.get("code")), h.get("reason")));
      case "probe" -> message.reply(Buffer.buffer().appendLong(inbox.onProbe(to)));
      case "ping" -> message.reply(Buffer.buffer());
      default -> { } // a newer node's message this one does not know: ignore
    }
  }

  /** Sends one frame. */
  void sendFrame(String conn, WebSocketFrame frame) {
    send(conn, "frame", frame.binaryData(), o -> o
        .addHeader("fin", frame.isFinal() ? "1" : "0")
        .addHeader("cont", frame.type() == WebSocketFrameType.CONTINUATION ? "1" : "0"));
  }

  void sendCredit(String conn, long n) {
    send(conn, "credit", Buffer.buffer(), o -> o.addHeader("n", Long.toString(n)));
  }

  void sendJoin(String conn, String fromNode, String fromConn) {
    send(conn, "join", Buffer.buffer(), o -> o.addHeader("from-node", fromNode).addHeader("from-conn", fromConn));
  }

  /** Asks for {@code conn}'s credit total; fails if no answer comes within {@code timeoutMs}. */
  Future<Long> probe(String conn, long timeoutMs) {
    DeliveryOptions options = new DeliveryOptions().addHeader("to", conn).addHeader("op", "probe")
        .setSendTimeout(timeoutMs);
    return bus.<Buffer>request(address(conn), Buffer.buffer(), options).map(reply -> reply.body().getLong(0));
  }

  /** Asks the router {@code routerId} whether it is there; fails if no answer comes within {@code timeoutMs}. */
  Future<Void> ping(String routerId, long timeoutMs) {
    DeliveryOptions options = new DeliveryOptions().addHeader("to", "").addHeader("op", "ping").setSendTimeout(timeoutMs);
    return bus.request(PREFIX + routerId, Buffer.buffer(), options).mapEmpty();
  }

  /** The router a connection id belongs to. */
  static String routerOf(String conn) {
    return conn.substring(0, conn.lastIndexOf('/'));
  }

  void sendClose(String conn, PairEnd.Close close) {
    send(conn, "close", Buffer.buffer(), o -> o
        .addHeader("code", Integer.toString(close.code())).addHeader("reason", close.reason()));
  }

  private static String address(String conn) {
    return PREFIX + routerOf(conn);
  }

  private void send(String conn, String op, Buffer body, Function<DeliveryOptions, DeliveryOptions> headers) {
    bus.send(address(conn), body, headers.apply(new DeliveryOptions().addHeader("to", conn).addHeader("op", op)));
  }
}
