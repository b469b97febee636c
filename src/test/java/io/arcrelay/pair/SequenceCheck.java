package io.arcrelay.pair;

import io.vertx.core.buffer.Buffer;
import java.util.concurrent.atomic.AtomicLong;

/** Receives messages whose first 8 bytes number them, counting bytes and any out of order. */
final class SequenceCheck {

  private final int messageSize;
  private final AtomicLong bytes = new AtomicLong();
  private long expected;
  private long outOfOrder;

  SequenceCheck(int messageSize) {
    this.messageSize = messageSize;
  }

  void accept(Buffer message) {
    if (message.length() != messageSize || message.getLong(0) != expected) outOfOrder++;
    expected++;
    bytes.addAndGet(message.length());
  }

  long bytes() {
    return bytes.get();
  }

  long outOfOrder() {
    return outOfOrder;
  }
}
