package io.arcrelay.tunnel.agent;

import io.arcrelay.seams.LinkMasking;
import io.arcrelay.tunnel.protocol.LinkMessages;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.net.URI;

/**
 * The agent's end of one data link: one visitor connection's requests, replayed one after the
 * other against the local service, their responses sent back. After the local server's {@code 101}
 * the link carries the upgraded connection's raw bytes both ways.
 *
 * <p>Back-pressure: the data WebSocket is paused while the local request's write queue is full, and
 * the local response (or raw socket) is paused while the data WebSocket's write queue is full.
 *
 * <p>Runs on the data WebSocket's context; the local requests it makes run there too.
 */
final class DataLink {

  private final WebSocket ws;
  private final HttpClientAgent local;
  private final URI target;
  private final TrafficCounters traffic;
  private final LocalFailures failures;
  private HttpClientRequest request; // the exchange in progress, once the local request exists
  private boolean responding; // the response head went back: errors can no longer become a 502
  private boolean requestEnded; // the visitor's body is all written to the local request
  private NetSocket raw; // after a 101
  private HttpClientConnection connection; // this link's own keep-alive connection to the local service
  private Context context;
  // A response whose head is not sent yet, and the body that came right after it: sent together once
  // the local connection's read is over, with the end too if it came (one message for a small answer).
  private HttpClientResponse heldHead;
  private Buffer heldBody;

  DataLink(WebSocket ws, HttpClientAgent local, URI target, TrafficCounters traffic, LocalFailures failures) {
    this.failures = failures;
    this.ws = ws;
    this.local = local;
    this.target = target;
    this.traffic = traffic;
  }

  void start() {
    context = Vertx.currentContext();
    LinkMasking.relax(ws);
    traffic.linkOpened();
    ws.frameHandler(this::onFrame);
    ws.exceptionHandler(err -> ws.close());
    ws.closeHandler(v -> {
      traffic.linkClosed();
      // The visitor is gone: so is its request, or its upgraded connection.
      if (connection != null) connection.close();
    });
  }

  private void onFrame(WebSocketFrame frame) {
    if (!frame.isBinary() && !frame.isContinuation()) return;
    Buffer message = frame.binaryData();
    if (raw != null) {
      traffic.received(message.length());
      raw.write(message);
      if (raw.writeQueueFull()) {
        ws.pause();
        raw.drainHandler(v -> ws.resume());
      }
      return;
    }
    switch (LinkMessages.tag(message)) {
      case LinkMessages.HEAD -> {
        LinkMessages.RequestHead head;
        try {
          head = LinkMessages.readRequest(message);
        } catch (IllegalArgumentException malformed) {
          ws.close((short) 1002, "malformed link message");
          return;
        }
        begin(head, LinkMessages.ends(message));
      }
      case LinkMessages.BODY -> {
        if (request == null) return; // the exchange failed already: its body goes nowhere
        Buffer body = LinkMessages.payload(message);
        traffic.received(body.length());
        try {
          request.write(body);
        } catch (RuntimeException refused) { // more body than the head announced: not what a relay sends
          ws.close((short) 1002, "body longer than its head said");
          return;
        }
        if (request.writeQueueFull()) {
          ws.pause();
          request.drainHandler(v -> ws.resume());
        }
      }
      case LinkMessages.END -> {
        requestEnded = true;
        if (request != null) request.end();
      }
      default -> ws.close((short) 1002, "unknown link message");
    }
  }

