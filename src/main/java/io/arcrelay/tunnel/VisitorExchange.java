package io.arcrelay.tunnel;

import io.arcrelay.tunnel.protocol.LinkMessages;
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
import java.util.function.Supplier;

/**
 * One visitor request through a {@link VisitorLink} and its response: the request's head and body
 * streamed to the agent, the agent's response messages checked and written to the visitor. Over
 * once the response is ended (or cannot be): the link then carries the connection's next request.
 * After a {@code 101} to an upgrade, the link carries raw bytes instead ({@link RawSplice}).
 *
 * <p>What the visitor sees when the link fails: 504 if the agent never connected within
 * {@code tunnelConnectTimeout} or the response did not begin within {@code tunnelResponseTimeout},
 * 502 if the agent could not reach its service, left before the response began or sent what cannot
 * be forwarded, and the connection closed at once if the response had begun.
 */
final class VisitorExchange implements LinkTraffic {

  private final VisitorLink link;
  private final Tunnels tunnels;
  private final HttpServerRequest request;
  private final TunnelRequest target;
  private boolean upgrading; // a WebSocket upgrade was forwarded: the request stays unread for toNetSocket
  private boolean requestEnded; // the visitor's body is all read
  private boolean awaitingResponse; // the request is all sent, its response not begun: the link's deadline runs
  private ResponseBody body; // the response's, once its head is written

  VisitorExchange(VisitorLink link, HttpServerRequest request, TunnelRequest target) {
    this.link = link;
    this.tunnels = link.tunnels();
    this.request = request;
    this.target = target;
  }

  /** The agent is there: the request goes to it, its head with the forwarded headers, then its body. */
  void forward() {
    // Set on the request's own headers, which go nowhere else: no copy of them per request.
    MultiMap headers = request.headers();
    String peer = request.remoteAddress().hostAddress();
    boolean trusted = tunnels.proxies().trusts(peer);
    String client = trusted ? tunnels.proxies().clientIp(peer, String.join(",", headers.getAll("X-Forwarded-For"))) : peer;
    upgrading = ForwardedHeaders.set(headers, request.method() == HttpMethod.GET, peer, client, trusted,
        tunnels.tls(), target.authority());
    boolean hasBody = !upgrading && TunnelPages.hasBody(request);
    // A request without a body is one message: its head, ending it.
    link.toAgent(LinkMessages.request(request.method().name(), target.target(), headers, upgrading, hasBody,
        !hasBody && !upgrading));
    if (!hasBody) startResponseTimer();
    if (upgrading) return; // stays paused: toNetSocket needs it unread, and an upgrade carries no body
    request.handler(chunk -> {
      tunnels.metrics().toAgent(chunk.length());
      LinkMessages.chunks(LinkMessages.BODY, chunk, link::toAgent);
      link.pauseIfAgentBusy(request::pause);
    });
    request.endHandler(v -> {
      requestEnded = true;
      if (hasBody) {
        link.toAgent(LinkMessages.frame(LinkMessages.END, Buffer.buffer()));
        startResponseTimer();
      }
    });
    request.resume();
  }

  /**
   * The request is all with the agent: its response must begin within {@code tunnelResponseTimeout}
   * (an agent that never answers, an app that hangs), or the visitor gets 504 and the link ends.
   */
  private void startResponseTimer() {
    if (awaitingResponse || request.response().headWritten()) return;
    awaitingResponse = true;
    link.responseDeadline().start(this::responseTimedOut);
  }

  private void responseTimedOut() {
    awaitingResponse = false;
    if (request.response().headWritten() || request.response().ended()) return;
    tunnels.metrics().refused(TunnelMetrics.Refusal.RESPONSE_TIMEOUT);
    page(504, TunnelPages.responseTimeout(link.name()));
    link.endLink();
  }

  private void stopResponseTimer() {
    if (!awaitingResponse) return;
    awaitingResponse = false;
    link.responseDeadline().stop();
  }

  @Override
  public void fromAgent(WebSocketFrame frame, int bytes) {
    if (request.response().ended()) { // a late message
      link.done(frame, bytes);
      return;
    }
    try {
      if (forwardResponse(frame, bytes)) return; // its bytes are freed when written
    } catch (RuntimeException unforwardable) { // a head Vert.x refuses to write, say a header value with a newline
      badResponse();
    }
    link.done(frame, bytes);
  }

