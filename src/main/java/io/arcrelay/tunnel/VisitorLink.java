package io.arcrelay.tunnel;

import io.arcrelay.splice.FramePayloads;
import io.arcrelay.splice.Keepalive;
import io.arcrelay.splice.OutboundQueue;
import io.arcrelay.splice.PairEnd;
import io.arcrelay.splice.PairSocket;
import io.arcrelay.splice.Peer;
import io.arcrelay.splice.Seat;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.WebSocketFrame;

/**
 * One visitor TCP connection to a tunnel as side A of a data link, for the link's life: claimed,
 * waiting for the agent's data connection ({@link State#AWAITING_AGENT}), {@link State#LINKED}, then
 * {@link State#ENDED}, after which the connection's next request needs a new link. What the link
 * carries at a time is its {@link LinkTraffic}: the visitor's requests one after the other
 * (keep-alive, one {@link VisitorExchange} each) and, after the local server's {@code 101}, the
 * connection's raw bytes ({@link RawSplice}).
 *
 * <p>Back-pressure: bytes from the agent count in an {@link OutboundQueue} until the visitor's
 * socket has written them, so the data socket stops reading the agent while the visitor is slow;
 * the visitor's request (or raw socket) is paused while the data socket's queue is full.
 *
 * <p>Confined to the visitor connection's context; {@link Peer} methods hop onto it.
 */
final class VisitorLink implements PairSocket, Keepalive.Watched {

  enum State { AWAITING_AGENT, LINKED, ENDED }

  /** The tunnel serves {@code tunnelLinksPerTunnel} visitor connections on this node already. */
  static final class TunnelBusy extends RuntimeException {
    TunnelBusy() {
      super("tunnel busy", null, false, false);
    }
  }

  private static final AttributeKey<VisitorLink> LINK = AttributeKey.valueOf("arc-relay.tunnel-visitor");

  private final String name;
  private final Context context;
  private final Channel channel;
  private final OutboundQueue queue;
  private final long stallNanos;
  private final Keepalive keepalive;
  private final Tunnels tunnels;
  private final ResponseDeadline responseDeadline;
  private Seat seat;
  private volatile Peer peer;
  private State state = State.AWAITING_AGENT;
  private LinkTraffic traffic; // what the link carries now; null between exchanges
  private boolean readingPaused; // the visitor is not read while the agent's side is congested

  private VisitorLink(String name, Context context, Channel channel, Keepalive keepalive, Tunnels tunnels) {
    this.name = name;
    this.context = context;
    this.channel = channel;
    this.keepalive = keepalive;
    this.tunnels = tunnels;
    this.queue = new OutboundQueue(tunnels.limits().queueLimit(), tunnels.memory());
    this.stallNanos = tunnels.limits().stallTimeout().toNanos();
    this.responseDeadline = new ResponseDeadline(context, tunnels.settings().responseTimeout().toMillis());
  }

  /** The link serving {@code name} on {@code channel}, while it lasts; {@code null} if there is none. */
  static VisitorLink serving(Channel channel, String name) {
    VisitorLink link = channel.attr(LINK).get();
    return link != null && link.state != State.ENDED && link.name.equals(name) ? link : null;
  }

  /**
   * Opens a data link for the visitor connection on {@code channel} to tunnel {@code name}: claims
   * its side A and asks {@code session}'s agent to connect. Completes with {@code null} when the
   * session is gone. Call on the connection's context, which is {@code keepalive}'s.
   */
  static Future<VisitorLink> open(String name, TunnelNames.Session session, Context context, Channel channel,
      Keepalive keepalive, Tunnels tunnels) {
    VisitorLink previous = channel.attr(LINK).get();
    if (previous != null) previous.leave(); // another tunnel on the same connection: that link ends
    if (!tunnels.linksPerTunnel().tryOpen(name)) return Future.failedFuture(new TunnelBusy());
    String linkId = Tunnels.newId();
    // A fresh 128-bit code: the claim is always side A.
    return tunnels.links().claim(Tunnels.linkCode(linkId, session.id(), session.owner())).onFailure(failed ->
        tunnels.linksPerTunnel().close(name)).compose(seat -> {
      VisitorLink link = new VisitorLink(name, context, channel, keepalive, tunnels);
      link.seat = seat;
      seat.attach(link);
      return session.open(linkId).map(opened -> {
        if (!opened) {
          link.leave();
          return null;
        }
        channel.attr(LINK).set(link);
        keepalive.watch(link);
        channel.closeFuture().addListener(closed -> context.runOnContext(v -> link.leave()));
        return link;
      });
    });
  }

