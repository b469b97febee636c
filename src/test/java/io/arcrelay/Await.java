package io.arcrelay;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Bounded polling for a condition that no event announces (a gauge, a count). */
public final class Await {

  private Await() {}

  public static void until(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TestClient.WAIT_SECONDS * 1_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) fail("timed out waiting until " + what);
      LockSupport.parkNanos(5_000_000); // polling step, not a guess at how long the event takes
    }
  }
}
