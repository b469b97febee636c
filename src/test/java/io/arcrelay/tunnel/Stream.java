package io.arcrelay.tunnel;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A reproducible stream of pseudo-random bytes, made block by block (never held whole), and the
 * SHA-256 it must arrive with: large bodies are checked byte-exact without keeping them.
 */
final class Stream {

  static final int BLOCK = 64 * 1024;

  private Stream() {}

  /** Block {@code index} of the stream {@code seed} ({@code length} bytes, at most {@link #BLOCK}). */
  static Buffer block(long seed, long index, int length) {
    byte[] bytes = new byte[length];
    long x = seed * 0x9E3779B97F4A7C15L + index + 1;
    for (int i = 0; i < length; i += 8) {
      x ^= x << 13; // xorshift64: fast, and every block differs
      x ^= x >>> 7;
      x ^= x << 17;
      for (int j = 0; j < 8 && i + j < length; j++) bytes[i + j] = (byte) (x >>> (8 * j));
    }
    return Buffer.buffer(bytes);
  }

  /** The SHA-256 (hex) of the first {@code size} bytes of stream {@code seed}. */
  static String sha256(long seed, long size) {
    MessageDigest digest = newDigest();
    for (long i = 0; i * BLOCK < size; i++) {
      digest.update(block(seed, i, (int) Math.min(BLOCK, size - i * BLOCK)).getBytes());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * Writes the first {@code size} bytes of stream {@code seed} to {@code out} as fast as its
   * back-pressure allows, then calls {@code end}: never more than its write queue in memory.
   */
  static void write(WriteStream<Buffer> out, long seed, long size, Runnable end) {
    new Object() {
      long index;

      void pump() {
        while (index * BLOCK < size) {
          out.write(block(seed, index, (int) Math.min(BLOCK, size - index * BLOCK)));
          index++;
          if (out.writeQueueFull()) {
            out.drainHandler(v -> pump());
            return;
          }
        }
        end.run();
      }
    }.pump();
  }

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
