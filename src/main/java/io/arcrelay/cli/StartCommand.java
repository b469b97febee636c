package io.arcrelay.cli;

import io.arcrelay.Relay;
import io.arcrelay.config.ConfigException;
import io.arcrelay.config.ConfigLoader;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.config.Setting;
import io.arcrelay.edge.TlsFiles;
import io.arcrelay.ops.RelayMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code arc-relay start}: runs a relay node until SIGINT or SIGTERM, then stops gracefully and exits 0. */
@Command(name = "start", description = "Run a relay node. Flags override ARC_RELAY_* variables, "
    + "which override the config file, which overrides the defaults.")
final class StartCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(StartCommand.class);
  private static final Path DEFAULT_CONFIG = Path.of("conf", "relay.json");

  @Option(names = "--config", paramLabel = "<file>",
      description = "JSON config file (default: conf/relay.json when it exists)")
  private Path configFile;

  private final Map<Setting, String> flags = new EnumMap<>(Setting.class);

  void flag(Setting setting, String value) {
    flags.put(setting, value);
  }

  @Override
  public Integer call() throws InterruptedException {
    RelayConfig config;
    try {
      Path file = configFile != null ? configFile : Files.exists(DEFAULT_CONFIG) ? DEFAULT_CONFIG : null;
      config = ConfigLoader.load(flags, System.getenv(), file);
      if (config.listen().tls()) new TlsFiles(Path.of(config.listen().tlsCert()), Path.of(config.listen().tlsKey())).check();
    } catch (ConfigException e) {
      System.err.println("arc-relay: " + e.getMessage());
      return 2;
    }
    RelayMetrics metrics = new RelayMetrics();
    Vertx vertx;
    try {
      vertx = Relay.vertx(config, metrics).await();
    } catch (ConfigException e) {
      System.err.println("arc-relay: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      System.err.println("arc-relay: cannot join the cluster: " + e.getMessage());
      return 1;
    }
    Relay relay;
    try {
      relay = Relay.start(vertx, config, metrics).await();
    } catch (Exception e) {
      System.err.println("arc-relay: cannot start on " + config.listen().host() + ":" + config.listen().port() + ": " + e.getMessage());
      vertx.close();
      return 1;
    }
    // Handlers first: a SIGTERM sent as soon as the line below is read must drain, not kill.
    CompletableFuture<Duration> signalled = onSignal(config.lifecycle().drainDelay());
    log.info(Relay.listening(config, relay, config.cluster().enabled()));
    Duration drainDelay = awaitSignal(signalled);
    awaitBounded(relay.drain(drainDelay), drainDelay.plus(config.lifecycle().shutdownGrace()).plusSeconds(2),
        "sockets did not all close in time");
    awaitBounded(vertx.close(), Duration.ofSeconds(10), "did not leave the cluster in time");
    log.info("stopped");
    return 0;
  }

  /**
   * Listens for SIGTERM (an orchestrator stopping the node: drain for {@code drainDelay}) or SIGINT
   * (someone at a terminal: stop now); the future completes with the drain delay to use.
   */
  private static CompletableFuture<Duration> onSignal(Duration drainDelay) {
    CompletableFuture<Duration> signalled = new CompletableFuture<>();
    Signal.handle(new Signal("TERM"), sig -> signalled.complete(drainDelay));
    Signal.handle(new Signal("INT"), sig -> signalled.complete(Duration.ZERO));
    return signalled;
  }

  /** Waits for the signal {@link #onSignal} listens for; returns the drain delay to use. */
  private static Duration awaitSignal(CompletableFuture<Duration> signalled) throws InterruptedException {
    try {
      Duration delay = signalled.get();
      log.info("stopping: not ready now, every socket closes with 1001 \"relay stopping\" {}",
          delay.isZero() ? "now" : "in " + ConfigLoader.formatDuration(delay));
      return delay;
    } catch (ExecutionException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  /** Waits off the event loop for {@code step}, at most {@code bound}; a stop must never hang. */
  private static void awaitBounded(Future<Void> step, Duration bound, String warning) throws InterruptedException {
    try {
      step.toCompletionStage().toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.warn("{}: {}", warning, e.toString());
    }
  }
}
