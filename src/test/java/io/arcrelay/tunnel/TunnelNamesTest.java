package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The name rules over Vert.x's local map (the clustered map runs the same code; TunnelClusterTest
 * covers it), with a clock and a membership the test moves.
 */
class TunnelNamesTest {

  private record Fake(String id, String owner) implements TunnelNames.Hosted {
    @Override
    public Future<Boolean> open(String linkId) {
      return Future.succeededFuture(true);
    }

    @Override
    public VisitorPolicy policy() {
      return VisitorPolicy.OPEN;
    }

    @Override
    public void nameLost() {}
  }

  private final Vertx vertx = Vertx.vertx();
  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final Set<String> members = ConcurrentHashMap.newKeySet();
  private final TunnelNames names;

  TunnelNamesTest() {
    members.add("node-1");
    names = TunnelNames.create(vertx, new TunnelNames.Membership("node-1", clock::get, members::contains)).await();
  }

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private TunnelNames.Registration register(String name, Fake session) {
    return names.register(name, session).await();
  }

  private String pick(String name) {
    TunnelNames.Session session = names.pick(name, Set.of()).await();
    return session == null ? null : session.id();
  }

  @Test
  void theSameTokenAddsSessionsAtOnceAndTheyTakeTurns() {
    assertEquals(TunnelNames.Registration.REGISTERED, register("app", new Fake("s1", "owner")));
    assertEquals(TunnelNames.Registration.REGISTERED, register("app", new Fake("s2", "owner")), "a reconnecting agent keeps its name");
    Set<String> picked = new HashSet<>();
    for (int i = 0; i < 4; i++) picked.add(pick("app"));
    assertEquals(Set.of("s1", "s2"), picked);
    assertNull(names.pick("app", Set.of("s1", "s2")).await(), "sessions already tried are passed over");
  }

  @Test
  void anotherTokenIsRefusedUntilTheLastSessionLeaves() {
    Fake owner = new Fake("s1", "owner");
    register("app", owner);
    assertEquals(TunnelNames.Registration.NAME_TAKEN, register("app", new Fake("s2", "someone else")));
    names.remove("app", owner).await();
    assertNull(pick("app"), "offline once its last session left");
    assertEquals(TunnelNames.Registration.REGISTERED, register("app", new Fake("s2", "someone else")));
    assertEquals("s2", pick("app"));
  }

  @Test
  void aSessionWhoseLeaseRanOutNoLongerHoldsTheName() {
    register("app", new Fake("s1", "owner"));
    clock.addAndGet(TunnelNames.LEASE_MS + 1); // its node stopped renewing it
    assertEquals(TunnelNames.Registration.REGISTERED, register("app", new Fake("s2", "someone else")));
    assertEquals("s2", pick("app"));
  }

  @Test
  void anotherNodeReachesASessionThroughItsNodeAndFindsItDeadOnceTheNodeLeft() {
    members.add("node-2");
    TunnelNames onNode2 = TunnelNames.create(vertx, new TunnelNames.Membership("node-2", clock::get, members::contains)).await();
    register("app", new Fake("s1", "owner"));
    TunnelNames.Session remote = onNode2.pick("app", Set.of()).await();
    assertEquals("s1", remote.id());
    assertTrue(remote.open("link-1").await(), "node-1 passed the open on to its agent");

    members.remove("node-1");
    assertEquals(TunnelNames.Registration.REGISTERED, onNode2.register("app", new Fake("s2", "someone else")).await(),
        "a session of a node that left holds nothing");
    assertEquals("s2", onNode2.pick("app", Set.of()).await().id());
  }

  @Test
  void randomNamesAreValidDnsLabels() {
    String name = TunnelNames.randomName();
    assertTrue(TunnelHost.isName(name), name);
    assertFalse(name.isEmpty());
  }
}
