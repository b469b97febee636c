package io.arcrelay.pair;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket client that completes the handshake and then never answers anything: a peer whose
 * machine vanished without closing TCP, as far as the relay can tell.
 */
final class SilentSocket {

  private final AtomicInteger pings = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final NetSocket socket;

  private SilentSocket(NetSocket socket) {
    this.socket = socket;
    socket.handler(this::scanForPings);
    socket.closeHandler(v -> closed.set(true));
  }

  static SilentSocket connect(Vertx vertx, String uri) {
    NetSocket socket = connectRaw(vertx, uri);
    SilentSocket silent = new SilentSocket(socket);
    sendUpgrade(socket, uri);
    return silent;
  }

  /** Sends an upgrade request exactly as written (no URI parsing) and returns the raw response. */
  static String rawUpgradeResponse(Vertx vertx, String uri) {
    NetSocket socket = connectRaw(vertx, uri);
    CompletableFuture<String> response = new CompletableFuture<>();
    Buffer received = Buffer.buffer();
    socket.handler(data -> {
      received.appendBuffer(data);
      if (received.toString().contains("\r\n\r\n")) response.complete(received.toString());
    });
    sendUpgrade(socket, uri);
    return response.orTimeout(30, TimeUnit.SECONDS).join();
  }

  /** Sends an upgrade request and closes the connection at once, without waiting for the answer. */
  static void upgradeAndHangUp(Vertx vertx, String uri) {
    NetSocket socket = connectRaw(vertx, uri);
    sendUpgrade(socket, uri);
    socket.close().await();
  }

  private static NetSocket connectRaw(Vertx vertx, String uri) {
    String authority = uri.substring("ws://".length(), uri.indexOf('/', "ws://".length()));
    int colon = authority.lastIndexOf(':');
    return vertx.createNetClient()
        .connect(Integer.parseInt(authority.substring(colon + 1)), authority.substring(0, colon)).await();
  }

  private static void sendUpgrade(NetSocket socket, String uri) {
    String target = uri.substring(uri.indexOf('/', "ws://".length()));
    socket.write("GET " + target + " HTTP/1.1\r\nHost: relay\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").await();
  }

  /** Server frames are unmasked; a ping with an empty payload is the two bytes 0x89 0x00. */
  private void scanForPings(Buffer data) {
    for (int i = 0; i + 1 < data.length(); i++) {
      if ((data.getByte(i) & 0xff) == 0x89 && data.getByte(i + 1) == 0) pings.incrementAndGet();
    }
  }

  int pingsReceived() {
    return pings.get();
  }

  boolean closed() {
    return closed.get();
  }
}
