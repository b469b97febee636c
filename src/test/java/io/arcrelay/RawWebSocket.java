package io.arcrelay;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A WebSocket client written on a bare TCP socket, for what a well-behaved client library will not
 * do: send malformed frames, answer no ping (a peer whose machine vanished without closing TCP),
 * stop reading without Vert.x buffering on its behalf (a paused raw
 * socket holds at most a few 64 KiB reads), or write one 16 MiB frame at a time. Reads the
 * server's frames as they come: counts data payload bytes, checks that each binary message starts
 * with the next sequence number (see {@link #sequencedFrame}), and records the close code.
 */
public final class RawWebSocket {

  private final NetClient client; // held: Vert.x closes the sockets of a client that is garbage collected
  private final NetSocket socket;
  private Buffer received = Buffer.buffer();
  private final CompletableFuture<String> handshake = new CompletableFuture<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final AtomicLong payloadBytes = new AtomicLong();
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong outOfOrder = new AtomicLong();
  private final AtomicLong pings = new AtomicLong();
  private boolean upgraded;
  private boolean refused;
  private long frameLeft; // payload bytes of the current data frame still to come
  private boolean frameStart;

  private RawWebSocket(NetClient client, NetSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.handler(this::onData);
    socket.closeHandler(v -> {
      closed.complete(null);
      closeCode.complete(-1);
      handshake.complete("");
    });
  }

  /** Connects and upgrades; fails the test if the relay does not answer 101. */
  public static RawWebSocket connect(Vertx vertx, String uri) {
    RawWebSocket ws = open(vertx, uri, "127.0.0.1");
    ws.upgrade(uri, "");
    String answer = ws.handshake.orTimeout(TestClient.WAIT_SECONDS, TimeUnit.SECONDS).join();
    if (!answer.startsWith("HTTP/1.1 101")) throw new AssertionError("upgrade refused: " + answer);
    return ws;
  }

  /** Opens a TCP connection from {@code localAddress} (any 127.x.y.z works on Linux) without sending anything. */
  public static RawWebSocket open(Vertx vertx, String uri, String localAddress) {
    String authority = uri.substring(uri.indexOf("//") + 2, uri.indexOf('/', uri.indexOf("//") + 2));
    int colon = authority.lastIndexOf(':');
    NetClient client = vertx.createNetClient(new NetClientOptions().setLocalAddress(localAddress));
    NetSocket socket = client.connect(Integer.parseInt(authority.substring(colon + 1)), authority.substring(0, colon))
        .toCompletionStage().toCompletableFuture().orTimeout(TestClient.WAIT_SECONDS, TimeUnit.SECONDS).join();
    return new RawWebSocket(client, socket);
  }

  /** Sends an upgrade request for {@code uri} with {@code extraHeaders} (each ending in CRLF). */
  public Future<Void> upgrade(String uri, String extraHeaders) {
    return send(upgradeRequest(uri, extraHeaders));
  }

  /** An upgrade request for {@code uri} with {@code extraHeaders} (each ending in CRLF). */
  public static Buffer upgradeRequest(String uri, String extraHeaders) {
    String target = uri.substring(uri.indexOf('/', uri.indexOf("//") + 2));
    return Buffer.buffer("GET " + target + " HTTP/1.1\r\nHost: relay\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + extraHeaders + "\r\n");
  }

  /** The relay's answer to the upgrade: its status line and headers, or "" if it closed first. */
  public String answer() {
    return handshake.orTimeout(TestClient.WAIT_SECONDS, TimeUnit.SECONDS).join();
  }

  /** The body of a refused upgrade, once the relay has closed the connection. */
  public String refusalBody() {
    closed.orTimeout(TestClient.WAIT_SECONDS, TimeUnit.SECONDS).join();
    String text = received.toString(StandardCharsets.UTF_8);
    return text.substring(text.indexOf("\r\n\r\n") + 4);
  }

  public Future<Void> send(Buffer bytes) {
    return socket.write(bytes);
  }

  /** A client frame: masked with an all-zero key (valid, and the payload goes out as it is). */
  public static Buffer frame(int firstByte, Buffer payload) {
    Buffer frame = Buffer.buffer(payload.length() + 14).appendByte((byte) firstByte);
    long length = payload.length();
    if (length < 126) {
      frame.appendByte((byte) (0x80 | length));
    } else if (length < 65536) {
      frame.appendByte((byte) (0x80 | 126)).appendShort((short) length);
    } else {
      frame.appendByte((byte) (0x80 | 127)).appendLong(length);
    }
    return frame.appendInt(0).appendBuffer(payload);
  }

  /** A final binary frame of {@code size} bytes whose payload starts with {@code sequence}. */
  public static Buffer sequencedFrame(long sequence, int size) {
    Buffer payload = Buffer.buffer(new byte[size]);
    payload.setLong(0, sequence);
    return frame(0x82, payload);
  }

  public void pause() {
    socket.pause();
  }

  public void resume() {
    socket.resume();
  }

  public Future<Void> close() {
    return socket.close();
  }

  /** Payload bytes of the data frames received so far. */
  public long payloadBytes() {
    return payloadBytes.get();
  }

  /** Binary frames received whose payload did not start with the next sequence number. */
  public long outOfOrder() {
    return outOfOrder.get();
  }

  /** Pings the relay sent; none is ever answered. */
  public long pingsReceived() {
    return pings.get();
  }

  /** The code of the close frame the relay sent, or -1 if the connection ended without one. */
  public int closeCode() {
    return closeCode.orTimeout(TestClient.WAIT_SECONDS, TimeUnit.SECONDS).join();
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  /**
   * Whether the relay's close frame (or the end of the connection) has arrived. This client never
   * answers a close frame, so the relay cuts its TCP connection only after Vert.x's closing timeout
   * (10 s): wait for this, not {@link #isClosed()}, to see the relay's decision.
   */
  public boolean closeReceived() {
    return closeCode.isDone();
  }

  private void onData(Buffer data) {
    received.appendBuffer(data);
    int i = 0;
    if (!upgraded) {
      int end = received.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
      if (end < 0) return;
      upgraded = true;
      String head = received.getString(0, end, "ISO-8859-1");
      handshake.complete(head);
      i = end + 4;
      refused = !head.startsWith("HTTP/1.1 101");
    }
    if (refused) return; // the rest is the refusal's body, kept whole in received
    received = received.getBuffer(readFrames(i), received.length());
  }

  /** Reads server frames (never masked) from {@code i}; payloads are counted and skipped, not kept. */
  private int readFrames(int i) {
    while (true) {
      int available = received.length() - i;
      if (frameLeft > 0) {
        if (frameStart) {
          if (available < Math.min(8, frameLeft)) return i; // wait for the sequence number
          if (frameLeft >= 8 && received.getLong(i) != messages.get() - 1) outOfOrder.incrementAndGet();
          frameStart = false;
        }
        int take = (int) Math.min(frameLeft, available);
        if (take == 0) return i;
        i += take;
        frameLeft -= take;
        payloadBytes.addAndGet(take);
        continue;
      }
      if (available < 2) return i;
      int opcode = received.getByte(i) & 0x0f;
      int length7 = received.getByte(i + 1) & 0x7f;
      int header = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0);
      if (available < header) return i;
      long length = length7 == 126 ? received.getUnsignedShort(i + 2)
          : length7 == 127 ? received.getLong(i + 2) : length7;
      if (opcode >= 8) { // control frames are at most 125 bytes: wait for the whole frame
        if (available < header + length) return i;
        if (opcode == 8) closeCode.complete(length >= 2 ? received.getUnsignedShort(i + header) : 1005);
        if (opcode == 9) pings.incrementAndGet(); // never answered: this client is silent unless told otherwise
        i += header + (int) length;
        continue;
      }
      i += header;
      if (opcode == 2) messages.incrementAndGet();
      frameLeft = length;
      frameStart = opcode == 2;
    }
  }
}
