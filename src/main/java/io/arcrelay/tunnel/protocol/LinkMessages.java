package io.arcrelay.tunnel.protocol;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The messages on a data link between the relay and an agent: binary WebSocket frames, each one
 * whole message whose first byte is a tag. After a {@code 101} head the tags stop and the frames
 * carry the upgraded connection's bytes.
 *
 * <p>A {@link #HEAD} is {@code [tag][head length, 4 bytes][head][body bytes...]}, the head in a
 * small binary form read in place ({@link #readRequest}, {@link #readResponse}): strings as a 4-byte
 * length and UTF-8, numbers big-endian. Request head: method, target, a byte (1: a body follows),
 * a 2-byte header count and each header's name and value. Response head: a 2-byte status, then the
 * headers the same way. Body bytes after the head are the start of the body (the agent sends a small
 * response whole in one message). {@link #FAIL} carries JSON, {@code {"status":502,"reason":"..."}};
 * {@link #BODY} carries raw bytes.
 *
 * <p>The flag {@link #ENDS} on a head saves a message, and with it a system call each way per
 * request: nothing of the body follows (a request without a body, or a response whose body came
 * with its head). The heads were JSON until the agent's hello version 2: parsing and writing JSON
 * took 7 % of the relay's and 11 % of the agent's CPU on small requests (docs/benchmarks.md, session 11).
 */
public final class LinkMessages {

  /**
   * The version an agent states in its hello: what the control and link messages look like. 2:
   * binary heads; an agent of version 1 (JSON heads) is refused at its hello, never half understood.
   */
  public static final int VERSION = 2;

  /** A request head (relay to agent) or a response head (agent to relay). */
  public static final byte HEAD = 1;
  /** Body bytes, either way. */
  public static final byte BODY = 2;
  /** The body is complete, either way. */
  public static final byte END = 3;
  /** The local server sent {@code 100 Continue} (agent to relay). */
  public static final byte CONTINUE = 4;
  /** The agent could not get a response head from its local server (agent to relay). */
  public static final byte FAIL = 5;

  /** Flag: the body is complete after this message, no {@link #END} follows. */
  public static final byte ENDS = (byte) 0x80;
  private static final int KIND = 0x0F;
  /** Where a head begins: after the tag and the head's length. */
  private static final int HEAD_START = 5;

  /** Largest payload per frame: one read's worth, well under the agent's and relay's frame limits. */
  public static final int MAX_CHUNK = 64 * 1024;
  /** Largest response head the relay forwards (nginx's buffers hold 4-8 KiB; apps' cookies need more). */
  public static final int MAX_RESPONSE_HEAD = 64 * 1024;
  /** Largest message an agent may send: a head and the start of its body. Longer ends the link (1009). */
  public static final int MAX_MESSAGE = HEAD_START + MAX_RESPONSE_HEAD + MAX_CHUNK;

  /** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection and never cross the tunnel. */
  private static final List<String> HOP_BY_HOP = List.of("connection", "keep-alive", "proxy-connection",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

  /** What both heads carry: headers, as names and values in turn. */
  public sealed interface Head permits RequestHead, ResponseHead {

    /** Names and values in turn, as the other side sent them. */
    List<String> headers();

    /** Adds the headers to {@code into}, the hop-by-hop ones only if {@code upgrade}; returns it. */
    default MultiMap into(MultiMap into, boolean upgrade) {
      List<String> headers = headers();
      for (int i = 0; i + 1 < headers.size(); i += 2) {
        String name = headers.get(i);
        if (upgrade || !hopByHop(name)) into.add(name, headers.get(i + 1));
      }
      return into;
    }
  }

  /**
   * A request head as it crossed the link.
   *
   * @param body a body follows (in {@link #BODY} messages, then {@link #END})
   */
  public record RequestHead(String method, String uri, List<String> headers, boolean body) implements Head {

    /** True when the request asks to switch protocols (the relay sends hop-by-hop headers only then). */
    public boolean upgrade() {
      if (!"GET".equals(method)) return false;
      boolean upgrade = false;
      boolean connectionUpgrade = false;
      for (int i = 0; i + 1 < headers.size(); i += 2) {
        String name = headers.get(i);
        if (name.equalsIgnoreCase("upgrade")) upgrade = true;
        if (name.equalsIgnoreCase("connection")) connectionUpgrade |= headers.get(i + 1).toLowerCase(Locale.ROOT).contains("upgrade");
      }
      return upgrade && connectionUpgrade;
    }
  }

  /** A response head as it crossed the link. */
  public record ResponseHead(int status, List<String> headers) implements Head {}

  private LinkMessages() {}

  /** One tagged frame. */
  public static WebSocketFrame frame(byte tag, Buffer payload) {
    Buffer message = Buffer.buffer(1 + payload.length()).appendByte(tag).appendBuffer(payload);
    return WebSocketFrame.binaryFrame(message, true);
  }

  /** A tagged frame carrying JSON. */
  public static WebSocketFrame frame(byte tag, JsonObject json) {
    return frame(tag, json.toBuffer());
  }

  /** {@code bytes} as frames of at most {@link #MAX_CHUNK} payload bytes, tagged unless {@code tag} is 0 (raw mode). */
  public static void chunks(byte tag, Buffer bytes, Consumer<WebSocketFrame> out) {
    for (int from = 0; from < bytes.length(); from += MAX_CHUNK) {
      Buffer chunk = bytes.slice(from, Math.min(bytes.length(), from + MAX_CHUNK));
      out.accept(tag == 0 ? WebSocketFrame.binaryFrame(chunk, true) : frame(tag, chunk));
    }
  }

  /** The kind of a received message ({@link #HEAD}, {@link #BODY}...): its tag without the flags. */
  public static byte tag(Buffer message) {
    return (byte) (message.getByte(0) & KIND);
  }

  /** True when nothing of the body follows this message ({@link #ENDS}). */
  public static boolean ends(Buffer message) {
    return (message.getByte(0) & ENDS) != 0;
  }

  /**
   * A request's head, one message: {@code headers} without the hop-by-hop ones unless
   * {@code upgrade}; {@code body}: a body follows; {@code ends}: nothing follows.
   */
  public static WebSocketFrame request(String method, String uri, MultiMap headers, boolean upgrade, boolean body, boolean ends) {
    Buffer message = headStart(ends, 0);
    appendString(message, method);
    appendString(message, uri);
    message.appendByte((byte) (body ? 1 : 0));
    appendHeaders(message, headers, upgrade);
    return headEnd(message, null);
  }

  /**
   * A response's head, with {@code body} (null for none yet) and, when {@code ends}, the end of the
   * body: one message, or for a body over {@link #MAX_CHUNK} the head, body and end messages.
   */
  public static void response(int status, MultiMap headers, boolean upgrade, Buffer body, boolean ends, Consumer<WebSocketFrame> out) {
    boolean inline = body == null || body.length() <= MAX_CHUNK;
    Buffer message = headStart(ends && inline, inline && body != null ? body.length() : 0);
    message.appendUnsignedShort(status);
    appendHeaders(message, headers, upgrade);
    out.accept(headEnd(message, inline ? body : null));
    if (inline) return;
    chunks(BODY, body, out);
    if (ends) out.accept(frame(END, Buffer.buffer()));
  }

  /** The head of a received request {@link #HEAD}. Throws {@link IllegalArgumentException} when it is not one. */
  public static RequestHead readRequest(Buffer message) {
    Reader in = new Reader(message);
    String method = in.string();
    String uri = in.string();
    boolean body = in.flag();
    return new RequestHead(method, uri, in.headers(), body);
  }

  /** The head of a received response {@link #HEAD}. Throws {@link IllegalArgumentException} when it is not one. */
  public static ResponseHead readResponse(Buffer message) {
    Reader in = new Reader(message);
    int status = in.unsignedShort();
    return new ResponseHead(status, in.headers());
  }

  /** The length of a received {@link #HEAD}'s head (without the body bytes after it). */
  public static int headLength(Buffer message) {
    return message.length() < HEAD_START ? 0 : message.getInt(1);
  }

  /** The body bytes a received {@link #HEAD} carries after its head, or {@code null}. */
  public static Buffer headBody(Buffer message) {
    int end = HEAD_START + message.getInt(1);
    return end < message.length() ? message.slice(end, message.length()) : null;
  }

  /** What follows the tag. */
  public static Buffer payload(Buffer message) {
    return message.slice(1, message.length());
  }

  private static Buffer headStart(boolean ends, int bodyLength) {
    return Buffer.buffer(256 + bodyLength).appendByte((byte) (HEAD | (ends ? ENDS : 0))).appendInt(0);
  }

  private static WebSocketFrame headEnd(Buffer message, Buffer body) {
    message.setInt(1, message.length() - HEAD_START);
    if (body != null) message.appendBuffer(body);
    return WebSocketFrame.binaryFrame(message, true);
  }

  private static void appendString(Buffer message, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    message.appendInt(bytes.length).appendBytes(bytes);
  }

  private static void appendHeaders(Buffer message, MultiMap headers, boolean upgrade) {
    int countAt = message.length();
    message.appendUnsignedShort(0);
    int count = 0;
    for (Map.Entry<String, String> h : headers) {
      if (!upgrade && hopByHop(h.getKey())) continue;
      appendString(message, h.getKey());
      appendString(message, h.getValue());
      count++;
    }
    message.setUnsignedShort(countAt, count);
  }

  /** Reads a head in place; any inconsistency is an {@link IllegalArgumentException}. */
  private static final class Reader {
    private final Buffer message;
    private final int end;
    private int at = HEAD_START;

    Reader(Buffer message) {
      this.message = message;
      if (message.length() < HEAD_START) throw new IllegalArgumentException("not a head");
      int length = message.getInt(1);
      if (length < 0 || length > message.length() - HEAD_START) throw new IllegalArgumentException("bad head length");
      this.end = HEAD_START + length;
    }

    String string() {
      check(4);
      int length = message.getInt(at);
      at += 4;
      if (length < 0) throw new IllegalArgumentException("bad string length");
      check(length);
      String value = new String(message.getBytes(at, at + length), StandardCharsets.UTF_8);
      at += length;
      return value;
    }

    boolean flag() {
      check(1);
      return message.getByte(at++) != 0;
    }

    int unsignedShort() {
      check(2);
      int value = message.getUnsignedShort(at);
      at += 2;
      return value;
    }

    List<String> headers() {
      int count = unsignedShort();
      check(count * 8); // each header's two lengths at least: a lying count allocates nothing
      List<String> headers = new ArrayList<>(2 * count);
      for (int i = 0; i < 2 * count; i++) headers.add(string());
      return headers;
    }

    private void check(int bytes) {
      if (at + bytes > end) throw new IllegalArgumentException("head cut short");
    }
  }

  private static boolean hopByHop(String name) {
    // No lower-case copy per header (this runs for every header of every request and response).
    for (String hop : HOP_BY_HOP) {
      if (hop.equalsIgnoreCase(name)) return true;
    }
    return false;
  }
}
