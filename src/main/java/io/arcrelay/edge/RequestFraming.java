package io.arcrelay.edge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where each HTTP/1.1 request on a connection begins and ends, read from the raw bytes with RFC 9112's
 * grammar and nothing looser, before Netty's decoder sees them. A request whose framing a proxy and
 * an origin could read two ways is refused here, so the relay and whatever is behind it always agree
 * on where a request ends (request smuggling needs them to disagree).
 *
 * <p>Refused ({@link MalformedRequest}, 400 unless said): a bare CR or LF, line folding, a control byte or
 * NUL in a header, whitespace before a colon, a header name that is not a token; {@code
 * Transfer-Encoding} on HTTP/1.0, twice, with {@code Content-Length}, or other than {@code chunked}
 * (501, as nginx); {@code Content-Length} twice or not a plain number; a chunk size that is not hex
 * or is 2 GiB or more (Netty reads 2³²+5 as 5); a malformed chunk extension; a WebSocket upgrade
 * with a body; {@code Sec-WebSocket-Key1} outside an upgrade (Netty would read 8 body bytes no
 * header announced); versions other than HTTP/1.0 and 1.1 (505).
 *
 * <p>Passed on unchanged, but for one rewrite: each chunk-size line is replaced by its bare size,
 * since chunk extensions mean nothing here and Netty 4.2 refuses valid ones ({@code 5;a=b}).
 * After the head of a WebSocket upgrade the connection may stop being HTTP: what follows is not read.
 *
 * <p>Streams: keeps a few counters and at most a header name and a short value between reads,
 * never the bytes themselves. Not thread-safe: one per connection, on its event loop.
 */
final class RequestFraming {

  /** Where the checked bytes go, in order. */
  interface Output {
    /** Bytes {@code from} (inclusive) to {@code to} of {@code in}, unchanged. */
    void pass(ByteBuf in, int from, int to);

    /** Bytes written in place of what was dropped. */
    void insert(ByteBuf bytes);
  }

  /** A head past these is Netty's to refuse (414, 431): from there on the bytes are only passed on. */
  private static final int MAX_LINE = 8192;
  private static final int MAX_HEAD = 16384;
  /** Longer values of the headers read here are not what a client sends. */
  private static final int MAX_VALUE = 256;
  private static final int MAX_CHUNK_DIGITS = 8; // 0x7fffffff at most: Netty keeps chunk sizes in an int

  private enum State {
    REQUEST_START, REQUEST_START_LF, METHOD, TARGET, VERSION, REQUEST_LINE_LF,
    FIELD_START, FIELD_NAME, FIELD_VALUE, FIELD_LF, HEAD_END_LF,
    BODY, CHUNK_SIZE, CHUNK_EXTENSION, CHUNK_QUOTED, CHUNK_QUOTED_ESCAPE, CHUNK_LINE_LF,
    CHUNK_DATA, CHUNK_DATA_CR, CHUNK_DATA_LF,
    NOT_READ // an upgrade's or an oversized head's bytes: passed on, never looked at
  }

  private State state = State.REQUEST_START;
  private boolean trailers; // the header states are reading a chunked body's trailer section
  private int lineBytes;
  private int headBytes;
  private long remaining; // body or chunk bytes still to come

  // The head being read.
  private final StringBuilder method = new StringBuilder(8);
  private int targetBytes;
  private final StringBuilder version = new StringBuilder(8);
  private final StringBuilder name = new StringBuilder(24);
  private final StringBuilder value = new StringBuilder(32);
  private Field field; // the header whose value is being read, if it is one read here
  private String contentLength;
  private int contentLengths;
  private String transferEncoding;
  private int transferEncodings;
  private boolean upgradeWebSocket;
  private boolean connectionUpgrade;
  private boolean obsoleteHandshake;

  // The chunk-size line being read.
  private long chunkSize;
  private int chunkDigits;
  private boolean extensionValue; // in an extension's value, after '='
  private int extensionToken; // characters of the current extension name or token value
  private boolean sawDigit;
  private boolean afterToken; // whitespace after a name or value: only '=', ';' or the end may follow
  private boolean afterQuoted; // a quoted value ended: only ';', whitespace or the end may follow

  private enum Field { CONTENT_LENGTH, TRANSFER_ENCODING, UPGRADE, CONNECTION, KEY1 }

