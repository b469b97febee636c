package io.arcrelay;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded polling for a condition that no event announces (a gauge, a count). */
public final class Await {

  private Await() {}

  /** Calls {@code action} until it stops throwing (e.g. connecting to a proxy that is starting). */
  public static <T> T eventually(Supplier<T> action) {
    long deadline = System.nanoTime() + TestClient.WAIT_SECONDS * 1_000_000_000L;
    while (true) {
      try {
        return action.get();
      } catch (Exception e) { // Future.await() rethrows checked causes such as ConnectException as they are
        if (System.nanoTime() > deadline) throw new AssertionError("still failing after " + TestClient.WAIT_SECONDS + " s", e);
        LockSupport.parkNanos(50_000_000);
      }
    }
  }

  public static void until(String what, BooleanSupplier condition) {
    until(what, TestClient.WAIT_SECONDS, condition);
  }

  /** For events whose own bound is longer than the suite's usual wait. */
  public static void until(String what, long seconds, BooleanSupplier condition) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) fail("timed out waiting until " + what);
      LockSupport.parkNanos(5_000_000); // polling step, not a guess at how long the event takes
    }
  }
}
