package io.arcrelay.config;

import java.util.Objects;

/**
 * Everything a relay node needs to know, immutable and validated: one record per concern, each
 * checking its own settings. A part of the node takes only the record it needs.
 *
 * <p>Build one with {@link ConfigLoader}, which layers (lowest to highest precedence) the defaults,
 * a JSON file in {@code conf/}, {@code ARC_RELAY_*} environment variables and command-line flags,
 * and builds each record by name. Every setting is described once, with its key, variable, flag and
 * default, in {@link Setting}. The parts here have distinct types, so they cannot be passed swapped.
 *
 * @param listen    where the relay listens and the TLS it serves
 * @param limits    what sockets and the node may hold, and how long they may be silent or stalled
 * @param edge      who may connect and how much
 * @param pairing   how sides pair
 * @param lifecycle event loops, drain and shutdown
 * @param cluster   the Hazelcast cluster and its event bus
 * @param tunnel    tunnels to agents
 */
public record RelayConfig(ListenConfig listen, LimitsConfig limits, EdgeConfig edge, PairingConfig pairing,
    LifecycleConfig lifecycle, ClusterConfig cluster, TunnelConfig tunnel) {

  public RelayConfig {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(edge, "edge");
    Objects.requireNonNull(pairing, "pairing");
    Objects.requireNonNull(lifecycle, "lifecycle");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(tunnel, "tunnel");
  }

  /** Hides the access secret and the tunnel tokens, which would otherwise be printed with the record. */
  @Override
  public String toString() {
    return "RelayConfig[" + listen.host() + ":" + listen.port() + (edge.accessSecret().isEmpty() ? "" : ", access secret set")
        + (tunnel.enabled() ? ", tunnels on *." + tunnel.domain() : "") + "]";
  }

  /** The defaults: the TypeScript relay's port and TTL (its clients work unchanged), plus the limits that keep memory bounded. */
  public static RelayConfig defaults() {
    return ConfigLoader.load(java.util.Map.of(), java.util.Map.of(), null);
  }
}