  /**
   * Reads {@code in} (all its readable bytes), handing on what passes to {@code out}. Returns true
   * once a WebSocket upgrade's head has been passed on: the rest of {@code in} is passed on too, and
   * nothing after it needs reading. Throws {@link MalformedRequest} at the first byte that breaks the
   * framing; what came before it has been handed on.
   */
  boolean read(ByteBuf in, Output out) {
    int end = in.writerIndex();
    int passFrom = in.readerIndex();
    int headStart = passFrom; // where the head being read began, if in this buffer
    int i = passFrom;
    try {
      while (i < end && state != State.NOT_READ) {
        if (state == State.BODY || state == State.CHUNK_DATA) {
          int take = (int) Math.min(remaining, end - i);
          i += take;
          remaining -= take;
          if (remaining == 0) state = state == State.BODY ? State.REQUEST_START : State.CHUNK_DATA_CR;
          continue;
        }
        boolean dropped = inChunkSizeLine(); // a chunk-size line is dropped, and its size written afresh
        if (dropped && passFrom < i) out.pass(in, passFrom, i);
        if (state == State.REQUEST_START) headStart = i;
        step(in.getByte(i++), out);
        if (dropped) passFrom = i;
      }
    } catch (MalformedRequest malformed) {
      // A bad head is not handed on at all; a bad chunk line ends a body that was.
      int upTo = inHead() ? headStart : i - 1;
      if (passFrom < upTo) out.pass(in, passFrom, upTo);
      in.readerIndex(end);
      throw malformed;
    }
    if (passFrom < end) out.pass(in, passFrom, end);
    in.readerIndex(end);
    return state == State.NOT_READ && upgrading();
  }

  /** True while a body (its chunks, its trailer section) is being read: its head went on. */
  boolean inBody() {
    return trailers || switch (state) {
      case BODY, CHUNK_SIZE, CHUNK_EXTENSION, CHUNK_QUOTED, CHUNK_QUOTED_ESCAPE, CHUNK_LINE_LF, CHUNK_DATA,
          CHUNK_DATA_CR, CHUNK_DATA_LF -> true;
      default -> false;
    };
  }

  /** True while a request head (not a trailer section) is being read. */
  private boolean inHead() {
    return !trailers && switch (state) {
      case METHOD, TARGET, VERSION, REQUEST_LINE_LF, FIELD_START, FIELD_NAME, FIELD_VALUE, FIELD_LF, HEAD_END_LF -> true;
      default -> false;
    };
  }

  private boolean inChunkSizeLine() {
    return state == State.CHUNK_SIZE || state == State.CHUNK_EXTENSION || state == State.CHUNK_QUOTED
        || state == State.CHUNK_QUOTED_ESCAPE || state == State.CHUNK_LINE_LF;
  }

