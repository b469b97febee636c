package io.arcrelay.bench;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A seeded fuzz of the relay's public edge ({@link FuzzCases}) for {@code --seconds}, while an
 * {@link HonestPair} round-trips a message every 50 ms. Prints
 * {@code fuzz connections=N closedByRelay=N closedAfterUpgrade=N missedCloseFrame=N honestRoundTrips=N
 * honestFailures=N} (closedAfterUpgrade: connections the relay closed after a valid upgrade request
 * it did not refuse; missedCloseFrame: those of them whose client read no close frame); exits 1 if
 * an honest round trip failed or the relay stopped accepting connections. The same seed replays the
 * same cases (scripts/fuzz checks the relay afterwards).
 */
@Command(name = "fuzz",
    description = "Seeded fuzz of the relay's edge beside an honest pair; exit 1 if the pair missed a round trip.")
final class Fuzz implements Callable<Integer> {

  /** How long one fuzz connection lives at most: long enough to be answered, short enough to be many. */
  private static final Duration CONNECTION_LIFETIME = Duration.ofSeconds(1);

  /** An honest echo this late on a local relay means the relay was disturbed. */
  private static final Duration PATIENCE = Duration.ofSeconds(5);

  @Option(names = "--relay", required = true, description = "ws://HOST:PORT")
  String relay;

  @Option(names = "--seed", description = "seed of the cases (default: a random one, printed)")
  Long seed;

  @Option(names = "--connections", defaultValue = "32", description = "fuzz connections at a time")
  int connections;

  @Option(names = "--seconds", defaultValue = "60")
  int seconds;

  @Override
  public Integer call() {
    long runSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
    System.err.println("fuzz seed=" + runSeed);
    URI uri = URI.create(relay);
    // Apart: on the fuzz's event loop the honest pair would wait behind the fuzz's own work.
    Clients fuzzClients = new Clients();
    Clients honestClients = new Clients();
    String run = Long.toHexString(System.nanoTime());
    HonestPair honest = HonestPair.start(honestClients.vertx, honestClients.client,
        Clients.pairUrl(relay, "fuzz-honest-" + run), Duration.ofMillis(50), PATIENCE).await();
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    FuzzRunner runner = new FuzzRunner(fuzzClients.vertx, uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort(),
        CONNECTION_LIFETIME);
    FuzzRunner.Result result =
        runner.run(runSeed, connections, "fuzz-" + run + "-", n -> System.nanoTime() < deadline).await();
    honest.stop().await();
    System.out.printf("fuzz connections=%d closedByRelay=%d closedAfterUpgrade=%d missedCloseFrame=%d"
            + " honestRoundTrips=%d honestFailures=%d%n", result.connections(), result.closedByRelay(),
        result.closedAfterUpgrade(), result.missedCloseFrame(), honest.roundTrips(), honest.failures());
    if (result.unreachable() > 0) {
      System.err.println("fuzz: " + result.unreachable() + " connections could not connect");
    }
    fuzzClients.close();
    honestClients.close();
    return honest.failures() == 0 && result.unreachable() == 0 ? 0 : 1;
  }
}
