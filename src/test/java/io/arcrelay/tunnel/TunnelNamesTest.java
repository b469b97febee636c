package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TunnelNamesTest {

  private record Fake(String id, String owner) implements TunnelNames.Session {
    @Override
    public boolean open(String linkId) {
      return true;
    }
  }

  private final TunnelNames names = new TunnelNames();

  @Test
  void theSameTokenAddsSessionsAtOnceAndTheyTakeTurns() {
    Fake first = new Fake("s1", "owner");
    Fake second = new Fake("s2", "owner");
    assertEquals(TunnelNames.Registration.REGISTERED, names.register("app", first));
    assertEquals(TunnelNames.Registration.REGISTERED, names.register("app", second), "a reconnecting agent keeps its name");
    Set<String> picked = new HashSet<>();
    for (int i = 0; i < 4; i++) picked.add(names.pick("app").id());
    assertEquals(Set.of("s1", "s2"), picked);
  }

  @Test
  void anotherTokenIsRefusedUntilTheLastSessionLeaves() {
    Fake owner = new Fake("s1", "owner");
    Fake other = new Fake("s2", "someone else");
    names.register("app", owner);
    assertEquals(TunnelNames.Registration.NAME_TAKEN, names.register("app", other));
    names.remove("app", owner);
    assertNull(names.pick("app"), "offline once its last session left");
    assertEquals(TunnelNames.Registration.REGISTERED, names.register("app", other));
    assertEquals("s2", names.pick("app").id());
  }

  @Test
  void randomNamesAreValidAndFree() {
    String name = names.freeName();
    assertTrue(TunnelHost.NAME.matcher(name).matches(), name);
    names.register(name, new Fake("s", "o"));
    assertNotEquals(name, names.freeName());
  }
}
