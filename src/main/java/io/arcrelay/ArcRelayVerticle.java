package io.arcrelay;

import io.arcrelay.config.ConfigLoader;
import io.arcrelay.config.RelayConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A relay node as one verticle, for {@code mvn vertx:run} (which redeploys it when sources change)
 * and for embedding in another Vert.x application. Its config comes from {@code conf/relay.json}
 * (when present) and {@code ARC_RELAY_*} variables; {@code arc-relay start} remains the way to run
 * a node in production (flags, clustering, Vert.x metrics, signals).
 */
public final class ArcRelayVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ArcRelayVerticle.class);

  @Override
  public Future<?> start() {
    Path file = Path.of("conf", "relay.json");
    RelayConfig config = ConfigLoader.load(Map.of(), System.getenv(), Files.exists(file) ? file : null);
    return Relay.start(vertx, config).onSuccess(relay -> log.info(Relay.listening(config, relay, vertx.isClustered())));
  }
  // No stop(): undeploying this verticle undeploys the relay's verticles, which close their sockets
  // with 1001 "relay stopping" as on SIGTERM.
}
