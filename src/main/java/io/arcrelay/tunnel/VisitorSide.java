package io.arcrelay.tunnel;

import io.arcrelay.pair.FramePayloads;
import io.arcrelay.pair.Keepalive;
import io.arcrelay.pair.OutboundQueue;
import io.arcrelay.pair.PairEnd;
import io.arcrelay.pair.PairSocket;
import io.arcrelay.pair.Peer;
import io.arcrelay.pair.Seat;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.function.Supplier;

/**
 * One visitor TCP connection to a tunnel, as side A of a data link: its requests go to the agent
 * one after the other (keep-alive), their bodies streamed both ways; after the local server's
 * {@code 101} the connection is handed over raw ({@code toNetSocket}) and its bytes are spliced
 * with the data link's.
 *
 * <p>Back-pressure: bytes from the agent count in an {@link OutboundQueue} until the visitor's
 * socket has written them, so the data socket stops reading the agent while the visitor is slow;
 * the visitor's request (or raw socket) is paused while the data socket's queue is full.
 *
 * <p>What the visitor sees when the link fails: 504 if the agent never connected within
 * {@code tunnelConnectTimeout}, 502 if the agent could not reach its service or left before the
 * response began, and the connection closed at once if it left in the middle of one.
 *
 * <p>Confined to the visitor connection's context; {@link Peer} methods hop onto it.
 */
final class VisitorSide implements PairSocket, Keepalive.Watched {

  private static final AttributeKey<VisitorSide> SIDE = AttributeKey.valueOf("arc-relay.tunnel-visitor");

  private final String name;
  private final Context context;
  private final Channel channel;
  private final OutboundQueue queue;
  private final long stallNanos;
  private final Keepalive keepalive;
  private final Tunnels tunnels;
  private Seat seat;
  private volatile Peer peer;
  private boolean linked; // the agent's data connection joined at some point
  private boolean over; // the link ended: the next request needs a new one

  // The exchange in progress.
  private HttpServerRequest request;
  private boolean requestEnded;
  private boolean upgrading;
  private boolean readingPaused;

  // After a 101: the visitor's raw socket, and what the agent sent before it was ready.
  private boolean raw;
  private NetSocket rawSocket;
  private final Queue<WebSocketFrame> earlyRaw = new ArrayDeque<>();

  private VisitorSide(String name, Context context, Channel channel, Keepalive keepalive, Tunnels tunnels) {
    this.name = name;
    this.context = context;
    this.channel = channel;
    this.keepalive = keepalive;
    this.tunnels = tunnels;
    this.queue = new OutboundQueue(tunnels.config().queueLimit(), tunnels.memory());
    this.stallNanos = tunnels.config().stallTimeout().toNanos();
  }

  /** The side serving {@code name} on {@code channel}, while its link lasts; {@code null} if there is none. */
  static VisitorSide serving(Channel channel, String name) {
    VisitorSide side = channel.attr(SIDE).get();
    return side != null && !side.over && side.name.equals(name) ? side : null;
  }

  /**
   * Opens a data link for the visitor connection on {@code channel} to tunnel {@code name}: claims
   * its side A and asks {@code session}'s agent to connect. Completes with {@code null} when the
   * session is gone. Call on the connection's context, which is {@code keepalive}'s.
   */
  static Future<VisitorSide> open(String name, TunnelNames.Session session, Context context, Channel channel,
      Keepalive keepalive, Tunnels tunnels) {
    String linkId = Tunnels.newId();
    // A fresh 128-bit code: the claim is always side A.
    return tunnels.links().claim(Tunnels.linkCode(linkId, session.id(), session.owner())).compose(seat -> {
      VisitorSide previous = channel.attr(SIDE).get();
      if (previous != null) previous.leave(); // another tunnel on the same connection: that link ends
      VisitorSide side = new VisitorSide(name, context, channel, keepalive, tunnels);
      side.seat = seat;
      seat.attach(side);
      return session.open(linkId).map(opened -> {
        if (!opened) {
          side.leave();
          return null;
        }
        channel.attr(SIDE).set(side);
        keepalive.watch(side);
        channel.closeFuture().addListener(closed -> context.runOnContext(v -> side.leave()));
        return side;
      });
    });
  }

  /** The next request on the connection: it waits (paused) for the link, then goes to the agent. */
  void exchange(HttpServerRequest next) {
    next.pause();
    request = next;
    requestEnded = false;
    upgrading = false;
    readingPaused = false;
    if (peer != null) forwardRequest();
  }

  /** The visitor connection is gone (or moved to another tunnel): the link ends. */
  private void leave() {
    retire();
    seat.leave(PairEnd.CLOSED);
  }