  /**
   * Passes one message of the agent's response on to the visitor. Returns true when the message's
   * bytes are freed once the visitor's write completes, false when they may be freed at once.
   */
  private boolean forwardResponse(WebSocketFrame frame, int bytes) {
    Buffer message = frame.binaryData();
    switch (LinkMessages.tag(message)) {
      case LinkMessages.HEAD -> {
        return head(frame, bytes);
      }
      case LinkMessages.BODY -> {
        return writeBody(LinkMessages.payload(message), frame, bytes);
      }
      case LinkMessages.END -> endBody(request.response()::end);
      case LinkMessages.CONTINUE -> continueIfAsked();
      case LinkMessages.FAIL -> failed(message);
      default -> link.endWithConnection();
    }
    return false;
  }

  /** The agent could not get an answer from its app: 502, or the connection closes if the response began. */
  private void failed(Buffer message) {
    try {
      new JsonObject(LinkMessages.payload(message));
    } catch (DecodeException malformed) {
      link.endWithConnection();
      return;
    }
    stopResponseTimer();
    if (request.response().headWritten()) {
      link.channel().close(); // the response began: it cannot turn into an error page
    } else {
      // Where the app lives is the agent's business (its log says it), not the visitor's.
      page(502, TunnelPages.badGateway(link.name(), "the tunnel's app did not answer"));
    }
  }

  /** A response head from the agent: forwarded if it may be, else the visitor gets 502. Returns as {@link #forwardResponse}. */
  private boolean head(WebSocketFrame frame, int bytes) {
    Buffer message = frame.binaryData();
    if (request.response().headWritten() || LinkMessages.headLength(message) > LinkMessages.MAX_RESPONSE_HEAD) {
      badResponse(); // a second head, or one past what any proxy holds
      return false;
    }
    LinkMessages.ResponseHead head;
    try {
      head = LinkMessages.readResponse(message);
    } catch (IllegalArgumentException malformed) {
      link.endWithConnection();
      return false;
    }
    int status = head.status();
    if (status == 101 ? !upgrading : status < 100 || status > 599) {
      badResponse();
      return false;
    }
    if (status < 200 && status != 101) {
      interim(head);
      return false;
    }
    stopResponseTimer();
    tunnels.metrics().answered(status);
    if (status == 101) {
      head.into(request.response().headers(), true);
      RawSplice.start(link, request);
      return false;
    }
    responseHead(head);
    return bodyInHead(message, frame, bytes);
  }

  /** The start of the body that came in the head's message, and its end if it came too. Returns as {@link #forwardResponse}. */
  private boolean bodyInHead(Buffer message, WebSocketFrame frame, int bytes) {
    HttpServerResponse response = request.response();
    Buffer start = LinkMessages.headBody(message);
    if (!LinkMessages.ends(message)) return start != null && writeBody(start, frame, bytes);
    // The whole response in one message: written in one go, its bytes freed once it is.
    if (start == null || body.none()) return endBody(() -> response.end().andThen(ended -> link.done(frame, bytes)));
    if (!body.take(start.length())) {
      badResponse();
      return false;
    }
    tunnels.metrics().toVisitor(start.length());
    return endBody(() -> response.end(start).andThen(ended -> link.done(frame, bytes)));
  }

  /**
   * Writes {@code bytes} of the response body, unless the response has none or they run past its
   * {@code Content-Length} (then the connection ends: what was written cannot be taken back). Returns
   * as {@link #forwardResponse}.
   */
  private boolean writeBody(Buffer bytes, WebSocketFrame frame, int counted) {
    if (body == null) {
      badResponse(); // a body before its head
      return false;
    }
    if (body.none()) return false;
    if (!body.take(bytes.length())) {
      badResponse();
      return false;
    }
    tunnels.metrics().toVisitor(bytes.length());
    request.response().write(bytes).onComplete(written -> link.done(frame, counted));
    return true;
  }

