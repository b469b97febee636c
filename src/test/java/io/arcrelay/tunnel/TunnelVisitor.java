package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.TestClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A visitor of tunnels through one relay port: requests go to that port with the tunnel's
 * {@code Host} ({@code <tunnel>.localhost}), as a browser's would with wildcard DNS. Bodies are
 * streamed with back-pressure and checked by SHA-256, never held whole.
 */
final class TunnelVisitor {

  /** What a visitor got back. */
  record Answer(int status, String body, HttpClientResponse response) {}

  private final int port;
  private final HttpClient client;
  private final WebSocketClient wsClient;

  /** A visitor opening a new connection per request. */
  TunnelVisitor(Vertx vertx, int port) {
    this.port = port;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false), new PoolOptions().setHttp1MaxSize(20));
    this.wsClient = TestClient.newClient(vertx);
  }

  RequestOptions request(HttpMethod method, String tunnel, String uri) {
    return new RequestOptions().setMethod(method)
        .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1"))
        .setHost(tunnel + ".localhost").setPort(port).setURI(uri)
        .setTimeout(TimeUnit.SECONDS.toMillis(TestClient.WAIT_SECONDS));
  }

  Answer get(String tunnel, String uri) {
    return get(client, tunnel, uri);
  }

  /** A GET on {@code through}, a client of the caller's (one keeping its connection alive, say). */
  Answer get(HttpClient through, String tunnel, String uri) {
    return send(through, request(HttpMethod.GET, tunnel, uri));
  }

  /** A request made with {@link #request} and changed by the caller (a header added, say). */
  Answer send(RequestOptions options) {
    return send(client, options);
  }

  private static Answer send(HttpClient through, RequestOptions options) {
    return through.request(options)
        .compose(req -> req.send().compose(res -> res.body().map(body -> new Answer(res.statusCode(), body.toString(), res))))
        .await();
  }

  /** Downloads {@code size} bytes of stream {@code seed}; returns their SHA-256. */
  String download(String tunnel, long size, long seed, boolean chunked) {
    MessageDigest digest = Stream.newDigest();
    AtomicLong length = new AtomicLong();
    client.request(request(HttpMethod.GET, tunnel, "/download?size=" + size + "&seed=" + seed + (chunked ? "&chunked" : "")))
        .compose(HttpClientRequest::send)
        .compose(res -> {
          assertEquals(200, res.statusCode());
          res.handler(chunk -> {
            digest.update(chunk.getBytes());
            length.addAndGet(chunk.length());
          });
          return res.end();
        }).await();
    assertEquals(size, length.get());
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Uploads {@code size} bytes of stream {@code seed}, chunked or with a length; returns what the service read. */
  JsonObject upload(String tunnel, long size, long seed, boolean withLength) {
    return client.request(request(HttpMethod.POST, tunnel, "/upload")).compose(req -> {
      if (withLength) req.putHeader("Content-Length", String.valueOf(size)); else req.setChunked(true);
      Future<HttpClientResponse> response = req.response();
      Stream.write(req, seed, size, req::end);
      return response.compose(res -> res.body().map(body -> {
        assertEquals(200, res.statusCode());
        return new JsonObject(body);
      }));
    }).await();
  }

  /** A WebSocket to the service's echo through the tunnel: a text and a 50 kB binary message come back as they went. */
  void echoTextAndBinary(String tunnel) {
    WebSocket ws = wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/echo").addHeader("Host", tunnel + ".localhost:" + port)).await();
    LinkedBlockingQueue<WebSocketFrame> frames = new LinkedBlockingQueue<>();
    ws.frameHandler(frames::add);
    ws.writeTextMessage("hello through the tunnel");
    byte[] binary = Stream.block(1, 0, 50_000).getBytes();
    ws.writeBinaryMessage(Buffer.buffer(binary));
    WebSocketFrame text = poll(frames);
    assertTrue(text.isText());
    assertEquals("hello through the tunnel", text.textData());
    Buffer received = Buffer.buffer();
    while (received.length() < binary.length) {
      WebSocketFrame frame = poll(frames);
      assertTrue(frame.isBinary() || frame.isContinuation());
      received.appendBuffer(frame.binaryData());
    }
    assertEquals(Buffer.buffer(binary), received);
    ws.close().await();
  }

  private static WebSocketFrame poll(LinkedBlockingQueue<WebSocketFrame> frames) {
    try {
      WebSocketFrame frame = frames.poll(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);
      if (frame == null) throw new AssertionError("no frame came back");
      return frame;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
