package io.arcrelay.tunnel;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The messages on a data link between the relay and an agent: binary WebSocket frames, each one
 * whole message whose first byte is a tag. Heads are small JSON objects; body bytes travel raw. After
 * a {@code 101} head the tags stop and the frames carry the upgraded connection's bytes.
 *
 * <p>Request head: {@code {"m":"POST","u":"/path?q","h":[["name","value"],...],"body":true}}.
 * Response head: {@code {"s":200,"h":[...]}}. {@code FAIL}: {@code {"status":502,"reason":"..."}}.
 *
 * <p>Two flags in the tag byte save messages, and with them a system call each way per request: a
 * head with {@link #ENDS} is the whole exchange's side (a request without a body, or a response
 * whose body came with it); a head with {@link #WITH_BODY} carries body bytes after its JSON
 * ({@code [tag][JSON length, 2 bytes][JSON][body]}).
 */
public final class LinkMessages {

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
  /** Flag on a {@link #HEAD}: body bytes follow its JSON. */
  public static final byte WITH_BODY = 0x40;
  private static final int KIND = 0x0F;
  private static final int MAX_INLINE_JSON = 0xFFFF;

  /** Largest payload per frame: well under the agent's and relay's frame limits. */
  public static final int MAX_CHUNK = 64 * 1024;

  /** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection and never cross the tunnel. */
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

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
   * A head, with {@code body} (null for none yet) and, when {@code ends}, the end of the body: one
   * message, or for a head too long to give its length in two bytes (never within Vert.x's 8 KiB
   * header limit) the plain head, body and end messages.
   */
  public static void head(JsonObject head, Buffer body, boolean ends, Consumer<WebSocketFrame> out) {
    Buffer json = head.toBuffer();
    if (body == null || json.length() > MAX_INLINE_JSON) {
      out.accept(frame((byte) (HEAD | (ends && body == null ? ENDS : 0)), json));
      if (body != null) chunks(BODY, body, out);
      if (body != null && ends) out.accept(frame(END, Buffer.buffer()));
      return;
    }
    Buffer message = Buffer.buffer(3 + json.length() + body.length())
        .appendByte((byte) (HEAD | WITH_BODY | (ends ? ENDS : 0))).appendUnsignedShort(json.length())
        .appendBuffer(json).appendBuffer(body);
    out.accept(WebSocketFrame.binaryFrame(message, true));
  }

  /** The JSON of a received {@link #HEAD}. */
  public static JsonObject headJson(Buffer message) {
    if ((message.getByte(0) & WITH_BODY) == 0) return new JsonObject(payload(message));
    return new JsonObject(message.slice(3, 3 + message.getUnsignedShort(1)));
  }

  /** The body bytes a received {@link #HEAD} carries, or {@code null}. */
  public static Buffer headBody(Buffer message) {
    if ((message.getByte(0) & WITH_BODY) == 0) return null;
    return message.slice(3 + message.getUnsignedShort(1), message.length());
  }

  /** What follows the tag. */
  public static Buffer payload(Buffer message) {
    return message.slice(1, message.length());
  }

  /**
   * Headers as a JSON list of pairs, hop-by-hop ones left out unless {@code upgrade} (an upgrade needs
   * its {@code Upgrade} and {@code Connection} to reach the far side).
   */
  public static JsonArray headers(MultiMap headers, boolean upgrade) {
    JsonArray list = new JsonArray();
    for (Map.Entry<String, String> h : headers) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (!upgrade && HOP_BY_HOP.contains(name)) continue;
      list.add(new JsonArray().add(name).add(h.getValue()));
    }
    return list;
  }

  /** Adds the pairs of a JSON header list to {@code into}, hop-by-hop ones only if {@code upgrade}. */
  public static void addHeaders(JsonArray list, MultiMap into, boolean upgrade) {
    for (int i = 0; i < list.size(); i++) {
      JsonArray pair = list.getJsonArray(i);
      String name = pair.getString(0);
      if (upgrade || !HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) into.add(name, pair.getString(1));
    }
  }

  /**
   * Sets {@code X-Forwarded-For}, {@code -Proto} and {@code -Host} on a request's headers. A
   * visitor's own values are replaced, so nobody can pose as another address; a trusted proxy's are
   * kept and the address it connected from is appended.
   *
   * @param peer          the TCP peer of the visitor connection
   * @param fromTrusted   the peer is a trusted proxy (its {@code X-Forwarded-*} are believed)
   * @param tls           the relay itself terminated TLS
   */
  public static void forwarded(MultiMap headers, String peer, boolean fromTrusted, boolean tls) {
    String host = headers.get(HttpHeaders.HOST);
    if (fromTrusted) {
      String chain = String.join(", ", headers.getAll("X-Forwarded-For"));
      headers.set("X-Forwarded-For", chain.isEmpty() ? peer : chain + ", " + peer);
      if (!headers.contains("X-Forwarded-Proto")) headers.set("X-Forwarded-Proto", tls ? "https" : "http");
      if (!headers.contains("X-Forwarded-Host") && host != null) headers.set("X-Forwarded-Host", host);
    } else {
      headers.set("X-Forwarded-For", peer);
      headers.set("X-Forwarded-Proto", tls ? "https" : "http");
      if (host != null) headers.set("X-Forwarded-Host", host); else headers.remove("X-Forwarded-Host");
    }
  }

  /** True for a request head (as sent on a link) that asks to switch protocols. */
  public static boolean isUpgradeHead(JsonObject head) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    addHeaders(head.getJsonArray("h"), headers, true);
    return "GET".equals(head.getString("m")) && isUpgrade(headers);
  }

  /** True for a request that asks to switch protocols ({@code Connection: upgrade} with an {@code Upgrade}). */
  public static boolean isUpgrade(MultiMap headers) {
    String connection = headers.get(HttpHeaders.CONNECTION);
    return headers.contains(HttpHeaders.UPGRADE) && connection != null
        && connection.toLowerCase(Locale.ROOT).contains("upgrade");
  }
}
