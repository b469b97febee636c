package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NameLeaseTest {

  private static final long NOW = 10_000;
  private static final Set<String> MEMBERS = Set.of("n1", "n2");

  private static NameLease.Holder holder(String session, String node, long until) {
    return new NameLease.Holder(session, "r-" + node, node, until);
  }

  private static NameLease register(NameLease current, String owner, NameLease.Holder holder) {
    return NameLease.register(current, owner, holder, VisitorPolicy.OPEN, true, NOW, MEMBERS::contains);
  }

  @Test
  void aFreeNameGoesToItsFirstToken() {
    NameLease lease = register(null, "alice", holder("s1", "n1", NOW + 15_000));
    assertEquals("alice", lease.owner());
    assertEquals(List.of("s1"), lease.holders().stream().map(NameLease.Holder::session).toList());
  }

  @Test
  void theSameTokenJoinsBesideALiveSessionAndDropsThoseWhoseLeaseRanOut() {
    NameLease current = new NameLease("alice", List.of(
        holder("live", "n1", NOW + 5_000), holder("expired", "n1", NOW - 1), holder("node-gone", "n9", NOW + 5_000)), VisitorPolicy.OPEN, 0);
    NameLease next = register(current, "alice", holder("new", "n2", NOW + 15_000));
    assertEquals(List.of("live", "node-gone", "new"), next.holders().stream().map(NameLease.Holder::session).toList(),
        "a session whose node left keeps its lease: its agent may be reconnecting elsewhere");
    assertEquals(List.of("live", "new"), next.live(NOW, MEMBERS::contains).stream().map(NameLease.Holder::session).toList(),
        "but serves no visitors");
  }

  @Test
  void aSessionOnANodeThatLeftHoldsTheNameForItsTokenUntilItsLeaseRunsOut() {
    NameLease orphaned = new NameLease("alice", List.of(holder("s1", "n9", NOW + 1)), VisitorPolicy.OPEN, 0);
    assertNull(register(orphaned, "bob", holder("s2", "n2", NOW + 15_000)));
    NameLease lapsed = new NameLease("alice", List.of(holder("s1", "n9", NOW)), VisitorPolicy.OPEN, 0);
    assertEquals("bob", register(lapsed, "bob", holder("s2", "n2", NOW + 15_000)).owner());
  }

  @Test
  void aDroppedSessionLeavesAReservationForItsTokenOnly() {
    NameLease held = new NameLease("alice", List.of(holder("s1", "n1", NOW + 5_000)), VisitorPolicy.OPEN, 0);
    NameLease dropped = held.without("s1", NOW + 15_000);
    assertTrue(dropped.holders().isEmpty());
    assertFalse(dropped.vacant(NOW), "the entry stays while the reservation runs");
    assertNull(register(dropped, "bob", holder("s2", "n2", NOW + 15_000)), "another token waits for the reservation");
    NameLease back = register(dropped, "alice", holder("s3", "n2", NOW + 15_000));
    assertEquals(List.of("s3"), back.holders().stream().map(NameLease.Holder::session).toList(), "its token gets it back at once");
    NameLease after = NameLease.register(dropped, "bob", holder("s2", "n2", NOW + 30_000), VisitorPolicy.OPEN, true,
        NOW + 15_000, MEMBERS::contains);
    assertEquals("bob", after.owner(), "once the reservation ran out, anyone's");
    assertEquals(0, after.reservedUntil());
    assertEquals(NOW + 15_000, dropped.without("s1", 0).reservedUntil(), "a later leave does not cut a reservation short");
    assertTrue(held.without("s1", 0).vacant(NOW), "an agent that left frees the name at once");
  }

  @Test
  void anotherTokenWaitsForTheLastLiveSession() {
    NameLease held = new NameLease("alice", List.of(holder("s1", "n1", NOW + 1)), VisitorPolicy.OPEN, 0);
    assertNull(register(held, "bob", holder("s2", "n2", NOW + 15_000)));
    NameLease lapsed = new NameLease("alice", List.of(holder("s1", "n1", NOW)), VisitorPolicy.OPEN, 0);
    assertEquals("bob", register(lapsed, "bob", holder("s2", "n2", NOW + 15_000)).owner());
  }

  @Test
  void renewingMovesOnlyThatSessionsLease() {
    NameLease lease = new NameLease("alice", List.of(holder("s1", "n1", NOW + 3), holder("s2", "n2", NOW + 3)), VisitorPolicy.OPEN, 0);
    NameLease renewed = register(lease, "alice", holder("s1", "n1", NOW + 15_000));
    assertEquals(2, renewed.holders().size());
    assertEquals(List.of("s1"), renewed.live(NOW + 5, MEMBERS::contains).stream().map(NameLease.Holder::session).toList());
  }

  @Test
  void aHelloSetsTheTunnelsPolicyARenewalKeepsIt() {
    VisitorPolicy guarded = VisitorPolicy.fromHello(new JsonObject().put("basicAuth", "user:secret"));
    NameLease open = new NameLease("alice", List.of(holder("s1", "n1", NOW + 5)), VisitorPolicy.OPEN, 0);
    NameLease hello = NameLease.register(open, "alice", holder("s2", "n2", NOW + 15_000), guarded, true, NOW, MEMBERS::contains);
    assertSame(guarded, hello.policy(), "the newest hello decides for every session");
    NameLease renewal = NameLease.register(hello, "alice", holder("s1", "n1", NOW + 15_000), VisitorPolicy.OPEN, false, NOW, MEMBERS::contains);
    assertSame(guarded, renewal.policy(), "an older session's renewal does not undo it");
    NameLease anew = NameLease.register(null, "alice", holder("s1", "n1", NOW + 15_000), guarded, false, NOW, MEMBERS::contains);
    assertSame(guarded, anew.policy(), "an entry made anew by a renewal keeps its session's policy");
    NameLease decoded = NameLease.decode(hello.encode());
    assertTrue(decoded.policy().basicAuth(), "the policy travels with the entry, in its stored form");
    assertTrue(!hello.encode().contains("secret"), "never the password");
  }

  @Test
  void leavingTakesTheSessionOutAndTheEntrySurvivesEncoding() {
    NameLease lease = new NameLease("alice", List.of(holder("s1", "n1", NOW), holder("s2", "n2", NOW + 7)), VisitorPolicy.OPEN, 0);
    NameLease decoded = NameLease.decode(lease.encode());
    assertEquals(lease, decoded);
    assertTrue(decoded.holds("s1"));
    assertEquals(List.of("s2"), decoded.without("s1", 0).holders().stream().map(NameLease.Holder::session).toList());
    assertTrue(decoded.without("s1", 0).without("s2", 0).holders().isEmpty());
    NameLease reserved = decoded.without("s1", NOW + 15_000);
    assertEquals(reserved, NameLease.decode(reserved.encode()), "the reservation travels with the entry");
  }
}
