package io.arcrelay;

import io.vertx.core.buffer.Buffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Numbered messages, the one way the tests send them and check them: the first 8 bytes of each
 * message number it from 0. {@link #numbered} makes one; a {@code SequenceCheck}, set as the
 * receiver's message handler, counts what arrives and any message out of place (a wrong number or
 * size).
 */
public final class SequenceCheck {

  private final int messageSize;
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong outOfOrder = new AtomicLong();

  /** Checks messages of {@code messageSize} bytes (at least 8). */
  public SequenceCheck(int messageSize) {
    this.messageSize = messageSize;
  }

  /** Message number {@code n}, {@code size} bytes long (at least 8). */
  public static Buffer numbered(long n, int size) {
    return Buffer.buffer(new byte[size]).setLong(0, n);
  }

  /** Call on the receiver's context, for every message in the order it arrived. */
  public void accept(Buffer message) {
    long expected = messages.getAndIncrement();
    if (message.length() != messageSize || message.getLong(0) != expected) outOfOrder.incrementAndGet();
    bytes.addAndGet(message.length());
  }

  public long messages() {
    return messages.get();
  }

  public long bytes() {
    return bytes.get();
  }

  public long outOfOrder() {
    return outOfOrder.get();
  }
}
