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
 */
record NameLease(String owner, List<Holder> holders) {

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
   */
  static NameLease register(NameLease current, String owner, Holder holder, long now, Predicate<String> nodeAlive) {
    if (current == null) return new NameLease(owner, List.of(holder));
    List<Holder> live = new ArrayList<>(current.live(now, nodeAlive));
    if (!current.owner.equals(owner) && !live.isEmpty()) return null;
    live.removeIf(h -> h.session().equals(holder.session()));
    live.add(holder);
    return new NameLease(owner, live);
  }

  /** Whether {@code session} is one of the holders, live or not. */
  boolean holds(String session) {
    return holders.stream().anyMatch(h -> h.session().equals(session));
  }

  /** The entry without {@code session}; one with no holder left is to be removed from the map. */
  NameLease without(String session) {
    return new NameLease(owner, holders.stream().filter(h -> !h.session().equals(session)).toList());
  }

  String encode() {
    JsonArray list = new JsonArray();
    for (Holder h : holders) {
      list.add(new JsonObject().put("s", h.session()).put("r", h.router()).put("n", h.node()).put("until", h.until()));
    }
    return new JsonObject().put("owner", owner).put("sessions", list).encode();
  }

  static NameLease decode(String value) {
    JsonObject json = new JsonObject(value);
    List<Holder> holders = new ArrayList<>();
    for (Object o : json.getJsonArray("sessions")) {
      JsonObject h = (JsonObject) o;
      holders.add(new Holder(h.getString("s"), h.getString("r"), h.getString("n"), h.getLong("until")));
    }
    return new NameLease(json.getString("owner"), holders);
  }
}
