package io.arcrelay.tunnel;

import io.arcrelay.config.RelayConfig;
import io.arcrelay.edge.TrustedProxies;
import io.arcrelay.pair.LocalPairRegistry;
import io.arcrelay.pair.MemoryBudget;
import io.arcrelay.pair.PairCode;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * What every event loop's tunnel endpoints share on one node: the agents' tokens, the names and
 * their sessions, and the registry where a visitor connection meets the data connection its agent
 * opens for it. Exists only while {@code tunnelTokens} is set.
 */
public final class Tunnels {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final RelayConfig config;
  private final TunnelTokens tokens;
  private final TunnelNames names = new TunnelNames();
  private final LocalPairRegistry links;
  private final TunnelMetrics metrics;
  private final TrustedProxies proxies;
  private final MemoryBudget memory;

  /** {@code metrics}: the tunnels' meters, also what the links' registry reports to (never the pair metrics). */
  public Tunnels(Vertx vertx, RelayConfig config, MemoryBudget memory, TunnelMetrics metrics) {
    this.config = config;
    this.memory = memory;
    this.metrics = metrics;
    this.tokens = new TunnelTokens(config.tunnelTokens());
    // A link's side A is its visitor; it waits for the agent's data connection at most this long.
    this.links = new LocalPairRegistry(vertx, config.tunnelConnectTimeout(), metrics);
    this.proxies = TrustedProxies.parse(config.trustedProxies());
  }

  /**
   * 128 random bits, base64url: a session or data-link id. Unguessable, so a link id is a
   * one-time secret between the relay and one agent session.
   */
  static String newId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * The code a data link pairs under. It folds in the session and its token's digest, so a data
   * connection must present the id, the session and the token: any other session, even with a valid
   * token, computes another code and finds nothing.
   */
  static PairCode linkCode(String linkId, String session, String owner) {
    return PairCode.of("tl:" + linkId + ":" + session + ":" + owner);
  }

  /** From now on, links that end take their other side down with "relay stopping". */
  public void stopping() {
    links.stopping();
  }

  RelayConfig config() {
    return config;
  }

  TunnelTokens tokens() {
    return tokens;
  }

  TunnelNames names() {
    return names;
  }

  LocalPairRegistry links() {
    return links;
  }

  TunnelMetrics metrics() {
    return metrics;
  }

  MemoryBudget memory() {
    return memory;
  }

  TrustedProxies proxies() {
    return proxies;
  }
}
