package io.arcrelay.tunnel;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Who holds one tunnel name, as stored in the cluster-wide name map: the digest of the token that
 * owns it and the agent sessions serving it, each with the node it is connected to and the time its
 * lease runs out (cluster time, the same clock on every node). The rules of {@link TunnelNames} are
 * pure functions here, from the entry read to the entry to write.
 *
 * @param owner    SHA-256 hex of the owning token
 * @param holders  the sessions serving the name, live or not
 * @param policy   who may visit the tunnel (basic auth, allowlist), in its stored form
 */
record NameLease(String owner, List<Holder> holders, VisitorPolicy policy) {

  /**
   * One agent session serving the name.
   *
   * @param session the session id (sent to its agent only)
   * @param router  the address part of the node's tunnel consumer that holds the control socket
   * @param node    the cluster node holding it, whose leaving ends the session at once
   * @param until   cluster time in ms after which the session is dead unless renewed
   */
  record Holder(String session, String router, String node, long until) {}

  NameLease {
    holders = List.copyOf(holders);
  }

  /** The sessions that still serve the name: lease not run out, node still a member. */
  List<Holder> live(long now, Predicate<String> nodeAlive) {
    return holders.stream().filter(h -> h.until() > now && nodeAlive.test(h.node())).toList();
  }

  /**
   * The entry after {@code holder} of token {@code owner} registers on {@code current} (null when
   * nobody holds the name), or {@code null} when another token's session still serves it. The same
   * token is added at once, even beside a session whose lease has not run out: a reconnecting agent
   * never finds its own name taken. Dead sessions are dropped on the way.
   *
   * <p>The tunnel's visitor policy becomes {@code policy} when {@code setPolicy} (a hello) or when
   * the entry starts anew; a renewal keeps the live entry's, which a newer hello may have set.
   */
  static NameLease register(NameLease current, String owner, Holder holder, VisitorPolicy policy, boolean setPolicy,
      long now, Predicate<String> nodeAlive) {
    if (current == null) return new NameLease(owner, List.of(holder), policy);
    List<Holder> live = new ArrayList<>(current.live(now, nodeAlive));
    boolean othersLive = live.stream().anyMatch(h -> !h.session().equals(holder.session()));
    if (!current.owner.equals(owner) && othersLive) return null;
    boolean continued = current.owner.equals(owner) && othersLive;
    live.removeIf(h -> h.session().equals(holder.session()));
    live.add(holder);
    return new NameLease(owner, live, continued && !setPolicy ? current.policy : policy);
  }

  /** Whether {@code session} is one of the holders, live or not. */
  boolean holds(String session) {
    return holders.stream().anyMatch(h -> h.session().equals(session));
  }

  /** The entry without {@code session}; one with no holder left is to be removed from the map. */
  NameLease without(String session) {
    return new NameLease(owner, holders.stream().filter(h -> !h.session().equals(session)).toList(), policy);
  }

  String encode() {
    JsonArray list = new JsonArray();
    for (Holder h : holders) {
      list.add(new JsonObject().put("s", h.session()).put("r", h.router()).put("n", h.node()).put("until", h.until()));
    }
    JsonObject json = new JsonObject().put("owner", owner).put("sessions", list);
    if (policy != VisitorPolicy.OPEN) json.put("policy", policy.toJson());
    return json.encode();
  }

  static NameLease decode(String value) {
    JsonObject json = new JsonObject(value);
    List<Holder> holders = new ArrayList<>();
    for (Object o : json.getJsonArray("sessions")) {
      JsonObject h = (JsonObject) o;
      holders.add(new Holder(h.getString("s"), h.getString("r"), h.getString("n"), h.getLong("until")));
    }
    JsonObject policy = json.getJsonObject("policy");
    return new NameLease(json.getString("owner"), holders, policy == null ? VisitorPolicy.OPEN : VisitorPolicy.fromJson(policy));
  }
}