  private void step(byte b, Output out) {
    switch (state) {
      case REQUEST_START -> {
        if (b == '\r') {
          state = State.REQUEST_START_LF; // an empty line before a request is allowed (RFC 9112 §2.2)
        } else {
          startHead();
          method(b);
        }
      }
      case REQUEST_START_LF -> {
        if (b != '\n') throw new MalformedRequest("bare CR");
        state = State.REQUEST_START;
      }
      case METHOD -> {
        if (b == ' ') {
          if (method.isEmpty()) throw new MalformedRequest("empty method");
          state = State.TARGET;
        } else {
          method(b);
        }
      }
      case TARGET -> {
        if (b == ' ' && targetBytes > 0) {
          state = State.VERSION;
        } else if (b < 0x21 || b == 0x7f) {
          throw new MalformedRequest("control character or space in the request target");
        }
        targetBytes++;
        lineByte();
      }
      case VERSION -> {
        if (b == '\r') {
          String v = version.toString();
          if (!v.equals("HTTP/1.1") && !v.equals("HTTP/1.0")) {
            throw v.startsWith("HTTP/") ? new MalformedRequest(505, "HTTP version not supported") : new MalformedRequest("bad HTTP version");
          }
          state = State.REQUEST_LINE_LF;
        } else if (version.length() >= 8) {
          throw new MalformedRequest("bad HTTP version");
        } else {
          version.append((char) b);
        }
      }
      case REQUEST_LINE_LF, FIELD_LF -> {
        if (b != '\n') throw new MalformedRequest("bare CR");
        if (state == State.FIELD_LF) endField();
        state = State.FIELD_START;
        lineBytes = 0;
      }
      case FIELD_START -> {
        headByte();
        if (b == '\r') {
          state = State.HEAD_END_LF;
        } else if (b == ' ' || b == '\t') {
          throw new MalformedRequest("obsolete line folding");
        } else if (isTokenChar(b)) {
          name.setLength(0);
          name.append(lower(b));
          state = State.FIELD_NAME;
        } else {
          throw new MalformedRequest(b == '\n' ? "bare LF" : "header name is not a token");
        }
      }
      case FIELD_NAME -> {
        headByte();
        if (b == ':') {
          startValue();
        } else if (isTokenChar(b)) {
          if (name.length() < 24) name.append(lower(b));
          else name.setLength(25); // longer than any name read here
        } else {
          throw new MalformedRequest(b == ' ' || b == '\t' ? "whitespace before a header's colon" : "header name is not a token");
        }
      }
      case FIELD_VALUE -> {
        headByte();
        if (b == '\r') {
          state = State.FIELD_LF;
        } else if ((b < 0x20 && b != '\t') || b == 0x7f) {
          throw new MalformedRequest(b == '\n' ? "bare LF" : "control character in a header value");
        } else if (field != null) {
          if (value.length() >= MAX_VALUE) throw new MalformedRequest("header value too long");
          value.append((char) (b & 0xff));
        }
      }
      case HEAD_END_LF -> {
        if (b != '\n') throw new MalformedRequest("bare CR");
        if (trailers) {
          state = State.REQUEST_START;
        } else {
          frame(out);
        }
      }
      case CHUNK_SIZE -> chunkSize(b, out);
      case CHUNK_EXTENSION -> chunkExtension(b);
      case CHUNK_QUOTED -> {
        if (b == '"') {
          state = State.CHUNK_EXTENSION;
          extensionToken = 1; // a whole value: only ';', whitespace or the line's end may follow
          extensionValue = false;
          afterQuoted = true;
        } else if (b == '\\') {
          state = State.CHUNK_QUOTED_ESCAPE;
        } else if ((b < 0x20 && b != '\t') || b == 0x7f) {
          throw new MalformedRequest("control character in a chunk extension");
        }
      }
      case CHUNK_QUOTED_ESCAPE -> {
        if ((b < 0x20 && b != '\t') || b == 0x7f) throw new MalformedRequest("control character in a chunk extension");
        state = State.CHUNK_QUOTED;
      }
      case CHUNK_LINE_LF -> {
        if (b != '\n') throw new MalformedRequest("bare CR");
        out.insert(Unpooled.copiedBuffer(Long.toHexString(chunkSize) + "\r\n", StandardCharsets.US_ASCII));
        if (chunkSize == 0) {
          trailers = true;
          state = State.FIELD_START;
        } else {
          remaining = chunkSize;
          state = State.CHUNK_DATA;
        }
      }
      case CHUNK_DATA_CR -> {
        if (b != '\r') throw new MalformedRequest("chunk longer than its size");
        state = State.CHUNK_DATA_LF;
      }
      case CHUNK_DATA_LF -> {
        if (b != '\n') throw new MalformedRequest("bare CR");
        startChunkLine();
      }
      default -> throw new IllegalStateException(state.name());
    }
  }

  private void chunkSize(byte b, Output out) {
    int digit = Character.digit(b, 16);
    if (digit >= 0) {
      if (afterToken) throw new MalformedRequest("bad chunk size"); // "5 5"
      if (chunkDigits > 0 || digit > 0) chunkDigits++;
      if (chunkDigits > MAX_CHUNK_DIGITS) throw new MalformedRequest("chunk size too large");
      chunkSize = chunkSize * 16 + digit;
      if (chunkSize > Integer.MAX_VALUE) throw new MalformedRequest("chunk size too large");
      sawDigit = true;
      return;
    }
    if (!sawDigit) throw new MalformedRequest("bad chunk size");
    if (b == ' ' || b == '\t') {
      afterToken = true; // whitespace after the size: only ';' or the line's end may follow
    } else if (b == ';') {
      startExtension();
    } else if (b == '\r') {
      state = State.CHUNK_LINE_LF;
    } else {
      throw new MalformedRequest("bad chunk size");
    }
  }

  /** {@code chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )}, RFC 9112 §7.1.1. */
  private void chunkExtension(byte b) {
    if (b == '\r') {
      if (!extensionComplete()) throw new MalformedRequest("bad chunk extension");
      state = State.CHUNK_LINE_LF;
    } else if (b == ' ' || b == '\t') {
      if (extensionToken > 0) afterToken = true;
    } else if (b == ';') {
      if (!extensionComplete()) throw new MalformedRequest("bad chunk extension");
      startExtension();
    } else if (b == '=') {
      if (extensionValue || extensionToken == 0 || afterQuoted) throw new MalformedRequest("bad chunk extension");
      extensionValue = true;
      extensionToken = 0;
      afterToken = false;
    } else if (b == '"' && extensionValue && extensionToken == 0) {
      state = State.CHUNK_QUOTED;
    } else if (isTokenChar(b) && !afterToken && !afterQuoted) {
      extensionToken++;
    } else {
      throw new MalformedRequest("bad chunk extension");
    }
  }

  private boolean extensionComplete() {
    return extensionToken > 0 || afterQuoted; // a name, or a name and its (token or quoted) value
  }

