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

  private static final int NAMES_PER_TOKEN = 3;

  private final Vertx vertx = Vertx.vertx();
  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final Set<String> members = ConcurrentHashMap.newKeySet();
  private final TunnelNames names;

  TunnelNamesTest() {
    members.add("node-1");
    names = TunnelNames.create(vertx, new TunnelNames.Membership("node-1", clock::get, members::contains), NAMES_PER_TOKEN).await();
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
    names.leave("app", owner).await();
    assertNull(pick("app"), "offline once its last session left");
    assertEquals(TunnelNames.Registration.REGISTERED, register("app", new Fake("s2", "someone else")),
        "an agent that left frees its name at once");
    assertEquals("s2", pick("app"));
  }

  @Test
  void aDroppedSessionsNameIsReservedForItsTokenForTheLease() {
    Fake owner = new Fake("s1", "owner");
    register("app", owner);
    names.drop("app", owner).await();
    assertNull(pick("app"), "no visitor is sent to a lost session");
    clock.addAndGet(TunnelNames.LEASE_MS - 1);
    assertEquals(TunnelNames.Registration.NAME_TAKEN, register("app", new Fake("s2", "someone else")));
    assertEquals(TunnelNames.Registration.REGISTERED, register("app", new Fake("s3", "owner")), "its token gets it back at once");
    assertEquals("s3", pick("app"));
  }

  @Test
  void afterTheReservationAnotherTokenMayTakeTheName() {
    Fake owner = new Fake("s1", "owner");
    register("app", owner);
    names.drop("app", owner).await();
    clock.addAndGet(TunnelNames.LEASE_MS);
    assertEquals(TunnelNames.Registration.REGISTERED, register("app", new Fake("s2", "someone else")));
    assertEquals("s2", pick("app"));
  }

  @Test
  void aTokenHoldsAtMostItsCapOfNamesCountingReservedOnes() {
    Fake first = new Fake("s1", "owner");
    register("one", first);
    register("two", new Fake("s2", "owner"));
    register("three", new Fake("s3", "owner"));
    assertEquals(TunnelNames.Registration.NAMES_EXHAUSTED, register("four", new Fake("s4", "owner")));
    assertNull(pick("four"), "the refused claim was taken back out");
    assertEquals(TunnelNames.Registration.REGISTERED, register("four", new Fake("s5", "someone else")), "and is free for others");
    assertEquals(TunnelNames.Registration.REGISTERED, register("one", new Fake("s6", "owner")),
        "a name the token holds is not one more");
    names.leave("one", first).await();
    names.drop("one", new Fake("s6", "owner")).await();
    assertEquals(TunnelNames.Registration.NAMES_EXHAUSTED, register("five", new Fake("s7", "owner")),
        "a reserved name still counts");
    clock.addAndGet(TunnelNames.LEASE_MS + 1);
    assertEquals(TunnelNames.Registration.REGISTERED, register("five", new Fake("s7", "owner")),
        "names whose leases ran out do not count"); // one's reservation and every unrenewed lease here
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
    TunnelNames onNode2 = TunnelNames.create(vertx, new TunnelNames.Membership("node-2", clock::get, members::contains), NAMES_PER_TOKEN).await();
    register("app", new Fake("s1", "owner"));
    TunnelNames.Session remote = onNode2.pick("app", Set.of()).await();
    assertEquals("s1", remote.id());
    assertTrue(remote.open("link-1").await(), "node-1 passed the open on to its agent");

    members.remove("node-1");
    assertNull(onNode2.pick("app", Set.of()).await(), "a session of a node that left serves no visitor");
    assertEquals(TunnelNames.Registration.NAME_TAKEN, onNode2.register("app", new Fake("s2", "someone else")).await(),
        "but its lease keeps the name for its agent, which may be reconnecting to another node");
    assertEquals(TunnelNames.Registration.REGISTERED, onNode2.register("app", new Fake("s3", "owner")).await());
    assertEquals("s3", onNode2.pick("app", Set.of()).await().id());
  }

  @Test
  void randomNamesAreValidDnsLabels() {
    String name = TunnelNames.randomName();
    assertTrue(TunnelHost.isName(name), name);
    assertFalse(name.isEmpty());
  }
}
