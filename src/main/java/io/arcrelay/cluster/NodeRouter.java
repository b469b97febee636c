package io.arcrelay.cluster;

import io.arcrelay.splice.FramePayloads;
import io.arcrelay.splice.PairEnd;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import java.util.ArrayList;
import java.util.List;

/**
 * Carries pair traffic between nodes: one event-bus consumer per node (never one per connection),
 * addressed {@code arc-relay.node.<routerId>}. A connection id is {@code <routerId>/<n>}, so it
 * says where to send; a restarted relay gets a new router id, so nothing meant for its predecessor
 * reaches it. Pair traffic travels as {@link NodeMessage}s, in a codec of the relay's own, each
 * naming its kind and its target connection; the router's own {@code check} is a plain request.
 *
 * <p>A link is one direction of a cross-node pair. The messages a side sends on it ({@code join},
 * {@code frame}, {@code close}) carry consecutive sequence numbers from 1, so the receiver sees a
 * lost one as a gap instead of a silent hole in the stream (see {@link RemotePeer}).
 *
 * <table>
 *   <caption>Messages between nodes</caption>
 *   <tr><th>kind</th><th>fields</th><th>meaning</th></tr>
 *   <tr><td>join</td><td>B's node and connection id</td><td>side B joined; the target (side A) is now paired with it; sequence number 1 of B's link</td></tr>
 *   <tr><td>frame</td><td>seq, final and continuation flags, payload</td><td>one WebSocket frame for the target's client</td></tr>
 *   <tr><td>credit</td><td>n</td><td>the receiver has taken n bytes in all (cumulative); the target may send up to a window more</td></tr>
 *   <tr><td>close</td><td>seq, code, reason</td><td>the pair ended; close the target with this code ({@code seq} 0: sent by a side that never had a link)</td></tr>
 *   <tr><td>check</td><td>(a request with header {@code op: check}) body: the connection numbers (n of {@code <routerId>/<n>}) of the router's sides this node is linked to</td>
 *       <td>request to the router itself: answer, for each, the last sequence number received from this node and the credit total, or -1 if the side is gone</td></tr>
 * </table>
 */
final class NodeRouter {

  /**
   * Where messages for one side on another node go: its connection id, its router's address and its
   * number there, worked out once per link rather than for every frame.
   */
  record Target(String conn, String address, long number) {
    static Target of(String conn) {
      return new Target(conn, PREFIX + routerOf(conn), NodeRouter.number(conn));
    }
  }

  /** What a node knows of one of its sides, as a {@code check} answers it. */
  record LinkState(long received, long granted) {
    /** The side is no longer on its node. */
    static final LinkState GONE = new LinkState(-1, -1);

    boolean gone() {
      return received < 0;
    }
  }

  /** What a node does with a message for one of its connections. */
  interface Inbox {
    void onJoin(String conn, String fromNode, String fromConn);

    void onFrame(String conn, long seq, WebSocketFrame frame);

    void onCredit(String conn, long n);

    void onClose(String conn, long seq, PairEnd.Close close);

    /** What {@code conn} has received and credited on its link, or {@link LinkState#GONE}. */
    LinkState onCheck(String conn);
  }

  private static final String PREFIX = "arc-relay.node.";
  private static final DeliveryOptions LINK_MESSAGE = new DeliveryOptions().setCodecName(NodeMessage.Codec.NAME);

  private final EventBus bus;
  private final String routerId;
  private volatile Inbox inbox;
  private volatile MessageConsumer<Object> consumer;

  /** A router that sends at once and delivers once {@link #open} names its inbox. */
  NodeRouter(Vertx vertx, String routerId) {
    this.bus = vertx.eventBus();
    this.routerId = routerId;
    try {
      bus.registerCodec(new NodeMessage.Codec());
    } catch (IllegalStateException registered) {
      // by an earlier router on this Vert.x instance: codecs outlive routers
    }
  }

  /** Registers this router's address, delivering to {@code inbox}; resolves once every node can reach it. */
  Future<Void> open(Inbox inbox) {
    this.inbox = inbox;
    this.consumer = register();
    return consumer.completion();
  }

  private MessageConsumer<Object> register() {
    return bus.consumer(PREFIX + routerId, this::dispatch);
  }