  /** The link is over for this side: the next request on the connection needs a new one. */
  private void retire() {
    over = true;
    keepalive.forget(this);
    for (WebSocketFrame early; (early = earlyRaw.poll()) != null; ) done(early, early.binaryData().length());
  }

  /**
   * The agent's message {@code frame} is written or dropped: its payload is freed ({@link
   * FramePayloads}: the relay writes it to the visitor without a copy) and its bytes leave the queue.
   */
  private void done(WebSocketFrame frame, int bytes) {
    FramePayloads.release(frame);
    queue.written(bytes, peer);
  }

  /**
   * A visitor that takes nothing of what is queued for it for {@code stallTimeout} is closed, as a
   * pair's client is: a stopped reader never holds its bytes (and its agent's link) for ever. Its
   * pings are not ours to send: the connection is plain HTTP, or a WebSocket of the local service.
   */
  @Override
  public void keepaliveTick() {
    if (queue.stalled(stallNanos)) {
      endLink();
      channel.close();
    }
  }

  private void forwardRequest() {
    HttpServerRequest current = request;
    // Set on the request's own headers, which go nowhere else: no copy of them per request. (Who the
    // client is stays the same: a visitor that is not a trusted proxy is its TCP peer whatever it
    // sends, and a proxy's chain only gains the proxy's own address.)
    MultiMap headers = current.headers();
    String visitorIp = current.remoteAddress().hostAddress();
    LinkMessages.forwarded(headers, visitorIp, tunnels.proxies().trusts(visitorIp), tunnels.config().tls());
    upgrading = current.method() == HttpMethod.GET && LinkMessages.isUpgrade(headers);
    boolean body = !upgrading && TunnelPages.hasBody(current);
    // A request without a body is one message: its head, ending it.
    toAgent(LinkMessages.request(current.method().name(), current.uri(), headers, upgrading, body, !body && !upgrading));
    if (upgrading) return; // stays paused: toNetSocket needs it unread, and an upgrade carries no body
    current.handler(chunk -> {
      tunnels.metrics().toAgent(chunk.length());
      LinkMessages.chunks(LinkMessages.BODY, chunk, this::toAgent);
      pauseIfAgentBusy(current::pause);
    });
    current.endHandler(v -> {
      requestEnded = true;
      if (body) toAgent(LinkMessages.frame(LinkMessages.END, Buffer.buffer()));
    });
    current.resume();
  }

  private void pauseIfAgentBusy(Runnable pause) {
    Peer target = peer;
    if (!readingPaused && target != null && target.congested()) {
      readingPaused = true;
      pause.run();
    }
  }

  private void toAgent(WebSocketFrame frame) {
    Peer target = peer;
    if (target != null) target.send(frame, frame.binaryData().length());
  }

  /**
   * A message from the agent, on this context. {@code bytes} were counted in the queue when it
   * arrived; every way through here ends in {@link #done}, at once or when the visitor's write completes.
   */
  private void fromAgent(WebSocketFrame frame, int bytes) {
    if (over || !channel.isActive()) { // the link or the visitor is gone: what was on its way goes nowhere
      done(frame, bytes);
      return;
    }
    Buffer message = frame.binaryData();
    if (raw) {
      tunnels.metrics().toVisitor(message.length());
      toVisitorRaw(frame, bytes);
      return;
    }
    HttpServerRequest current = request;
    if (current == null || current.response().ended()) { // the exchange is over: a late message
      done(frame, bytes);
      return;
    }
    HttpServerResponse response = current.response();
    Buffer payload = LinkMessages.payload(message);
    switch (LinkMessages.tag(message)) {
      case LinkMessages.HEAD -> {
        LinkMessages.ResponseHead head;
        try {
          head = LinkMessages.readResponse(message);
        } catch (IllegalArgumentException malformed) {
          untrusted();
          break;
        }
        responseHead(current, head);
        Buffer body = LinkMessages.headBody(message);
        if (body != null) tunnels.metrics().toVisitor(body.length());
        if (LinkMessages.ends(message)) {
          // The whole response in one message: written in one go, its bytes freed once it is.
          finish(current, () -> (body == null ? response.end() : response.end(body)).andThen(ended -> done(frame, bytes)));
          return;
        }
        if (body != null) {
          response.write(body).onComplete(written -> done(frame, bytes));
          return;
        }
      }
      case LinkMessages.BODY -> {
        tunnels.metrics().toVisitor(payload.length());
        response.write(payload).onComplete(written -> done(frame, bytes));
        return;
      }
      case LinkMessages.END -> finish(current, response::end);
      case LinkMessages.CONTINUE -> response.writeContinue();
      case LinkMessages.FAIL -> {
        JsonObject fail;
        try {
          fail = new JsonObject(payload);
        } catch (DecodeException malformed) {
          untrusted();
          break;
        }
        if (response.headWritten()) {
          channel.close(); // the response began: it cannot turn into an error page
        } else {
          page(current, 502, TunnelPages.badGateway(name, fail.getString("reason", "bad gateway")));
        }
      }
      default -> untrusted();
    }
    done(frame, bytes);
  }

