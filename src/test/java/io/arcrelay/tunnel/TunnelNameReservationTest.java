package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Await;
import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.config.Setting;
import io.arcrelay.tunnel.agent.TrafficCounters;
import io.arcrelay.tunnel.agent.TunnelAgent;
import io.arcrelay.tunnel.agent.TunnelAgent.State;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who may claim a tunnel name, with a real relay and the real agent: a name outlives its agent's
 * lost connection for its token (issue 23: another token took it 51 ms after the drop), a token
 * holds at most {@code tunnelNamesPerToken} names, and refused claims are throttled like wrong pair
 * codes. That the name is another token's once the reservation has run out is
 * {@link TunnelNamesTest}'s, on a clock it moves, so that nothing here waits out the lease.
 */
class TunnelNameReservationTest {

  private static final String TOKEN = "owner-token";
  private static final String OTHER = "other-token";

  private record Change(State state, String line) {}

  private final Vertx relayVertx = Vertx.vertx();
  private final Vertx otherRelayVertx = Vertx.vertx(); // a relay of its own, names included
  private final Vertx agentVertx = Vertx.vertx();
  private final Vertx vertx = Vertx.vertx(); // the local service, visitors and stub agents
  private final LocalService service = LocalService.start(vertx);
  private final WebSocketClient wsClient = TestClient.newClient(vertx);
  private final List<Change> changes = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    agentVertx.close().await();
    relayVertx.close().await();
    otherRelayVertx.close().await();
    vertx.close().await();
  }

  private Relay relay(Object... settings) {
    return relay(relayVertx, settings);
  }

  private Relay relay(Vertx on, Object... settings) {
    Object[] all = new Object[settings.length + 4];
    all[0] = Setting.TUNNEL_TOKENS;
    all[1] = TOKEN + "," + OTHER;
    all[2] = Setting.TUNNEL_CONNECT_TIMEOUT; // a visitor of a lost session is not kept waiting long
    all[3] = "1s";
    System.arraycopy(settings, 0, all, 4, settings.length);
    return Relay.start(on, TestRelays.config(all)).await();
  }

  /** The real agent, for {@code TOKEN}, its every change of state recorded. */
  private TunnelAgent agent(int relayPort, String name) {
    return new TunnelAgent(agentVertx, new TunnelAgent.Options(URI.create("http://127.0.0.1:" + service.port()),
        URI.create("ws://127.0.0.1:" + relayPort), TOKEN, name), (state, line) -> changes.add(new Change(state, line)),
        new TrafficCounters());
  }

  private long timesOnline() {
    return changes.stream().filter(c -> c.state() == State.ONLINE).count();
  }

  @Test
  void aNameOutlivesItsAgentsLostConnectionAndGoesBackToItsToken() {
    Relay relay = relay();
    CutProxy network = CutProxy.start(vertx, relay.port());
    agent(network.port(), "kept").start().await();
    TunnelVisitor visitor = new TunnelVisitor(vertx, relay.port());
    assertEquals(200, visitor.get("kept", "/hello").status());

    network.cut(); // no close from the agent: its connection is just gone
    Await.until("the relay has lost the agent's session", () -> visitor.get("kept", "/hello").status() == 404);
    assertEquals("name-taken", StubAgent.hello(wsClient, relay.port(), OTHER, "kept").outcome(),
        "another token, while the agent reconnects");

    network.forwardTo(relay.port());
    Await.until("the agent is online again", () -> timesOnline() == 2);
    assertEquals(200, visitor.get("kept", "/hello").status());
  }

  @Test
  void anAgentThatFindsItsNameTakenAfterAReconnectKeepsTrying() {
    Relay first = relay();
    CutProxy network = CutProxy.start(vertx, first.port());
    TunnelAgent agent = agent(network.port(), "comeback");
    agent.start().await();
    network.cut();
    first.stop().await();
    // A relay that never saw the agent (the first one's names are gone with it): another token takes the name.
    Relay second = relay(otherRelayVertx);
    StubAgent thief = StubAgent.register(wsClient, second.port(), OTHER, "comeback");

    network.forwardTo(second.port());
    Await.until("the agent is refused its name", () -> changes.stream().anyMatch(c -> c.line().contains("(name-taken)")));
    Change refused = changes.stream().filter(c -> c.line().contains("(name-taken)")).findFirst().orElseThrow();
    assertEquals(State.RECONNECTING, refused.state(), refused.line());
    assertFalse(agent.stopped().isComplete());

    thief.close(); // leaves: the name is free at once
    Await.until("the agent has its name back", () -> timesOnline() == 2);
    assertEquals(200, new TunnelVisitor(vertx, second.port()).get("comeback", "/hello").status());
  }

  @Test
  void anAgentRefusedItsNameAtItsFirstHelloStops() {
    Relay relay = relay();
    StubAgent.register(wsClient, relay.port(), OTHER, "claimed");
    TunnelAgent agent = agent(relay.port(), "claimed");
    Exception refused = assertThrows(Exception.class, () -> agent.start().await());
    assertTrue(refused.getMessage().contains("(name-taken)"), refused.getMessage());
    assertThrows(Exception.class, () -> agent.stopped().await(), "the agent exits");
    assertEquals(State.STOPPED, changes.get(changes.size() - 1).state());
  }

  @Test
  void aTokenHoldsAtMostTunnelNamesPerToken() {
    Relay relay = relay(Setting.TUNNEL_NAMES_PER_TOKEN, "2");
    StubAgent.register(wsClient, relay.port(), TOKEN, "one");
    StubAgent two = StubAgent.register(wsClient, relay.port(), TOKEN, "two");
    assertEquals("names-exhausted", StubAgent.hello(wsClient, relay.port(), TOKEN, "three").outcome());
    assertEquals("registered", StubAgent.hello(wsClient, relay.port(), TOKEN, "one").outcome(),
        "another session of a name the token holds is not one name more");
    assertEquals("registered", StubAgent.hello(wsClient, relay.port(), OTHER, "three").outcome(),
        "each token has a cap of its own, and the refused claim left nothing behind");

    TunnelAgent agent = agent(relay.port(), "four");
    Exception refused = assertThrows(Exception.class, () -> agent.start().await());
    assertTrue(refused.getMessage().contains("(names-exhausted)") && refused.getMessage().contains("tunnelNamesPerToken"),
        refused.getMessage());

    two.close(); // the agent left: its name is free at once, and no longer counts
    Await.until("the token may claim a name again",
        () -> StubAgent.hello(wsClient, relay.port(), TOKEN, "five").outcome().equals("registered"));
  }

  @Test
  void refusedNameClaimsCountAgainstTheAddressesRefusalAllowance() {
    Relay relay = relay(Setting.REFUSALS_PER_IP, "3", Setting.TUNNEL_NAMES_PER_TOKEN, "1");
    StubAgent.register(wsClient, relay.port(), TOKEN, "popular");
    assertEquals("name-taken", StubAgent.hello(wsClient, relay.port(), OTHER, "popular").outcome());
    assertEquals("registered", StubAgent.hello(wsClient, relay.port(), OTHER, "mine").outcome());
    assertEquals("names-exhausted", StubAgent.hello(wsClient, relay.port(), OTHER, "another").outcome());
    assertEquals("name-taken", StubAgent.hello(wsClient, relay.port(), OTHER, "popular").outcome());

    UpgradeRejectedException throttled = assertThrows(UpgradeRejectedException.class,
        () -> StubAgent.hello(wsClient, relay.port(), OTHER, "popular"));
    assertEquals(429, throttled.getStatus(), "a valid token does not buy more guesses");
  }
}
