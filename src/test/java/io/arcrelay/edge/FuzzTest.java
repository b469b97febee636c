package io.arcrelay.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arcrelay.Await;
import io.arcrelay.Http;
import io.arcrelay.LoggedErrors;
import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.bench.FuzzCases;
import io.arcrelay.bench.FuzzRunner;
import io.arcrelay.bench.HonestPair;
import io.arcrelay.ops.RelayMetrics;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The public edge under the seeded fuzz of {@code arc-relay bench fuzz} ({@link FuzzCases}): whatever
 * the fuzz connections send, the node stays alive, lets go of every connection, budget byte and file
 * descriptor they held, every WebSocket it closes reads its close frame before its connection ends,
 * and an honest pair beside them never misses a round trip. The seeds are
 * fixed and every message names its seed: {@code arc-relay bench fuzz --seed N --connections 24}
 * sends the same cases, in the same order, to a running relay.
 */
class FuzzTest {

  private static final int CONNECTIONS = 150;
  /** As the command's {@code --connections}: the cases depend on it (codes are drawn from half as many). */
  private static final int PARALLEL = 24;
  /** Long enough for most connections to be answered; the outcome does not depend on it. */
  private static final Duration CONNECTION_LIFETIME = Duration.ofMillis(300);
  /** File descriptors the JVM may open meanwhile for reasons of its own. */
  private static final int FILES_SLACK = 8;

  private Vertx clientVertx;
  private Vertx relayVertx;
  private Relay relay;
  private Http http;

  @BeforeEach
  void start() {
    clientVertx = Vertx.vertx();
    relayVertx = Vertx.vertx();
    relay = Relay.start(relayVertx, TestRelays.config(), new RelayMetrics()).await();
    http = new Http(clientVertx, relay.port());
  }

  @AfterEach
  void stop() {
    relay.stop().await();
    relayVertx.close().await();
    clientVertx.close().await();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {6455, 20_110_217, 0x5EED_F00DL})
  void theNodeWithstandsTheFuzzAndLetsGoOfEverythingItHeld(long seed) {
    String replay = "seed " + seed + ": ";
    // The honest echo may be as late as any test wait: only a lost or wrong one fails, never a slow one.
    Duration patience = Duration.ofSeconds(TestClient.WAIT_SECONDS);
    HonestPair honest = HonestPair.start(clientVertx, TestClient.newClient(clientVertx),
        TestClient.uri(relay.port(), "honest"), Duration.ofMillis(50), patience).await();
    Await.until(replay + "the honest pair round-trips", () -> honest.roundTrips() > 0);
    Map<String, Double> before = http.get("/metrics").samples();

    LoggedErrors errors = LoggedErrors.capture();
    FuzzRunner.Result fuzz;
    try {
      fuzz = new FuzzRunner(clientVertx, "127.0.0.1", relay.port(), CONNECTION_LIFETIME)
          .run(seed, PARALLEL, "fuzz-", n -> n < CONNECTIONS).await();
    } finally {
      errors.close();
    }
    assertEquals(List.of(), errors.messages(), replay + "nothing a client sends makes the relay log an error");
    assertEquals(new FuzzRunner.Result(CONNECTIONS, fuzz.closedByRelay(), 0, fuzz.closedAfterUpgrade(), 0), fuzz,
        replay + "every connection was taken, and every upgraded one the relay closed read its close frame");

    long afterFuzz = honest.roundTrips();
    Await.until(replay + "the honest pair still round-trips", () -> honest.roundTrips() > afterFuzz);
    Await.until(replay + "the memory budget is all free again", () -> relay.memory().used() == 0);
    String tcp = "arc_relay_tcp_connections";
    Await.until(replay + tcp + " back to " + before.get(tcp) + " (the honest pair and the scrape)",
        () -> metric(tcp) == before.get(tcp));
    for (String side : new String[] {"A", "B"}) {
      String sample = "arc_relay_connections{side=\"" + side + "\"}";
      Await.until(replay + sample + " back to the honest pair's 1", () -> metric(sample) == 1.0);
    }
    String files = "process_files_open_files";
    Await.until(replay + files + " back within " + FILES_SLACK + " of " + before.get(files),
        () -> metric(files) <= before.get(files) + FILES_SLACK);
    assertEquals(200, http.get("/health/live").status(), replay + "/health/live");

    honest.stop().await();
    assertEquals(0, honest.failures(), replay + "honest round trips failed (of " + honest.roundTrips() + ")");
    System.out.printf("fuzz seed=%d connections=%d closedByRelay=%d closedAfterUpgrade=%d missedCloseFrame=%d"
        + " honestRoundTrips=%d%n", seed, fuzz.connections(), fuzz.closedByRelay(), fuzz.closedAfterUpgrade(),
        fuzz.missedCloseFrame(), honest.roundTrips());
  }

  @Test
  void aSeedReplaysTheSameCases() {
    Random first = new Random(6455);
    Random again = new Random(6455);
    for (int i = 0; i < 50; i++) {
      assertEquals(FuzzCases.next(first, "code-", 8), FuzzCases.next(again, "code-", 8), "seed 6455, case " + i);
    }
  }

  private double metric(String sample) {
    return http.get("/metrics").samples().getOrDefault(sample, Double.NaN);
  }
}
