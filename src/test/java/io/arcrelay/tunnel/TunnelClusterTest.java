package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arcrelay.Await;
import io.arcrelay.TestClient;
import io.arcrelay.cli.RelayCluster;
import io.arcrelay.cli.RelayProcess;
import io.arcrelay.cluster.Haproxy;
import io.arcrelay.tunnel.agent.TunnelAgent;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tunnels on a cluster of three relay processes (Hazelcast, {@code test-cluster.xml}): the agent's
 * control connection, its data connections and the visitor each on a different node; agents of one
 * token sharing a name from different nodes; and a node killed under a tunnel, its agent coming back
 * through a real HAProxy onto a survivor. Agents and local services run in this JVM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TunnelClusterTest {

  private static final String TOKEN = "cluster-tunnel-token";
  private static final String OTHER_TOKEN = "someone-elses-token";

  private static final List<RelayProcess> nodes = new ArrayList<>();
  private static Haproxy haproxy;
  private static String balancer;
  private static Vertx vertx; // local services and visitors
  private static Vertx agentVertx;
  private static LocalService service;
  private static WebSocketClient wsClient;

  @TempDir
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    nodes.addAll(RelayCluster.start(3, "--tunnel-tokens", TOKEN + "," + OTHER_TOKEN,
        "--trusted-proxies", "127.0.0.1", "--upgrades-per-ip", "0"));
    balancer = startHaproxy();
    vertx = Vertx.vertx();
    agentVertx = Vertx.vertx();
    service = LocalService.start(vertx);
    wsClient = TestClient.newClient(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    if (haproxy != null) haproxy.close();
    for (RelayProcess node : nodes) node.kill();
    agentVertx.close().await();
    vertx.close().await();
  }

  /**
   * HAProxy sending every connection to the first node that is up, so the test knows where an agent
   * behind it is connected; when that node dies, a connection is sent on to the next one.
   */
  private static String startHaproxy() throws Exception {
    haproxy = Haproxy.start(dir, nodes, "first\n    option redispatch\n    retries 2", "check inter 500 fall 1 rise 1");
    return haproxy.url();
  }

  private static URI node(int i) {
    return URI.create("ws://127.0.0.1:" + nodes.get(i).port());
  }

  private static TunnelVisitor visitorOn(int i) {
    return new TunnelVisitor(vertx, nodes.get(i).port());
  }

  private static TunnelAgent agent(LocalService to, URI relay, URI dataRelay, String token, String name) {
    return new TunnelAgent(agentVertx, new TunnelAgent.Options(URI.create("http://127.0.0.1:" + to.port()),
        relay, dataRelay, token, name), line -> { });
  }

  @Test
  @Order(1)
  void controlDataAndVisitorOnThreeDifferentNodes() {
    TunnelAgent agent = agent(service, node(0), node(2), TOKEN, "spread");
    agent.start().await();
    TunnelVisitor visitor = visitorOn(1);

    TunnelVisitor.Answer hello = visitor.get("spread", "/hello");
    assertEquals(200, hello.status());
    assertEquals("127.0.0.1", new JsonObject(hello.body()).getString("xff"));
    long size = 50L * 1024 * 1024 + 17;
    assertEquals(Stream.sha256(21, size), visitor.download("spread", size, 21, false));
    JsonObject uploaded = visitor.upload("spread", size, 22, false);
    assertEquals(Stream.sha256(22, size), uploaded.getString("sha256"));
    visitor.echoTextAndBinary("spread");

    agent.stop().await();
  }

  @Test
  @Order(2)
  void aTunnelsVisitorPolicyHoldsOnEveryNode() {
    TunnelAgent agent = agent(service, node(0), node(0), TOKEN, "guarded").restrictVisitors("alice:wonderland", List.of());
    agent.start().await();
    for (int i : new int[] {1, 2}) {
      TunnelVisitor visitor = visitorOn(i);
      assertEquals(401, visitor.get("guarded", "/hello").status(), "node " + i + " without credentials");
      String basic = "Basic " + Base64.getEncoder().encodeToString("alice:wonderland".getBytes(StandardCharsets.UTF_8));
      RequestOptions withCredentials = visitor.request(HttpMethod.GET, "guarded", "/hello").putHeader("Authorization", basic);
      assertEquals(200, visitor.send(withCredentials).status(), "node " + i + " with them");
    }
    agent.stop().await();
  }

  @Test
  @Order(3)
  void agentsOfOneTokenShareANameFromDifferentNodesAndOtherTokensAreRefused() {
    LocalService second = LocalService.start(vertx);
    TunnelAgent first = agent(service, node(0), node(0), TOKEN, "shared");
    TunnelAgent other = agent(second, node(2), node(2), TOKEN, "shared");
    first.start().await();
    other.start().await();
    TunnelVisitor visitor = visitorOn(1);
    int before = service.connections();
    int secondBefore = second.connections();
    // Each request is a new visitor connection, so a new link to the next session in turn.
    Await.until("both agents serve visitors", () -> {
      assertEquals(200, visitor.get("shared", "/hello").status());
      return service.connections() > before && second.connections() > secondBefore;
    });

    StubAgent thief = StubAgent.hello(wsClient, nodes.get(1).port(), OTHER_TOKEN, "shared");
    assertEquals("name-taken", thief.outcome());
    first.stop().await();
    other.stop().await();
  }

  @Test
  @Order(4)
  void aNameIsFreeForAnotherTokenOnceItsAgentLeaves() {
    TunnelAgent agent = agent(service, node(0), node(0), TOKEN, "leaving");
    agent.start().await();
    agent.stop().await();
    Await.until("another token registers the name on another node", () -> {
      StubAgent next = StubAgent.hello(wsClient, nodes.get(2).port(), OTHER_TOKEN, "leaving");
      String outcome = next.outcome();
      next.close();
      return outcome.equals("registered");
    });
  }

  @Test
  @Order(5)
  void anAgentWhoseNodeIsKilledComesBackOnASurvivor() {
    URI front = URI.create(balancer);
    TunnelAgent agent = agent(service, front, front, TOKEN, "phoenix");
    agent.start().await(); // on node 0: HAProxy sends every connection to the first node up
    TunnelVisitor visitor = visitorOn(1);
    assertEquals(200, visitor.get("phoenix", "/hello").status());

    nodes.get(0).kill();
    long killed = System.nanoTime();
    Await.until("the tunnel serves again", 60, () -> visitor.get("phoenix", "/hello").status() == 200);
    System.out.printf("tunnel served again %d ms after its agent's node was killed%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
    assertEquals(200, visitorOn(2).get("phoenix", "/hello").status());
    agent.stop().await();
  }
}
