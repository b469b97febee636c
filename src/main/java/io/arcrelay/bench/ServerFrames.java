package io.arcrelay.bench;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Follows what a relay sends a raw client: the answer to its upgrade, then, if that was 101, the
 * WebSocket frames after it, to tell whether a close frame arrived. Payloads are skipped, never kept;
 * only a frame header, a close frame's code, or an unfinished response head is held between reads.
 */
final class ServerFrames {

  /** A response head longer than this is not one the relay would send: the client stops following. */
  private static final int MAX_HEAD = 8 * 1024;

  private Buffer pending = Buffer.buffer(); // an unfinished response head or frame header
  private boolean headDone;
  private boolean upgraded;
  private long payloadLeft; // payload bytes of the current non-close frame still to skip
  private int closeCode = -1;

  /** Takes the next bytes the relay sent. */
  void accept(Buffer bytes) {
    if (headDone && !upgraded) return; // a refusal's body
    Buffer data = pending.length() == 0 ? bytes : pending.appendBuffer(bytes);
    int i = 0;
    if (!headDone) {
      int end = data.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
      if (end < 0) {
        headDone = data.length() > MAX_HEAD;
        pending = headDone ? Buffer.buffer() : data.copy();
        return;
      }
      headDone = true;
      upgraded = data.getString(0, end, "ISO-8859-1").startsWith("HTTP/1.1 101");
      if (!upgraded) {
        pending = Buffer.buffer();
        return;
      }
      i = end + 4;
    }
    pending = data.getBuffer(frames(data, i), data.length());
  }

  /** Walks frames from {@code i}; returns where the unfinished header (or close frame) starts. */
  private int frames(Buffer data, int i) {
    while (i < data.length()) {
      if (payloadLeft > 0) {
        int skip = (int) Math.min(payloadLeft, data.length() - i);
        i += skip;
        payloadLeft -= skip;
        continue;
      }
      int available = data.length() - i;
      if (available < 2) return i;
      int opcode = data.getByte(i) & 0x0f;
      int second = data.getByte(i + 1) & 0xff;
      int length7 = second & 0x7f;
      int header = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((second & 0x80) != 0 ? 4 : 0);
      if (available < header) return i;
      long length = length7 == 126 ? data.getUnsignedShort(i + 2) : length7 == 127 ? data.getLong(i + 2) : length7;
      if (opcode == 0x8) { // at most 125 bytes: wait for the code
        if (available < header + length) return i;
        if (closeCode < 0) closeCode = length >= 2 ? data.getUnsignedShort(i + header) : 1005;
        i += header + (int) length;
      } else {
        i += header;
        payloadLeft = length;
      }
    }
    return i;
  }

  /** Whether the relay answered with a status other than 101: a refusal. */
  boolean refused() {
    return headDone && !upgraded;
  }

  /** The code of the first close frame received, or -1 if none has arrived. */
  int closeCode() {
    return closeCode;
  }
}
