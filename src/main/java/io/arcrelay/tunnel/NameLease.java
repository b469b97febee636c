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
 * <p>A name is <em>held</em> for its owner, and refused to every other token, while a session's
 * lease runs (even on a node that has left the cluster: its agent may be reconnecting to another)
 * or a dropped session's reservation does: an agent whose connection broke gets its name back when
 * it reconnects, instead of finding it taken by whoever asked first.
 *
 * @param owner    SHA-256 hex of the owning token
 * @param holders  the sessions serving the name, live or not
 * @param policy   who may visit the tunnel (basic auth, allowlist), in its stored form
 * @param reservedUntil cluster time in ms until which the name stays the owner's with no session
 *     serving it (a session's control connection was lost); 0 for none
 */
record NameLease(String owner, List<Holder> holders, VisitorPolicy policy, long reservedUntil) {

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

  /** Whether the name is its owner's at {@code now}: a session's lease or a reservation runs. */
  boolean heldAt(long now) {
    return reservedUntil > now || holders.stream().anyMatch(h -> h.until() > now);
  }

  /**
   * The entry after {@code holder} of token {@code owner} registers on {@code current} (null when
   * nobody holds the name), or {@code null} when the name is held for another token. The same
   * token is added at once, even beside a session whose lease has not run out: a reconnecting agent
   * never finds its own name taken. Sessions whose lease ran out are dropped on the way; a
   * reservation runs its course (another of the token's agents may still be reconnecting).
   *
   * <p>The tunnel's visitor policy becomes {@code policy} when {@code setPolicy} (a hello) or when
   * no other session serves the name; a renewal keeps the live entry's, which a newer hello may have set.
   */
  static NameLease register(NameLease current, String owner, Holder holder, VisitorPolicy policy, boolean setPolicy,
      long now, Predicate<String> nodeAlive) {
    if (current == null) return new NameLease(owner, List.of(holder), policy, 0);
    if (!current.owner.equals(owner)) return current.heldAt(now) ? null : new NameLease(owner, List.of(holder), policy, 0);
    boolean continued = current.live(now, nodeAlive).stream().anyMatch(h -> !h.session().equals(holder.session()));
    List<Holder> leased = new ArrayList<>(current.holders.stream()
        .filter(h -> h.until() > now && !h.session().equals(holder.session())).toList());
    leased.add(holder);
    return new NameLease(owner, leased, continued && !setPolicy ? current.policy : policy, current.reservedUntil);
  }

  /** Whether {@code session} is one of the holders, live or not. */
  boolean holds(String session) {
    return holders.stream().anyMatch(h -> h.session().equals(session));
  }

  /**
   * The entry without {@code session}, and reserved for the owner until at least {@code reserveUntil}
   * (0: the session left on purpose, nothing to keep for it).
   */
  NameLease without(String session, long reserveUntil) {
    return new NameLease(owner, holders.stream().filter(h -> !h.session().equals(session)).toList(), policy,
        Math.max(reservedUntil, reserveUntil));
  }

  /** Whether nothing is left to keep at {@code now}: no session and no reservation, so the entry is removed. */
  boolean vacant(long now) {
    return holders.isEmpty() && reservedUntil <= now;
  }

  String encode() {
    JsonArray list = new JsonArray();
    for (Holder h : holders) {
      list.add(new JsonObject().put("s", h.session()).put("r", h.router()).put("n", h.node()).put("until", h.until()));
    }
    JsonObject json = new JsonObject().put("owner", owner).put("sessions", list);
    if (policy != VisitorPolicy.OPEN) json.put("policy", policy.toJson());
    if (reservedUntil > 0) json.put("reserved", reservedUntil);
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
    return new NameLease(json.getString("owner"), holders, policy == null ? VisitorPolicy.OPEN : VisitorPolicy.fromJson(policy),
        json.getLong("reserved", 0L));
  }
}