  /** Not a message of this protocol: the link cannot be trusted any more. */
  private void untrusted() {
    endLink();
    channel.close();
  }

  private void responseHead(HttpServerRequest current, LinkMessages.ResponseHead head) {
    int status = head.status();
    tunnels.metrics().answered(status);
    HttpServerResponse response = current.response();
    if (status == 101 && upgrading) {
      raw = true;
      head.into(response.headers(), true);
      // toNetSocket writes the 101 with exactly these headers (the local server's Sec-WebSocket-Accept).
      current.toNetSocket().onComplete(upgraded -> {
        if (upgraded.failed()) {
          endLink();
          channel.close();
          return;
        }
        rawSocket = upgraded.result();
        rawSocket.handler(bytes -> {
          tunnels.metrics().toAgent(bytes.length());
          LinkMessages.chunks((byte) 0, bytes, this::toAgent);
          pauseIfAgentBusy(rawSocket::pause);
        });
        for (WebSocketFrame early; (early = earlyRaw.poll()) != null; ) toVisitorRaw(early, early.binaryData().length());
      });
      return;
    }
    if (upgrading) { // the local server refused the upgrade: an ordinary answer, and the connection goes on
      upgrading = false;
      current.endHandler(v -> requestEnded = true);
      current.resume();
    }
    response.setStatusCode(status);
    head.into(response.headers(), false);
    boolean bodiless = current.method() == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
    if (!bodiless && !response.headers().contains(HttpHeaders.CONTENT_LENGTH)) response.setChunked(true);
    if (!requestEnded) {
      // Answered before the body was all sent (a refused 100-continue, an early error): what is left
      // of it cannot be skipped cheaply, so this connection carries no further request.
      response.putHeader(HttpHeaders.CONNECTION, "close");
    }
  }

  private void toVisitorRaw(WebSocketFrame frame, int counted) {
    if (rawSocket == null) {
      earlyRaw.add(frame); // counted until written
      return;
    }
    rawSocket.write(frame.binaryData()).onComplete(written -> done(frame, counted));
  }

  /**
   * Ends the exchange with {@code end}, which completes the response; a request whose body was not
   * all read takes its connection with it. The exchange is over before the response ends: ending it
   * may hand over the next pipelined request at once.
   */
  private void finish(HttpServerRequest current, Supplier<Future<Void>> end) {
    boolean bodyLeft = !requestEnded;
    request = null;
    Future<Void> ended = end.get();
    if (bodyLeft) ended.onComplete(v -> current.connection().close());
  }

  private void page(HttpServerRequest current, int status, String html) {
    tunnels.metrics().answered(status);
    if (status == 504) tunnels.metrics().refused(TunnelMetrics.Refusal.TIMEOUT);
    HttpServerResponse response = current.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8");
    if (!requestEnded) response.putHeader(HttpHeaders.CONNECTION, "close");
    finish(current, () -> response.end(html));
  }

  private void endLink() {
    retire();
    seat.leave(PairEnd.ERROR);
  }

  /** The link ended from the other side (agent gone, never came, relay stopping). On this context. */
  private void linkLost() {
    peer = null;
    retire();
    if (raw) {
      channel.close();
      return;
    }
    HttpServerRequest current = request;
    if (current == null) return; // between requests: the next one opens a new link
    if (current.response().headWritten()) {
      request = null;
      channel.close();
    } else {
      page(current, linked ? 502 : 504, linked ? TunnelPages.badGateway(name, "the tunnel's agent went away")
          : TunnelPages.timeout(name));
    }
  }

  // ---- PairSocket / Peer: what the data link's side may ask of this one, from its own thread ----

  @Override
  public void peerJoined(Peer joined) {
    context.runOnContext(v -> {
      if (over) return;
      peer = joined;
      linked = true;
      if (request != null) forwardRequest();
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
      if (rawSocket != null) {
        rawSocket.resume();
      } else if (request != null) {
        request.resume();
      }
    });
  }

  @Override
  public void close(PairEnd.Close close) {
    context.runOnContext(v -> linkLost());
  }
}