  /**
   * A visitor request's head ({@code ends}: the whole request, it has no body): the local request
   * is made before anything else is read from the link.
   */
  private void begin(LinkMessages.RequestHead head, boolean ends) {
    traffic.request();
    responding = false;
    requestEnded = ends;
    request = null;
    boolean upgrade = head.upgrade();
    MultiMap headers = head.into(MultiMap.caseInsensitiveMultiMap(), upgrade);
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.valueOf(head.method()))
        .setURI(head.uri())
        .setHeaders(headers);
    Future<HttpClientRequest> making = localConnection().compose(c -> c.request(options));
    if (making.isComplete()) { // the link's connection is there (keep-alive): no need to hold the link
      started(making, head, headers, upgrade);
      return;
    }
    ws.pause(); // nothing more from the link until the local request exists to take its body
    making.onComplete(made -> {
      ws.resume();
      started(made, head, headers, upgrade);
    });
  }

  /** The local request for {@code head} is made, or could not be. */
  private void started(AsyncResult<HttpClientRequest> made, LinkMessages.RequestHead head, MultiMap headers, boolean upgrade) {
    if (made.failed()) {
      fail(made.cause());
      return;
    }
    HttpClientRequest req = made.result();
    // Also for upgrades: a connect() request never ends, and without a handler its connection's
    // close would be logged at ERROR.
    req.exceptionHandler(this::fail);
    if (upgrade) {
      req.connect().onComplete(answered -> {
        if (answered.failed()) fail(answered.cause()); else upgraded(req, answered.result());
      });
      return;
    }
    request = req;
    if (head.body() && !headers.contains(HttpHeaders.CONTENT_LENGTH)) req.setChunked(true);
    req.response().onSuccess(response -> respond(req, response));
    if (requestEnded) {
      req.end();
    } else if (headers.contains(HttpHeaders.EXPECT)) {
      req.continueHandler(v -> ws.writeFrame(LinkMessages.frame(LinkMessages.CONTINUE, Buffer.buffer())));
      req.sendHead(); // the body follows only once the local server said 100 Continue
    }
  }

  /**
   * The link's connection to the local service, made on its first request and kept for the next
   * ones: one local keep-alive connection per visitor connection, never shared with another link.
   */
  private Future<HttpClientConnection> localConnection() {
    if (connection != null) return Future.succeededFuture(connection);
    return local.connect(new HttpConnectOptions().setHost(target.getHost()).setPort(port(target))
            .setSsl("https".equals(target.getScheme())))
        .onSuccess(made -> {
          connection = made;
          made.closeHandler(v -> {
            if (connection == made) connection = null;
          });
          // A response the client cannot parse (a header value with a control character, say) fails
          // the connection, not the request: the visitor still gets its 502, and the next request a
          // fresh connection.
          made.exceptionHandler(err -> {
            made.close();
            fail(err);
          });
        });
  }

  /** The local server's answer to an upgrade: 101 splices the link raw, anything else is an ordinary response. */
  private void upgraded(HttpClientRequest req, HttpClientResponse response) {
    if (response.statusCode() != 101) {
      respond(req, response); // handlers set in this callback: its body may already be arriving
      return;
    }
    LinkMessages.response(101, response.headers(), true, null, false, ws::writeFrame);
    raw = response.netSocket();
    raw.handler(bytes -> {
      traffic.sent(bytes.length());
      LinkMessages.chunks((byte) 0, bytes, ws::writeFrame);
      if (ws.writeQueueFull()) {
        raw.pause();
        ws.drainHandler(v -> raw.resume());
      }
    });
    raw.exceptionHandler(err -> raw.close());
    raw.closeHandler(v -> ws.close());
  }

  private void respond(HttpClientRequest req, HttpClientResponse response) {
    responding = true;
    heldHead = response;
    heldBody = null;
    context.runOnContext(v -> sendHeld(false)); // after the local connection's read: all it brought goes at once
    response.handler(bytes -> {
      traffic.sent(bytes.length());
      if (heldHead != null && (heldBody == null ? 0 : heldBody.length()) + bytes.length() <= LinkMessages.MAX_CHUNK) {
        heldBody = (heldBody == null ? Buffer.buffer(bytes.length()) : heldBody).appendBuffer(bytes);
        return;
      }
      sendHeld(false);
      LinkMessages.chunks(LinkMessages.BODY, bytes, ws::writeFrame);
      if (ws.writeQueueFull()) {
        response.pause();
        ws.drainHandler(v -> response.resume());
      }
    });
    response.exceptionHandler(err -> ws.close((short) 1011, "local response failed"));
    response.endHandler(v -> {
      if (heldHead != null) {
        sendHeld(true);
      } else {
        ws.writeFrame(LinkMessages.frame(LinkMessages.END, Buffer.buffer()));
      }
      // Answered before its body was sent (a refused 100-continue, a refused upgrade): a request that
      // never ends would hold its local connection, and the pool would hand it to the next request.
      if (!requestEnded) req.connection().close();
    });
  }

  /** Sends the held head and body, if any; {@code ends}: the response is complete with them. */
  private void sendHeld(boolean ends) {
    if (heldHead == null) return;
    LinkMessages.response(heldHead.statusCode(), heldHead.headers(), false, heldBody, ends, ws::writeFrame);
    heldHead = null;
    heldBody = null;
  }

  /** The local service could not be reached or failed before answering: the visitor gets 502. */
  private void fail(Throwable cause) {
    request = null;
    if (raw != null) return; // an upgraded connection's end closes the link through its close handler
    if (responding) {
      ws.close((short) 1011, "local response failed");
      return;
    }
    responding = true; // one FAIL per exchange
    String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    failures.report(target, reason);
    ws.writeFrame(LinkMessages.frame(LinkMessages.FAIL, new JsonObject().put("status", 502).put("reason", reason)));
  }

  static int port(URI uri) {
    if (uri.getPort() > 0) return uri.getPort();
    return "https".equals(uri.getScheme()) || "wss".equals(uri.getScheme()) ? 443 : 80;
  }
}
