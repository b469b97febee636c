package io.arcrelay.tunnel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void boundsDoubleUpToTheCapAndResetAfterSuccess() {
    List<Long> bounds = new ArrayList<>();
    Backoff backoff = new Backoff(250, 15_000, bound -> {
      bounds.add(bound);
      return bound - 1; // the longest wait the bound allows
    });
    for (int i = 0; i < 9; i++) backoff.nextDelayMs();
    assertEquals(List.of(250L, 500L, 1000L, 2000L, 4000L, 8000L, 15_000L, 15_000L, 15_000L), bounds);
    backoff.reset();
    assertEquals(249, backoff.nextDelayMs());
  }

  @Test
  void manyFailuresNeverOverflow() {
    Backoff backoff = new Backoff(250, 15_000, bound -> bound);
    long last = 0;
    for (int i = 0; i < 100; i++) last = backoff.nextDelayMs();
    assertEquals(15_000, last);
  }
}
