package io.arcrelay.cli;

import io.arcrelay.Relay;
import io.arcrelay.cluster.ClusterNode;
import io.arcrelay.config.ConfigException;
import io.arcrelay.config.ConfigLoader;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.config.Setting;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
    } catch (ConfigException e) {
      System.err.println("arc-relay: " + e.getMessage());
      return 2;
    }
    Vertx vertx;
    try {
      vertx = config.cluster() ? ClusterNode.start(config).await() : Vertx.vertx();
    } catch (ConfigException e) {
      System.err.println("arc-relay: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      System.err.println("arc-relay: cannot join the cluster: " + e.getMessage());
      return 1;
    }
    Relay relay;
    try {
      relay = Relay.start(vertx, config).await();
    } catch (Exception e) {
      System.err.println("arc-relay: cannot start on " + config.host() + ":" + config.port() + ": " + e.getMessage());
      vertx.close();
      return 1;
    }
    log.info("arc-relay listening on {}:{} ({} event loops, pair TTL {}{})",
        config.host(), relay.port(), config.eventLoops(), config.pairTtl(),
        config.cluster() ? ", clustered" : "");
    CountDownLatch signalled = new CountDownLatch(1);
    sun.misc.SignalHandler onSignal = sig -> {
      log.info("SIG{}: closing every socket with 1001 \"relay stopping\"", sig.getName());
      signalled.countDown();
    };
    Signal.handle(new Signal("TERM"), onSignal);
    Signal.handle(new Signal("INT"), onSignal);
    signalled.await();
    try {
      relay.stop().toCompletionStage().toCompletableFuture()
          .get(config.shutdownGrace().toMillis() + 2000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.warn("sockets did not all close in time: {}", e.toString());
    }
    vertx.close();
    log.info("stopped");
    return 0;
  }
}
