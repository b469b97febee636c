package io.arcrelay.bench;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * What a fuzz client sends after its upgrade: a stream of WebSocket frames, valid ones mixed with
 * every way RFC 6455 can be broken (masks, reserved bits and opcodes, control frames, fragmentation,
 * lengths up to 2^64 - 1, UTF-8), possibly cut off in the middle of a frame.
 */
final class FuzzFrames {

  private static final int FIN = 0x80;
  private static final int CONTINUATION = 0x0;
  private static final int TEXT = 0x1;
  private static final int BINARY = 0x2;
  private static final int CLOSE = 0x8;
  private static final int PING = 0x9;
  private static final int PONG = 0xA;

  /** Declared 64-bit lengths worth trying: the edges of int, long and the relay's 16 MiB default limits. */
  private static final long[] HUGE_LENGTHS = {
      (16L << 20) - 1, 16L << 20, (16L << 20) + 1, Integer.MAX_VALUE, 1L << 31, (1L << 32) + 1, 1L << 40,
      1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, -1L};

  private FuzzFrames() {}

  /** One to a dozen frames; one stream in four is cut at a random byte. */
  static Buffer stream(Random random) {
    Buffer stream = Buffer.buffer();
    int frames = 1 + random.nextInt(12);
    for (int i = 0; i < frames; i++) stream.appendBuffer(next(random));
    if (random.nextInt(4) == 0 && stream.length() > 1) return stream.getBuffer(0, random.nextInt(stream.length()));
    return stream;
  }

  private static Buffer next(Random random) {
    return switch (random.nextInt(21)) {
      case 0, 1, 2 -> masked(random, FIN | BINARY, payload(random));
      case 3 -> masked(random, FIN | TEXT, validText(random));
      case 4 -> masked(random, FIN | TEXT, invalidUtf8(random));
      case 5 -> fragmented(random, BINARY, payload(random));
      case 6 -> fragmented(random, TEXT, random.nextBoolean() ? validText(random) : invalidUtf8(random));
      case 7 -> masked(random, FIN | (random.nextBoolean() ? PING : PONG), bytes(random, random.nextInt(126)));
      case 8 -> masked(random, FIN | PING, bytes(random, 126 + random.nextInt(300))); // oversize control
      case 9 -> masked(random, PING, bytes(random, random.nextInt(20))); // fragmented control
      case 10 -> masked(random, FIN | CLOSE, closePayload(random));
      case 11 -> masked(random, FIN | (0x10 << random.nextInt(3)) | BINARY, payload(random)); // RSV1-3
      case 12 -> masked(random, FIN | reservedOpcode(random), payload(random));
      case 13 -> frame(random, FIN | BINARY, payload(random), false); // unmasked
      case 14 -> masked(random, (random.nextBoolean() ? FIN : 0) | CONTINUATION, payload(random));
      case 15 -> interleaved(random);
      case 16 -> hugeLength(random);
      case 17 -> nonMinimalLength(random);
      case 18 -> masked(random, FIN | BINARY, bytes(random, 65_536 + random.nextInt(1 << 20))); // to the hold limit
      case 19 -> hixie76Text(random);
      default -> Buffer.buffer(bytes(random, 1 + random.nextInt(64))); // garbage
    };
  }

  /** Mostly small payloads, sometimes one past the 7- and 16-bit length encodings. */
  private static byte[] payload(Random random) {
    return switch (random.nextInt(8)) {
      case 0 -> bytes(random, 126 + random.nextInt(65_536 - 126));
      case 1 -> bytes(random, 65_536 + random.nextInt(4096));
      default -> bytes(random, random.nextInt(126));
    };
  }

