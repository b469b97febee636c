package io.arcrelay.tunnel;

import io.arcrelay.config.LimitsConfig;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.config.TunnelConfig;
import io.arcrelay.edge.ConnectionCounts;
import io.arcrelay.edge.TrustedProxies;
import io.arcrelay.pair.PairCode;
import io.arcrelay.pair.PairRegistry;
import io.arcrelay.pair.Registries;
import io.arcrelay.splice.MemoryBudget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * What every event loop's tunnel endpoints share on one node: the agents' tokens, the names and
 * their sessions (cluster-wide), and the registry where a visitor connection meets the data
 * connection its agent opens for it, whichever nodes each lands on. Exists only while
 * {@code tunnelTokens} is set.
 */
public final class Tunnels {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** The clustered map where visitors' connections and agents' data connections meet. */
  private static final String LINK_MAP = "arc-relay.tunnel-links";

  private final TunnelConfig settings;
  private final LimitsConfig limits;
  private final boolean tls;
  private final TunnelTokens tokens;
  private final TunnelNames names;
  private final PairRegistry links;
  private final TunnelMetrics metrics;
  private final TrustedProxies proxies;
  private final MemoryBudget memory;
  private final ConnectionCounts linksPerTunnel;

  private Tunnels(RelayConfig config, TunnelNames names, PairRegistry links, TunnelMetrics metrics, MemoryBudget memory) {
    this.settings = config.tunnel();
    this.limits = config.limits();
    this.tls = config.listen().tls();
    this.memory = memory;
    this.metrics = metrics;
    this.tokens = new TunnelTokens(config.tunnel().tokens());
    this.names = names;
    this.links = links;
    this.proxies = TrustedProxies.parse(config.edge().trustedProxies());
    this.linksPerTunnel = new ConnectionCounts(config.tunnel().linksPerTunnel());
  }

  /**
   * The tunnels of a node: across the cluster when {@code vertx} is clustered (names in a
   * Hazelcast map, links paired through the cluster like pairs), otherwise on this node alone.
   */
  public static Future<Tunnels> start(Vertx vertx, RelayConfig config, MemoryBudget memory, TunnelMetrics metrics,
      Registries registries, TunnelNames.Membership membership) {
    // A link's side A is its visitor; it waits for the agent's data connection at most this long.
    return registries.create(LINK_MAP, config.tunnel().connectTimeout(), metrics)
        .compose(registry -> TunnelNames.create(vertx, membership, config.tunnel().namesPerToken())
            .map(names -> new Tunnels(config, names, registry, metrics, memory)));
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

  /** Takes this node's agent sessions out of their names and leaves the cluster's maps. */
  public Future<Void> close() {
    return names.close().eventually(links::close);
  }

  TunnelConfig settings() {
    return settings;
  }

  /** The splice's limits, which a link's visitor side keeps to as a pair's side does. */
  LimitsConfig limits() {
    return limits;
  }

  /** Whether visitors reach this node over TLS (public URLs say https). */
  boolean tls() {
    return tls;
  }

  TunnelTokens tokens() {
    return tokens;
  }

  TunnelNames names() {
    return names;
  }

  PairRegistry links() {
    return links;
  }

  TunnelMetrics metrics() {
    return metrics;
  }

  MemoryBudget memory() {
    return memory;
  }

  /** Visitor connections each tunnel serves on this node, one data link each: at most {@code tunnelLinksPerTunnel}. */
  ConnectionCounts linksPerTunnel() {
    return linksPerTunnel;
  }

  TrustedProxies proxies() {
    return proxies;
  }
}
