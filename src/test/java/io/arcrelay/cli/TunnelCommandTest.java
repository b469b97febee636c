package io.arcrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Await;
import io.arcrelay.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code arc-relay tunnel} as a user runs it: a relay process, an agent process, real exit codes. */
class TunnelCommandTest {

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient visitors = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void theAgentServesUntilSigtermThenItsNameIsFreeAtOnce() throws Exception {
    HttpServer app = vertx.createHttpServer().requestHandler(r -> r.response().end("local app")).listen(0, "127.0.0.1").await();
    RelayProcess relay = RelayProcess.start("start", "--host", "127.0.0.1", "--port", "0", "--tunnel-tokens", "cli-token");
    int port = relay.port();
    RelayProcess agent = RelayProcess.start(Map.of(TunnelCommand.TOKEN_ENV, "cli-token"), "tunnel",
        "--to", "http://127.0.0.1:" + app.actualPort(), "--relay", "ws://127.0.0.1:" + port, "--name", "cli");
    Await.until("the tunnel serves", 60, () -> status(port, "cli") == 200);
    Await.until("the agent says where", () -> agent.stderr().contains("online: http://cli.localhost:" + port + "/"));
    agent.terminate();
    assertEquals(0, agent.awaitExit(), agent.stderr());
    assertEquals(404, status(port, "cli"), "the session left with the agent");
    assertFalse(agent.stderr().contains("cli-token"), "the token is never printed");
    relay.terminate();
    relay.awaitExit();
  }

  @Test
  void aRefusedTokenEndsTheAgentWithExitOne() throws Exception {
    RelayProcess relay = RelayProcess.start("start", "--host", "127.0.0.1", "--port", "0", "--tunnel-tokens", "right");
    // An http:// URL is the relay's ws:// one.
    RelayProcess agent = RelayProcess.start("tunnel", "--to", "http://127.0.0.1:9", "--relay",
        "http://127.0.0.1:" + relay.port(), "--token", "wrong");
    assertEquals(1, agent.awaitExit(), agent.stderr());
    assertTrue(agent.stderr().contains("refused the token (401)"), agent.stderr());
    assertNoNoise(agent.stderr());
    relay.terminate();
    relay.awaitExit();
  }

  @Test
  void aRelayWithTunnelsOffEndsTheAgentAtOnceWithOneLine() throws Exception {
    RelayProcess relay = RelayProcess.start("start", "--host", "127.0.0.1", "--port", "0");
    RelayProcess agent = RelayProcess.start("tunnel", "--to", "http://127.0.0.1:9", "--relay",
        "ws://127.0.0.1:" + relay.port(), "--token", "any");
    assertEquals(1, agent.awaitExit(), agent.stderr());
    assertTrue(agent.stderr().contains("stopped: the relay at ws://127.0.0.1:" + relay.port()
        + " has tunnels off (it answered 400 missing ?pair=<code>): start it with --tunnel-tokens"), agent.stderr());
    assertFalse(agent.stderr().contains("retrying"), "not retried: " + agent.stderr());
    assertNoNoise(agent.stderr());
    relay.terminate();
    relay.awaitExit();
  }

  @Test
  void aRelayThatIsNotThereIsRetriedWithAHintAndACountdown() throws Exception {
    int nobody = freePort();
    RelayProcess agent = RelayProcess.start("tunnel", "--to", "http://127.0.0.1:9", "--relay",
        "ws://127.0.0.1:" + nobody, "--token", "any");
    // Waits are random ("full jitter"): one under 100 ms is announced as "retrying now", so the
    // countdown is awaited, not a number of attempts.
    Await.until("a second failed attempt and a countdown", () -> agent.stderr().split("connection refused", -1).length > 2
        && agent.stderr().contains("; retrying in "));
    agent.terminate();
    assertEquals(0, agent.awaitExit(), agent.stderr());
    assertTrue(agent.stderr().contains("cannot reach the relay at ws://127.0.0.1:" + nobody
        + ": connection refused (is it running, and is --relay right?); retrying in "), agent.stderr());
    assertEquals(1, agent.stderr().split("connecting to", -1).length - 1, "one 'connecting' line: " + agent.stderr());
    assertNoNoise(agent.stderr());
  }

  @Test
  void badFlagsAreRefusedBeforeConnectingWithExitTwo() throws Exception {
    for (String[] flags : List.of(new String[] {"--name", "My_App"}, new String[] {"--relay", "ftp://relay.example.com"},
        new String[] {"--relay", "ws://"}, new String[] {"--to", "127.0.0.1:3000"})) {
      List<String> args = new ArrayList<>(List.of("tunnel", "--token", "t"));
      if (!flags[0].equals("--to")) args.addAll(List.of("--to", "http://127.0.0.1:9"));
      args.addAll(List.of(flags));
      RelayProcess agent = RelayProcess.start(args.toArray(String[]::new));
      assertEquals(2, agent.awaitExit(), String.join(" ", flags) + ": " + agent.stderr());
      assertEquals(1, agent.stderr().lines().count(), "one line: " + agent.stderr());
      assertTrue(agent.stderr().startsWith("arc-relay tunnel: " + flags[0]), agent.stderr());
    }
  }

  /** No stack trace, no library's log line: only the command's own words. */
  private static void assertNoNoise(String stderr) {
    assertFalse(stderr.contains("Exception") || stderr.contains("\tat ") || stderr.contains("WARN"), stderr);
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void aBadAllowlistIsABadFlag() throws Exception {
    RelayProcess agent = RelayProcess.start("tunnel", "--to", "http://127.0.0.1:9", "--token", "t",
        "--allow", "203.0.113.0/24", "--allow", "10.0.0.1/8");
    assertEquals(2, agent.awaitExit(), agent.stderr());
    assertTrue(agent.stderr().contains("--allow entry '10.0.0.1/8' is not an IP address or CIDR range"), agent.stderr());
  }

  private int status(int port, String tunnel) {
    try {
      return visitors.request(new RequestOptions().setMethod(HttpMethod.GET)
              .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1")).setHost(tunnel + ".localhost").setPort(port)
              .setURI("/").setTimeout(TimeUnit.SECONDS.toMillis(TestClient.WAIT_SECONDS)))
          .compose(req -> req.send().compose(res -> res.body().map(body -> res.statusCode())))
          .await();
    } catch (Exception e) {
      return -1;
    }
  }
}
