package io.arcrelay.cluster;

import io.arcrelay.seams.VertxBuffers;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;

/**
 * One message from a node's router to a side on another node ({@link NodeRouter}'s table), in a
 * codec of its own. Vert.x would otherwise write the target, the kind and every number as UTF-8
 * header strings and parse them again, and copy a frame's payload out of the received record twice
 * ({@code BufferMessageCodec}); here they are a few fixed-size fields, and the payload is a slice of
 * the record, which the event bus already cut into a buffer of its own.
 *
 * @param kind    what the message is
 * @param conn    the target side's connection number (the n of {@code <routerId>/<n>}; the address names the router)
 * @param number  the link sequence number ({@code frame}, {@code close}) or the credit total ({@code credit})
 * @param small   a frame's flags ({@link #FINAL}, {@link #CONTINUATION}), or a close code
 * @param first   {@code join}: side B's node
 * @param second  {@code join}: side B's connection id; {@code close}: the reason
 * @param payload {@code frame}: the frame's payload
 */
record NodeMessage(Kind kind, long conn, long number, int small, String first, String second, Buffer payload) {

  /** The kinds of message, by their byte on the wire. */
  enum Kind { JOIN, FRAME, CREDIT, CLOSE }

  static final int FINAL = 1;
  static final int CONTINUATION = 2;

  static NodeMessage join(long conn, String fromNode, String fromConn) {
    return new NodeMessage(Kind.JOIN, conn, 1, 0, fromNode, fromConn, null);
  }

  static NodeMessage frame(long conn, long seq, int flags, Buffer payload) {
    return new NodeMessage(Kind.FRAME, conn, seq, flags, null, null, payload);
  }

  static NodeMessage credit(long conn, long total) {
    return new NodeMessage(Kind.CREDIT, conn, total, 0, null, null, null);
  }

  static NodeMessage close(long conn, long seq, int code, String reason) {
    return new NodeMessage(Kind.CLOSE, conn, seq, code, null, reason, null);
  }

  /** The codec, registered on every node's event bus under a short name (it travels with each message). */
  static final class Codec implements MessageCodec<NodeMessage, NodeMessage> {

    static final String NAME = "arc";
    private static final Kind[] KINDS = Kind.values();
    private static final int FIXED = 1 + 8 + 8 + 4;

    @Override
    public void encodeToWire(Buffer buffer, NodeMessage m) {
      buffer.appendByte((byte) m.kind.ordinal()).appendLong(m.conn).appendLong(m.number).appendInt(m.small);
      switch (m.kind) {
        case JOIN -> {
          appendString(buffer, m.first);
          appendString(buffer, m.second);
        }
        case CLOSE -> appendString(buffer, m.second);
        case FRAME -> {
          reserve(buffer, m.payload.length());
          buffer.appendBuffer(m.payload); // the rest of the record
        }
        case CREDIT -> { }
      }
    }

    @Override
    public NodeMessage decodeFromWire(int pos, Buffer buffer) {
      Kind kind = KINDS[buffer.getByte(pos)];
      long conn = buffer.getLong(pos + 1);
      long number = buffer.getLong(pos + 9);
      int small = buffer.getInt(pos + 17);
      int at = pos + FIXED;
      return switch (kind) {
        case JOIN -> {
          String node = readString(buffer, at);
          yield new NodeMessage(kind, conn, number, small, node, readString(buffer, at + 4 + buffer.getInt(at)), null);
        }
        case CLOSE -> new NodeMessage(kind, conn, number, small, null, readString(buffer, at), null);
        case FRAME -> new NodeMessage(kind, conn, number, small, null, null, buffer.slice(at, buffer.length()));
        case CREDIT -> new NodeMessage(kind, conn, number, small, null, null, null);
      };
    }

    @Override
    public NodeMessage transform(NodeMessage m) {
      return m; // immutable, and a payload is never written to after it is sent
    }

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }

    /**
     * Grows the record's buffer to exactly what the payload needs. Vert.x starts every record at 1 KiB
     * and an append grows it to the next power of two: a 64 KiB payload would take a 128 KiB array,
     * zeroed by the JVM, for one use. {@link VertxBuffers#of} reaches the buffer's own
     * {@code ByteBuf}; a buffer it cannot reach simply grows as before.
     */
    private static void reserve(Buffer buffer, int bytes) {
      ByteBuf record = VertxBuffers.of(buffer);
      if (record == null) return;
      int needed = record.writerIndex() + bytes;
      if (needed > record.capacity() && needed <= record.maxCapacity()) record.capacity(needed);
    }

    private static void appendString(Buffer buffer, String s) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      buffer.appendInt(bytes.length).appendBytes(bytes);
    }

    private static String readString(Buffer buffer, int at) {
      int length = buffer.getInt(at);
      return buffer.getString(at + 4, at + 4 + length, "UTF-8");
    }
  }
}