  /**
   * The agent says the response is complete: ended with {@code end} if its body is what the head
   * announced, else the visitor gets 502 or, once the head is out, its connection closes (as nginx
   * does with an upstream that stops short). Returns true when {@code end} frees the message's bytes.
   */
  private boolean endBody(Supplier<Future<Void>> end) {
    if (body == null || !body.complete()) {
      badResponse();
      return false;
    }
    finish(end);
    return true;
  }

  /**
   * An interim response (RFC 9110 §15.2): {@code 100} goes on to a visitor that asked for it, {@code
   * 103} to an HTTP/1.1 visitor; others, and any with a body, are not forwarded. The final one follows.
   */
  private void interim(LinkMessages.ResponseHead head) {
    if (head.status() == 100) {
      continueIfAsked();
    } else if (head.status() == 103 && request.version() == HttpVersion.HTTP_1_1) {
      request.response().writeEarlyHints(head.into(MultiMap.caseInsensitiveMultiMap(), false));
    }
  }

  private void continueIfAsked() {
    String expect = request.getHeader(HttpHeaders.EXPECT);
    if (expect != null && expect.equalsIgnoreCase("100-continue") && request.version() == HttpVersion.HTTP_1_1
        && !request.response().headWritten()) {
      request.response().writeContinue();
    }
  }

  /**
   * The agent answered what cannot go to a visitor (a head too big or invalid, a status out of
   * place, a body before its head): 502 if nothing of the response was written, and the link ends.
   */
  private void badResponse() {
    tunnels.metrics().refused(TunnelMetrics.Refusal.BAD_RESPONSE);
    stopResponseTimer();
    HttpServerResponse response = request.response();
    if (response.headWritten()) {
      link.exchangeOver(this);
      link.channel().close();
    } else {
      response.headers().clear();
      response.putHeader(HttpHeaders.CONNECTION, "close");
      page(502, TunnelPages.badGateway(link.name(), "the tunnel's app sent a response the relay cannot forward"));
    }
    link.endLink();
  }

  /** Writes the head of a final (non-101) response, and learns how long its body is. */
  private void responseHead(LinkMessages.ResponseHead head) {
    HttpServerResponse response = request.response();
    if (upgrading) {
      // The local server refused the upgrade: an ordinary answer, and the last on this connection (its
      // framing is no longer checked once a WebSocket upgrade was asked for, see StrictHttp1).
      upgrading = false;
      request.resume();
    }
    response.setStatusCode(head.status());
    head.into(response.headers(), false);
    body = ResponseBody.of(head.status(), response.headers(), request.method() == HttpMethod.HEAD);
    if (body.chunked()) response.setChunked(true);
    if (!requestEnded) {
      // Answered before the body was all sent (a refused 100-continue, an early error): what is left
      // of it cannot be skipped cheaply, so this connection carries no further request.
      response.putHeader(HttpHeaders.CONNECTION, "close");
    }
  }

  /**
   * Ends the exchange with {@code end}, which completes the response; a request whose body was not
   * all read takes its connection with it. The exchange is over before the response ends: ending it
   * may hand over the next pipelined request at once.
   */
  private void finish(Supplier<Future<Void>> end) {
    boolean bodyLeft = !requestEnded;
    link.exchangeOver(this);
    Future<Void> ended = end.get();
    if (bodyLeft) ended.onComplete(v -> request.connection().close());
  }

  private void page(int status, String html) {
    tunnels.metrics().answered(status);
    HttpServerResponse response = request.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8");
    if (!requestEnded) response.putHeader(HttpHeaders.CONNECTION, "close");
    finish(() -> response.end(html));
  }

  @Override
  public void resumeReading() {
    request.resume();
  }

  @Override
  public void linkEnded() {
    stopResponseTimer();
  }

  @Override
  public void linkLost(boolean agentCame) {
    if (request.response().headWritten()) {
      link.exchangeOver(this);
      link.channel().close();
      return;
    }
    if (!agentCame) tunnels.metrics().refused(TunnelMetrics.Refusal.TIMEOUT);
    page(agentCame ? 502 : 504, agentCame ? TunnelPages.badGateway(link.name(), "the tunnel's agent went away")
        : TunnelPages.timeout(link.name()));
  }
}
