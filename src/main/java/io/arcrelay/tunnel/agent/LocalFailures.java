package io.arcrelay.tunnel.agent;

import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports that the local service failed an exchange: at INFO when the reason is new or a minute has
 * passed, else at DEBUG. A visitor decides how often the service is asked, so it must not decide how
 * many lines the agent's log gets. Thread-safe: every data link of an agent shares one.
 */
final class LocalFailures {

  private static final Logger log = LoggerFactory.getLogger(LocalFailures.class);
  private static final long REPEAT_NANOS = TimeUnit.MINUTES.toNanos(1);

  private String lastReason;
  private long lastLogged;

  synchronized void report(URI service, String reason) {
    long now = System.nanoTime();
    if (reason.equals(lastReason) && now - lastLogged < REPEAT_NANOS) {
      log.debug("local service {} failed: {}", service, reason);
      return;
    }
    lastReason = reason;
    lastLogged = now;
    log.info("local service {} failed: {} (visitors get 502; repeats within a minute are logged at DEBUG)", service, reason);
  }
}