  private static byte[] bytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] validText(Random random) {
    String[] pieces = {"hello", "κόσμε", "日本語", "\uD83D\uDE00", "", "a b c", "\u0000"};
    StringBuilder text = new StringBuilder();
    for (int i = random.nextInt(6); i > 0; i--) text.append(pieces[random.nextInt(pieces.length)]);
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Bytes no UTF-8 decoder may accept: stray continuations, overlongs, surrogates, past U+10FFFF, truncated. */
  private static byte[] invalidUtf8(Random random) {
    byte[][] bad = {{(byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xCE},
        {(byte) 0xE2, (byte) 0x82}};
    byte[] prefix = validText(random);
    byte[] wrong = bad[random.nextInt(bad.length)];
    byte[] text = new byte[prefix.length + wrong.length];
    System.arraycopy(prefix, 0, text, 0, prefix.length);
    System.arraycopy(wrong, 0, text, prefix.length, wrong.length);
    return text;
  }

  private static byte[] closePayload(Random random) {
    int[] codes = {1000, 1001, 1002, 1003, 1007, 1008, 1011, 3000, 4999, 0, 999, 1004, 1005, 1006, 1015, 1016, 2999,
        5000, 65535};
    return switch (random.nextInt(5)) {
      case 0 -> new byte[0];
      case 1 -> new byte[] {3}; // one byte: not a code
      case 2 -> Buffer.buffer().appendShort((short) codes[random.nextInt(codes.length)])
          .appendBytes(invalidUtf8(random)).getBytes();
      default -> Buffer.buffer().appendShort((short) codes[random.nextInt(codes.length)])
          .appendString("bye").getBytes();
    };
  }

  private static int reservedOpcode(Random random) {
    int[] reserved = {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF};
    return reserved[random.nextInt(reserved.length)];
  }

  /**
   * A message in two to four fragments; a control frame between fragments is valid, a data frame
   * is not, and one message in three is left unfinished.
   */
  private static Buffer fragmented(Random random, int opcode, byte[] payload) {
    int pieces = 2 + random.nextInt(3);
    Buffer frames = Buffer.buffer();
    int from = 0;
    for (int i = 0; i < pieces; i++) {
      boolean last = i == pieces - 1;
      int to = last ? payload.length : from + random.nextInt(payload.length - from + 1);
      byte[] piece = Arrays.copyOfRange(payload, from, to);
      from = to;
      if (last && random.nextInt(3) == 0) break;
      frames.appendBuffer(masked(random, (last ? FIN : 0) | (i == 0 ? opcode : CONTINUATION), piece));
      if (!last && random.nextInt(3) == 0) frames.appendBuffer(masked(random, FIN | PING, bytes(random, 4)));
    }
    return frames;
  }

  /** A data frame that starts a new message inside an unfinished one. */
  private static Buffer interleaved(Random random) {
    return masked(random, random.nextBoolean() ? TEXT : BINARY, validText(random))
        .appendBuffer(masked(random, FIN | BINARY, payload(random)))
        .appendBuffer(masked(random, FIN | CONTINUATION, payload(random)));
  }

  /** A text frame of the pre-RFC 6455 draft Vert.x still accepts (hixie-76): 0x00, UTF-8, 0xFF. */
  private static Buffer hixie76Text(Random random) {
    return Buffer.buffer().appendByte((byte) 0).appendBytes(validText(random)).appendByte((byte) 0xFF);
  }

  /** A 64-bit length from the edges (some with the top bit set) followed by a few payload bytes. */
  private static Buffer hugeLength(Random random) {
    long length = random.nextInt(3) == 0 ? random.nextLong() : HUGE_LENGTHS[random.nextInt(HUGE_LENGTHS.length)];
    return Buffer.buffer().appendByte((byte) (FIN | BINARY)).appendByte((byte) (0x80 | 127)).appendLong(length)
        .appendInt(random.nextInt()).appendBytes(bytes(random, random.nextInt(4096)));
  }

  /** A short payload whose length is written in the 16- or 64-bit form (RFC 6455 asks for the shortest). */
  private static Buffer nonMinimalLength(Random random) {
    byte[] payload = bytes(random, random.nextInt(126));
    Buffer frame = Buffer.buffer().appendByte((byte) (FIN | BINARY));
    if (random.nextBoolean()) {
      frame.appendByte((byte) (0x80 | 126)).appendShort((short) payload.length);
    } else {
      frame.appendByte((byte) (0x80 | 127)).appendLong(payload.length);
    }
    byte[] key = bytes(random, 4);
    return frame.appendBytes(key).appendBytes(mask(payload, key));
  }

  private static Buffer masked(Random random, int firstByte, byte[] payload) {
    return frame(random, firstByte, payload, true);
  }

  /** A frame as a client writes it: masked with a random key, or (a violation) not at all. */
  private static Buffer frame(Random random, int firstByte, byte[] payload, boolean masked) {
    Buffer frame = Buffer.buffer(payload.length + 14).appendByte((byte) firstByte);
    int maskBit = masked ? 0x80 : 0;
    if (payload.length < 126) {
      frame.appendByte((byte) (maskBit | payload.length));
    } else if (payload.length < 65_536) {
      frame.appendByte((byte) (maskBit | 126)).appendShort((short) payload.length);
    } else {
      frame.appendByte((byte) (maskBit | 127)).appendLong(payload.length);
    }
    if (!masked) return frame.appendBytes(payload);
    byte[] key = bytes(random, 4);
    return frame.appendBytes(key).appendBytes(mask(payload, key));
  }

  private static byte[] mask(byte[] payload, byte[] key) {
    byte[] masked = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) masked[i] = (byte) (payload[i] ^ key[i & 3]);
    return masked;
  }
}
