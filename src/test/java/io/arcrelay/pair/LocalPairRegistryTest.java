package io.arcrelay.pair;

import io.arcrelay.ops.RelayMetrics;
import io.arcrelay.splice.PairEnd;
import io.arcrelay.splice.Seat;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The registry on its own: seats claimed and left without any socket. */
class LocalPairRegistryTest {

  private final Vertx vertx = Vertx.vertx();
  private final LocalPairRegistry registry = new LocalPairRegistry(vertx, Duration.ofMinutes(5), new RelayMetrics());
  private final PairCode code = PairCode.of("reused");

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aThirdClaimIsRefused() {
    assertEquals(Seat.Side.A, registry.claim(code).await().side());
    assertEquals(Seat.Side.B, registry.claim(code).await().side());
    Throwable full = registry.claim(code).cause();
    assertInstanceOf(PairRegistry.PairFullException.class, full);
    assertEquals(1, registry.census().pairs());
  }

  @Test
  void aLateLeaveFromAnOldPairDoesNotTouchTheNewPairOfTheSameCode() {
    Seat oldA = registry.claim(code).await();
    Seat oldB = registry.claim(code).await();
    oldA.leave(PairEnd.CLOSED);
    assertEquals(0, registry.census().pairs(), "the code is free as soon as the pair ends");

    Seat newA = registry.claim(code).await();
    oldB.leave(PairEnd.CLOSED); // the old B's close event arrives late
    oldA.leave(PairEnd.ERROR);

    assertEquals(1, registry.census().pairs(), "the new pair survives");
    assertEquals(Seat.Side.A, newA.side());
    assertEquals(Seat.Side.B, registry.claim(code).await().side(), "and is still waiting for its B");
  }
}
