package io.arcrelay.tunnel;

import io.arcrelay.splice.FramePayloads;
import io.arcrelay.splice.Keepalive;
import io.arcrelay.splice.OutboundQueue;
import io.arcrelay.splice.PairEnd;
import io.arcrelay.splice.PairSocket;
import io.arcrelay.splice.Peer;
import io.arcrelay.splice.Seat;
import io.arcrelay.tunnel.protocol.LinkMessages;
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
import io.vertx.core.http.HttpVersion;
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

  /** The tunnel serves {@code tunnelLinksPerTunnel} visitor connections on this node already. */
  static final class TunnelBusy extends RuntimeException {
    TunnelBusy() {
      super("tunnel busy", null, false, false);
    }
  }

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
  private TunnelRequest target;
  private boolean requestEnded;
  private boolean upgrading;
  private boolean readingPaused;
  private long responseTimer = -1; // until the response begins, once the request is all sent
  private ResponseBody body; // the response's, once its head is written

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
    this.queue = new OutboundQueue(tunnels.config().limits().queueLimit(), tunnels.memory());
    this.stallNanos = tunnels.config().limits().stallTimeout().toNanos();
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
    VisitorSide previous = channel.attr(SIDE).get();
    if (previous != null) previous.leave(); // another tunnel on the same connection: that link ends
    if (!tunnels.linksPerTunnel().tryOpen(name)) return Future.failedFuture(new TunnelBusy());
    String linkId = Tunnels.newId();
    // A fresh 128-bit code: the claim is always side A.
    return tunnels.links().claim(Tunnels.linkCode(linkId, session.id(), session.owner())).onFailure(failed ->
        tunnels.linksPerTunnel().close(name)).compose(seat -> {
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

  /** The next request on the connection, for {@code target}: it waits (paused) for the link, then goes to the agent. */
  void exchange(HttpServerRequest next, TunnelRequest target) {
    next.pause();
    request = next;
    this.target = target;
    body = null;
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
    if (!over) tunnels.linksPerTunnel().close(name); // counted since open
    over = true;
    stopResponseTimer();
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
    // Set on the request's own headers, which go nowhere else: no copy of them per request.
    MultiMap headers = current.headers();
    String peer = current.remoteAddress().hostAddress();
    boolean trusted = tunnels.proxies().trusts(peer);
    String client = trusted ? tunnels.proxies().clientIp(peer, String.join(",", headers.getAll("X-Forwarded-For"))) : peer;
    upgrading = ForwardedHeaders.set(headers, current.method() == HttpMethod.GET, peer, client, trusted,
        tunnels.config().listen().tls(), target.authority());
    boolean body = !upgrading && TunnelPages.hasBody(current);
    // A request without a body is one message: its head, ending it.
    toAgent(LinkMessages.request(current.method().name(), target.target(), headers, upgrading, body, !body && !upgrading));
    if (!body) startResponseTimer(current);
    if (upgrading) return; // stays paused: toNetSocket needs it unread, and an upgrade carries no body
    current.handler(chunk -> {
      tunnels.metrics().toAgent(chunk.length());
      LinkMessages.chunks(LinkMessages.BODY, chunk, this::toAgent);
      pauseIfAgentBusy(current::pause);
    });
    current.endHandler(v -> {
      requestEnded = true;
      if (body) {
        toAgent(LinkMessages.frame(LinkMessages.END, Buffer.buffer()));
        startResponseTimer(current);
      }
    });
    current.resume();
  }

  /**
   * The request is all with the agent: its response must begin within {@code tunnelResponseTimeout}
   * (an agent that never answers, an app that hangs), or the visitor gets 504 and the link ends.
   */
  private void startResponseTimer(HttpServerRequest current) {
    if (responseTimer >= 0 || current.response().headWritten()) return;
    responseTimer = context.owner().setTimer(tunnels.config().tunnel().responseTimeout().toMillis(), fired -> {
      responseTimer = -1;
      if (request != current || current.response().headWritten()) return;
      tunnels.metrics().refused(TunnelMetrics.Refusal.RESPONSE_TIMEOUT);
      page(current, 504, TunnelPages.responseTimeout(name));
      endLink();
    });
  }

  private void stopResponseTimer() {
    if (responseTimer < 0) return;
    context.owner().cancelTimer(responseTimer);
    responseTimer = -1;
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
   * arrived; every way through here ends in {@link #done}, at once or when the visitor's write
   * completes, whatever the agent sent.
   */
  private void fromAgent(WebSocketFrame frame, int bytes) {
    if (over || !channel.isActive()) { // the link or the visitor is gone: what was on its way goes nowhere
      done(frame, bytes);
      return;
    }
    if (raw) {
      tunnels.metrics().toVisitor(frame.binaryData().length());
      toVisitorRaw(frame, bytes);
      return;
    }
    HttpServerRequest current = request;
    if (current == null || current.response().ended()) { // the exchange is over: a late message
      done(frame, bytes);
      return;
    }
    try {
      if (forwardResponse(current, frame, bytes)) return; // its bytes are freed when written
    } catch (RuntimeException unforwardable) { // a head Vert.x refuses to write, say a header value with a newline
      badResponse(current);
    }
    done(frame, bytes);
  }

  /**
   * Passes one message of the agent's response on to the visitor. Returns true when the message's
   * bytes are freed once the visitor's write completes, false when they may be freed at once.
   */
  private boolean forwardResponse(HttpServerRequest current, WebSocketFrame frame, int bytes) {
    Buffer message = frame.binaryData();
    HttpServerResponse response = current.response();
    switch (LinkMessages.tag(message)) {
      case LinkMessages.HEAD -> {
        return head(current, frame, bytes);
      }
      case LinkMessages.BODY -> {
        return writeBody(current, LinkMessages.payload(message), frame, bytes);
      }
      case LinkMessages.END -> endBody(current, response::end);
      case LinkMessages.CONTINUE -> continueIfAsked(current);
      case LinkMessages.FAIL -> {
        JsonObject fail;
        try {
          fail = new JsonObject(LinkMessages.payload(message));
        } catch (DecodeException malformed) {
          untrusted();
          return false;
        }
        stopResponseTimer();
        if (response.headWritten()) {
          channel.close(); // the response began: it cannot turn into an error page
        } else {
          // Where the app lives is the agent's business (its log says it), not the visitor's.
          page(current, 502, TunnelPages.badGateway(name, "the tunnel's app did not answer"));
        }
      }
      default -> untrusted();
    }
    return false;
  }

  /** A response head from the agent: forwarded if it may be, else the visitor gets 502. Returns as {@link #forwardResponse}. */
  private boolean head(HttpServerRequest current, WebSocketFrame frame, int bytes) {
    Buffer message = frame.binaryData();
    HttpServerResponse response = current.response();
    if (response.headWritten() || LinkMessages.headLength(message) > LinkMessages.MAX_RESPONSE_HEAD) {
      badResponse(current); // a second head, or one past what any proxy holds
      return false;
    }
    LinkMessages.ResponseHead head;
    try {
      head = LinkMessages.readResponse(message);
    } catch (IllegalArgumentException malformed) {
      untrusted();
      return false;
    }
    int status = head.status();
    if (status == 101 ? !upgrading : status < 100 || status > 599) {
      badResponse(current);
      return false;
    }
    if (status < 200 && status != 101) {
      interim(current, head);
      return false;
    }
    stopResponseTimer();
    responseHead(current, head);
    if (raw) return false;
    Buffer start = LinkMessages.headBody(message);
    if (LinkMessages.ends(message)) {
      // The whole response in one message: written in one go, its bytes freed once it is.
      if (start == null || body.none()) return endBody(current, () -> response.end().andThen(ended -> done(frame, bytes)));
      if (!body.take(start.length())) {
        badResponse(current);
        return false;
      }
      tunnels.metrics().toVisitor(start.length());
      return endBody(current, () -> response.end(start).andThen(ended -> done(frame, bytes)));
    }
    return start != null && writeBody(current, start, frame, bytes);
  }

  /**
   * Writes {@code bytes} of the response body, unless the response has none or they run past its
   * {@code Content-Length} (then the connection ends: what was written cannot be taken back). Returns
   * as {@link #forwardResponse}.
   */
  private boolean writeBody(HttpServerRequest current, Buffer bytes, WebSocketFrame frame, int counted) {
    HttpServerResponse response = current.response();
    if (body == null) {
      badResponse(current); // a body before its head
      return false;
    }
    if (body.none()) return false;
    if (!body.take(bytes.length())) {
      badResponse(current);
      return false;
    }
    tunnels.metrics().toVisitor(bytes.length());
    response.write(bytes).onComplete(written -> done(frame, counted));
    return true;
  }

  /**
   * The agent says the response is complete: ended with {@code end} if its body is what the head
   * announced, else the visitor gets 502 or, once the head is out, its connection closes (as nginx
   * does with an upstream that stops short). Returns true when {@code end} frees the message's bytes.
   */
  private boolean endBody(HttpServerRequest current, Supplier<Future<Void>> end) {
    if (body == null || !body.complete()) {
      badResponse(current);
      return false;
    }
    finish(current, end);
    return true;
  }

  /**
   * An interim response (RFC 9110 §15.2): {@code 100} goes on to a visitor that asked for it, {@code
   * 103} to an HTTP/1.1 visitor; others, and any with a body, are not forwarded. The final one follows.
   */
  private void interim(HttpServerRequest current, LinkMessages.ResponseHead head) {
    if (head.status() == 100) {
      continueIfAsked(current);
    } else if (head.status() == 103 && current.version() == HttpVersion.HTTP_1_1) {
      current.response().writeEarlyHints(head.into(MultiMap.caseInsensitiveMultiMap(), false));
    }
  }

  private void continueIfAsked(HttpServerRequest current) {
    String expect = current.getHeader(HttpHeaders.EXPECT);
    if (expect != null && expect.equalsIgnoreCase("100-continue") && current.version() == HttpVersion.HTTP_1_1
        && !current.response().headWritten()) {
      current.response().writeContinue();
    }
  }

  /**
   * The agent answered what cannot go to a visitor (a head too big or invalid, a status out of
   * place, a body before its head): 502 if nothing of the response was written, and the link ends.
   */
  private void badResponse(HttpServerRequest current) {
    tunnels.metrics().refused(TunnelMetrics.Refusal.BAD_RESPONSE);
    stopResponseTimer();
    HttpServerResponse response = current.response();
    if (response.headWritten()) {
      request = null;
      channel.close();
    } else {
      response.headers().clear();
      response.putHeader(HttpHeaders.CONNECTION, "close");
      page(current, 502, TunnelPages.badGateway(name, "the tunnel's app sent a response the relay cannot forward"));
    }
    endLink();
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
    if (upgrading) {
      // The local server refused the upgrade: an ordinary answer, and the last on this connection (its
      // framing is no longer checked once a WebSocket upgrade was asked for, see StrictHttp1).
      upgrading = false;
      current.resume();
    }
    response.setStatusCode(status);
    head.into(response.headers(), false);
    body = ResponseBody.of(status, response.headers(), current.method() == HttpMethod.HEAD);
    if (body.chunked()) response.setChunked(true);
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
      if (!linked) tunnels.metrics().refused(TunnelMetrics.Refusal.TIMEOUT);
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