  /** The next request on the connection, for {@code target}: it waits (paused) for the agent, then goes to it. */
  void exchange(HttpServerRequest next, TunnelRequest target) {
    next.pause();
    readingPaused = false;
    VisitorExchange exchange = new VisitorExchange(this, next, target);
    traffic = exchange;
    if (state == State.LINKED) exchange.forward();
  }

  /** {@code exchange} is answered: messages for it from now on are late, and dropped. */
  void exchangeOver(VisitorExchange exchange) {
    if (traffic == exchange) traffic = null;
  }

  /** From now on the link carries the visitor connection's raw bytes. */
  void spliceRaw(RawSplice raw) {
    traffic = raw;
  }

  String name() {
    return name;
  }

  Tunnels tunnels() {
    return tunnels;
  }

  Context context() {
    return context;
  }

  Channel channel() {
    return channel;
  }

  /** When the response to the request in progress must begin by. */
  ResponseDeadline responseDeadline() {
    return responseDeadline;
  }

  /** Sends one link message to the agent, if it is there. */
  void toAgent(WebSocketFrame frame) {
    Peer target = peer;
    if (target != null) target.send(frame, frame.binaryData().length());
  }

  /** Stops reading the visitor ({@code pause}) while the agent's side cannot take more. */
  void pauseIfAgentBusy(Runnable pause) {
    Peer target = peer;
    if (!readingPaused && target != null && target.congested()) {
      readingPaused = true;
      pause.run();
    }
  }

  /**
   * The agent's message {@code frame} is written or dropped: its payload is freed ({@link
   * FramePayloads}: the relay writes it to the visitor without a copy) and its bytes leave the queue.
   */
  void done(WebSocketFrame frame, int bytes) {
    FramePayloads.release(frame);
    queue.written(bytes, peer);
  }

  /** The link broke on this side (a bad message, a timeout): it ends, and the agent's side with it. */
  void endLink() {
    end();
    seat.leave(PairEnd.ERROR);
  }

  /** The link ends and the visitor's connection with it (a message not of this protocol, a stalled reader). */
  void endWithConnection() {
    endLink();
    channel.close();
  }

  /** The visitor connection is gone (or moved to another tunnel): the link ends. */
  private void leave() {
    end();
    seat.leave(PairEnd.CLOSED);
  }

  /** The link is over for this side: the next request on the connection needs a new one. */
  private void end() {
    if (state != State.ENDED) tunnels.linksPerTunnel().close(name); // counted since open
    state = State.ENDED;
    keepalive.forget(this);
    responseDeadline.cancel();
    if (traffic != null) traffic.linkEnded();
  }

  /**
   * A visitor that takes nothing of what is queued for it for {@code stallTimeout} is closed, as a
   * pair's client is: a stopped reader never holds its bytes (and its agent's link) for ever. Its
   * pings are not ours to send: the connection is plain HTTP, or a WebSocket of the local service.
   */
  @Override
  public void keepaliveTick() {
    if (queue.stalled(stallNanos)) endWithConnection();
  }

  /**
   * A message from the agent, on this context. {@code bytes} were counted in the queue when it
   * arrived; every way through here ends in {@link #done}, at once or when the visitor's write
   * completes, whatever the agent sent.
   */
  private void fromAgent(WebSocketFrame frame, int bytes) {
    if (state == State.ENDED || !channel.isActive() || traffic == null) { // nowhere to go: a late message
      done(frame, bytes);
      return;
    }
    traffic.fromAgent(frame, bytes);
  }

  /** The link ended from the other side (agent gone, never came, relay stopping). On this context. */
  private void linkLost() {
    boolean agentCame = state != State.AWAITING_AGENT;
    peer = null;
    end();
    if (traffic != null) traffic.linkLost(agentCame);
  }

  // ---- PairSocket / Peer: what the data link's side may ask of this one, from its own thread ----

  @Override
  public void peerJoined(Peer joined) {
    context.runOnContext(v -> {
      if (state == State.ENDED) return;
      peer = joined;
      state = State.LINKED;
      if (traffic instanceof VisitorExchange exchange) exchange.forward();
    });
  }

  @Override
  public void send(WebSocketFrame frame, int bytes) {
    queue.add(bytes);
    context.runOnContext(v -> fromAgent(frame, bytes));
  }

  @Override
  public long pending() {
    return queue.pending();
  }

  @Override
  public boolean congested() {
    return queue.congested();
  }

  @Override
  public void resumeReading() {
    context.runOnContext(v -> {
      Peer target = peer;
      if (!readingPaused || target == null || target.congested()) return;
      readingPaused = false;
      if (traffic != null) traffic.resumeReading();
    });
  }

  @Override
  public void close(PairEnd.Close close) {
    context.runOnContext(v -> linkLost());
  }
}