  /**
   * Registers this router's address again and resolves once every node can reach it. After a split
   * brain merge the healed cluster has forgotten the merged node's addresses until they are
   * published again: a new consumer's registration is, and only then is the old one dropped (the
   * two deliver to the same inbox on the same context, so nothing is lost or reordered between them).
   */
  Future<Void> reregister() {
    MessageConsumer<Object> fresh = register();
    return fresh.completion().compose(v -> {
      MessageConsumer<Object> old = consumer;
      consumer = fresh;
      return old.unregister();
    });
  }

  Future<Void> close() {
    return consumer.unregister();
  }

  private void dispatch(Message<Object> message) {
    if (!(message.body() instanceof NodeMessage m)) {
      if ("check".equals(message.headers().get("op"))) message.reply(answerCheck((Buffer) message.body(), inbox));
      return; // anything else is a newer node's message this one does not know
    }
    String to = routerId + "/" + m.conn();
    switch (m.kind()) {
      case FRAME -> {
        boolean fin = (m.small() & NodeMessage.FINAL) != 0;
        inbox.onFrame(to, m.number(), (m.small() & NodeMessage.CONTINUATION) != 0
            ? WebSocketFrame.continuationFrame(m.payload(), fin)
            : WebSocketFrame.binaryFrame(m.payload(), fin));
      }
      case CREDIT -> inbox.onCredit(to, m.number());
      case JOIN -> inbox.onJoin(to, m.first(), m.second());
      case CLOSE -> inbox.onClose(to, m.number(), new PairEnd.Close(m.small(), m.second()));
    }
  }

  private Buffer answerCheck(Buffer conns, Inbox inbox) {
    Buffer answer = Buffer.buffer(conns.length() * 2);
    for (int at = 0; at < conns.length(); at += Long.BYTES) {
      LinkState state = inbox.onCheck(routerId + "/" + conns.getLong(at));
      answer.appendLong(state.received()).appendLong(state.granted());
    }
    return answer;
  }

  /** Sends one frame, number {@code seq} of its link. */
  void sendFrame(Target to, long seq, WebSocketFrame frame) {
    int flags = (frame.isFinal() ? NodeMessage.FINAL : 0)
        | (frame.type() == WebSocketFrameType.CONTINUATION ? NodeMessage.CONTINUATION : 0);
    send(to, NodeMessage.frame(to.number(), seq, flags, FramePayloads.keep(frame)));
  }

  void sendCredit(Target to, long n) {
    send(to, NodeMessage.credit(to.number(), n));
  }

  void sendJoin(Target to, String fromNode, String fromConn) {
    send(to, NodeMessage.join(to.number(), fromNode, fromConn));
  }

  /** Sends the end of a pair, number {@code seq} of its link (0 if the sender never had a link). */
  void sendClose(Target to, long seq, PairEnd.Close close) {
    send(to, NodeMessage.close(to.number(), seq, close.code(), close.reason()));
  }

  /**
   * Asks the router {@code routerId} where its sides {@code conns} stand; fails if no answer comes
   * within {@code timeoutMs}, or at once if that router is gone.
   */
  Future<List<LinkState>> check(String routerId, List<String> conns, long timeoutMs) {
    Buffer body = Buffer.buffer(conns.size() * Long.BYTES);
    for (String conn : conns) body.appendLong(number(conn));
    DeliveryOptions options = new DeliveryOptions().addHeader("to", "").addHeader("op", "check")
        .setSendTimeout(timeoutMs);
    return bus.<Buffer>request(PREFIX + routerId, body, options).map(reply -> {
      Buffer answer = reply.body();
      List<LinkState> states = new ArrayList<>(conns.size());
      for (int at = 0; at + 2 * Long.BYTES <= answer.length(); at += 2 * Long.BYTES) {
        states.add(new LinkState(answer.getLong(at), answer.getLong(at + Long.BYTES)));
      }
      return states;
    });
  }

  /** The router a connection id belongs to. */
  static String routerOf(String conn) {
    return conn.substring(0, conn.lastIndexOf('/'));
  }

  /** The n of a connection id {@code <routerId>/<n>}. */
  private static long number(String conn) {
    return Long.parseLong(conn, conn.lastIndexOf('/') + 1, conn.length(), 10);
  }

  private void send(Target to, NodeMessage message) {
    bus.send(to.address(), message, LINK_MESSAGE);
  }
}