  private void startExtension() {
    state = State.CHUNK_EXTENSION;
    extensionToken = 0;
    extensionValue = false;
    afterToken = false;
    afterQuoted = false;
  }

  private void startChunkLine() {
    state = State.CHUNK_SIZE;
    chunkSize = 0;
    chunkDigits = 0;
    sawDigit = false;
    afterToken = false;
  }

  private void startHead() {
    state = State.METHOD;
    trailers = false;
    lineBytes = 0;
    headBytes = 0;
    method.setLength(0);
    targetBytes = 0;
    version.setLength(0);
    contentLength = null;
    contentLengths = 0;
    transferEncoding = null;
    transferEncodings = 0;
    upgradeWebSocket = false;
    connectionUpgrade = false;
    obsoleteHandshake = false;
  }

  private void method(byte b) {
    if (!isTokenChar(b)) throw new MalformedRequest("method is not a token");
    if (method.length() < 16) method.append((char) b);
    lineByte();
  }

  private void lineByte() {
    if (++lineBytes > MAX_LINE) state = State.NOT_READ;
  }

  private void headByte() {
    if (++headBytes > MAX_HEAD) state = State.NOT_READ;
  }

  private void startValue() {
    state = State.FIELD_VALUE;
    value.setLength(0);
    field = switch (name.toString()) {
      case "content-length" -> Field.CONTENT_LENGTH;
      case "transfer-encoding" -> Field.TRANSFER_ENCODING;
      case "upgrade" -> Field.UPGRADE;
      case "connection" -> Field.CONNECTION;
      case "sec-websocket-key1" -> Field.KEY1;
      default -> null;
    };
  }

  private void endField() {
    if (field == null) return;
    String v = value.toString().strip();
    if (trailers) {
      // Netty drops these from trailers; a trailer cannot reframe what it ends.
      field = null;
      return;
    }
    switch (field) {
      case CONTENT_LENGTH -> {
        contentLengths++;
        contentLength = v;
      }
      case TRANSFER_ENCODING -> {
        transferEncodings++;
        transferEncoding = v;
      }
      case UPGRADE -> upgradeWebSocket |= hasToken(v, "websocket");
      case CONNECTION -> connectionUpgrade |= hasToken(v, "upgrade");
      case KEY1 -> obsoleteHandshake = true;
    }
    field = null;
  }

  /** The head is complete: how its body is framed, and whether the connection leaves HTTP. */
  private void frame(Output out) {
    boolean http10 = version.toString().equals("HTTP/1.0");
    // Netty reads 8 body bytes no header announced when a GET has Sec-WebSocket-Key1 (hixie-76). As an
    // upgrade it is left to the endpoints to refuse (426); as anything else it would desynchronise us.
    if (obsoleteHandshake && !upgrading()) throw new MalformedRequest("obsolete WebSocket handshake (Sec-WebSocket-Key1)");
    if (transferEncodings > 0) {
      if (http10) throw new MalformedRequest("Transfer-Encoding in an HTTP/1.0 request");
      if (contentLengths > 0) throw new MalformedRequest("both Content-Length and Transfer-Encoding");
      if (transferEncodings > 1) throw new MalformedRequest("Transfer-Encoding given twice");
      if (!transferEncoding.equalsIgnoreCase("chunked")) throw new MalformedRequest(501, "unknown Transfer-Encoding");
      if (upgrading()) throw new MalformedRequest("WebSocket upgrade with a body");
      startChunkLine();
      return;
    }
    long length = 0;
    if (contentLengths > 1) throw new MalformedRequest("Content-Length given twice");
    if (contentLengths == 1) length = contentLength(contentLength);
    if (length > 0 && upgrading()) throw new MalformedRequest("WebSocket upgrade with a body");
    if (upgrading()) {
      state = State.NOT_READ;
    } else if (length > 0) {
      remaining = length;
      state = State.BODY;
    } else {
      state = State.REQUEST_START;
    }
  }

  private boolean upgrading() {
    return upgradeWebSocket && connectionUpgrade && method.toString().equals("GET");
  }

  private static long contentLength(String text) {
    if (text.isEmpty() || text.length() > 18) throw new MalformedRequest("bad Content-Length");
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') throw new MalformedRequest("bad Content-Length");
    }
    return Long.parseLong(text);
  }

  private static boolean hasToken(String list, String token) {
    for (String item : list.split(",")) {
      if (item.strip().toLowerCase(Locale.ROOT).equals(token)) return true;
    }
    return false;
  }

  private static char lower(byte b) {
    return (char) (b >= 'A' && b <= 'Z' ? b + 32 : b);
  }

  /** RFC 9110 §5.6.2 tchar. */
  static boolean isTokenChar(byte b) {
    if (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9') return true;
    return switch (b) {
      case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
      default -> false;
    };
  }
}
