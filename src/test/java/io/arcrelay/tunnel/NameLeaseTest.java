package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
  void theSameTokenJoinsBesideALiveSessionAndDropsDeadOnes() {
    NameLease current = new NameLease("alice", List.of(
        holder("live", "n1", NOW + 5_000), holder("expired", "n1", NOW - 1), holder("node-gone", "n9", NOW + 5_000)), VisitorPolicy.OPEN);
    NameLease next = register(current, "alice", holder("new", "n2", NOW + 15_000));
    assertEquals(List.of("live", "new"), next.holders().stream().map(NameLease.Holder::session).toList());
  }

  @Test
  void anotherTokenWaitsForTheLastLiveSession() {
    NameLease held = new NameLease("alice", List.of(holder("s1", "n1", NOW + 1)), VisitorPolicy.OPEN);
    assertNull(register(held, "bob", holder("s2", "n2", NOW + 15_000)));
    NameLease lapsed = new NameLease("alice", List.of(holder("s1", "n1", NOW)), VisitorPolicy.OPEN);
    assertEquals("bob", register(lapsed, "bob", holder("s2", "n2", NOW + 15_000)).owner());
  }

  @Test
  void renewingMovesOnlyThatSessionsLease() {
    NameLease lease = new NameLease("alice", List.of(holder("s1", "n1", NOW + 3), holder("s2", "n2", NOW + 3)), VisitorPolicy.OPEN);
    NameLease renewed = register(lease, "alice", holder("s1", "n1", NOW + 15_000));
    assertEquals(2, renewed.holders().size());
    assertEquals(List.of("s1"), renewed.live(NOW + 5, MEMBERS::contains).stream().map(NameLease.Holder::session).toList());
  }

  @Test
  void aHelloSetsTheTunnelsPolicyARenewalKeepsIt() {
    VisitorPolicy guarded = VisitorPolicy.fromHello(new JsonObject().put("basicAuth", "user:secret"));
    NameLease open = new NameLease("alice", List.of(holder("s1", "n1", NOW + 5)), VisitorPolicy.OPEN);
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
    NameLease lease = new NameLease("alice", List.of(holder("s1", "n1", NOW), holder("s2", "n2", NOW + 7)), VisitorPolicy.OPEN);
    NameLease decoded = NameLease.decode(lease.encode());
    assertEquals(lease, decoded);
    assertTrue(decoded.holds("s1"));
    assertEquals(List.of("s2"), decoded.without("s1").holders().stream().map(NameLease.Holder::session).toList());
    assertTrue(decoded.without("s1").without("s2").holders().isEmpty());
  }
}
