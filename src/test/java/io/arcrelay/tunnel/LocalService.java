package io.arcrelay.tunnel;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local web app behind a tunnel's agent, a real Vert.x server:
 * {@code GET /hello} answers the target, the forwarded headers (and {@code Authorization}) and every header it saw as JSON; {@code GET /download?size=N&seed=S[&chunked]}
 * streams N bytes of {@link Stream} S with back-pressure; {@code POST /upload} answers the SHA-256
 * and length of what it read (sending {@code 100 Continue} when asked); {@code POST /refuse} answers
 * 417 without reading; {@code /echo} is a WebSocket echo keeping text and binary frames apart.
 */
final class LocalService {

  private final HttpServer server;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();

  private LocalService(HttpServer server) {
    this.server = server;
  }

  static LocalService start(Vertx vertx) {
    LocalService[] service = new LocalService[1];
    HttpServer server = vertx.createHttpServer()
        .connectionHandler(connection -> {
          service[0].connections.incrementAndGet();
          service[0].open.incrementAndGet();
          connection.closeHandler(v -> service[0].open.decrementAndGet());
        })
        .webSocketHandler(ws -> ws.frameHandler(ws::writeFrame))
        .requestHandler(request -> {
          service[0].requests.incrementAndGet();
          handle(request);
        });
    service[0] = new LocalService(server);
    server.listen(0, "127.0.0.1").await();
    return service[0];
  }

  int port() {
    return server.actualPort();
  }

  /** Requests the service has been asked so far. */
  int requests() {
    return requests.get();
  }

  /** TCP connections the service has accepted so far. */
  int connections() {
    return connections.get();
  }

  /** TCP connections open now. */
  int openConnections() {
    return open.get();
  }

  private static void handle(HttpServerRequest request) {
    switch (request.path()) {
      case "/hello" -> request.response().putHeader("content-type", "application/json").end(new JsonObject()
          .put("method", request.method().name())
          .put("uri", request.uri())
          .put("host", request.getHeader("Host"))
          .put("xff", request.getHeader("X-Forwarded-For"))
          .put("proto", request.getHeader("X-Forwarded-Proto"))
          .put("xhost", request.getHeader("X-Forwarded-Host"))
          .put("authorization", request.getHeader("Authorization"))
          .put("headers", headers(request)).encode());
      case "/download" -> download(request);
      case "/upload" -> upload(request);
      case "/refuse" -> request.response().setStatusCode(417).end("no body wanted here");
      default -> request.response().setStatusCode(404).end();
    }
  }

  /** Every header as the service read it: lower-case name to its values. */
  private static JsonObject headers(HttpServerRequest request) {
    JsonObject headers = new JsonObject();
    request.headers().forEach(h -> {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      JsonArray values = headers.getJsonArray(name, new JsonArray());
      headers.put(name, values.add(h.getValue()));
    });
    return headers;
  }

  private static void download(HttpServerRequest request) {
    long size = Long.parseLong(request.getParam("size"));
    long seed = Long.parseLong(request.getParam("seed"));
    HttpServerResponse response = request.response();
    if (request.getParam("chunked") != null) response.setChunked(true); else response.putHeader("content-length", String.valueOf(size));
    Stream.write(response, seed, size, response::end);
  }

  private static void upload(HttpServerRequest request) {
    MessageDigest digest = Stream.newDigest();
    long[] length = new long[1];
    if (request.getHeader("Expect") != null) request.response().writeContinue();
    request.handler(chunk -> {
      digest.update(chunk.getBytes());
      length[0] += chunk.length();
    });
    request.endHandler(v -> request.response().end(new JsonObject()
        .put("sha256", HexFormat.of().formatHex(digest.digest())).put("length", length[0]).encode()));
  }
}
