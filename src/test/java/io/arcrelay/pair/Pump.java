package io.arcrelay.pair;

import io.arcrelay.SequenceCheck;
import io.arcrelay.TestClient;
import java.util.concurrent.atomic.AtomicLong;

/** Sends numbered messages as fast as the socket's back-pressure allows. Run on the client's context. */
final class Pump {

  private final TestClient sender;
  private final int messageSize;
  private final long total;
  private final AtomicLong sent = new AtomicLong();
  private volatile boolean waitingForDrain;

  Pump(TestClient sender, int messageSize, long total) {
    this.sender = sender;
    this.messageSize = messageSize;
    this.total = total;
  }

  void run() {
    waitingForDrain = false;
    while (sent.get() < total && !sender.ws().writeQueueFull()) {
      sender.ws().writeBinaryMessage(SequenceCheck.numbered(sent.get() / messageSize, messageSize));
      sent.addAndGet(messageSize);
    }
    if (sent.get() < total) {
      waitingForDrain = true;
      sender.ws().drainHandler(v -> run());
    }
  }

  /** True while the socket's write queue is full and the pump waits for it to drain. */
  boolean blocked() {
    return waitingForDrain;
  }

  long sent() {
    return sent.get();
  }
}
