package io.arcrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arcrelay.Await;
import io.arcrelay.Http;
import io.arcrelay.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line as a user runs it: a separate process, real signals, real exit codes. */
class ArcRelayCommandTest {

  private final Vertx vertx = Vertx.vertx();
  private final WebSocketClient client = TestClient.newClient(vertx);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void sigtermDrainsThenClosesEverySocketWith1001AndExitsZero() throws Exception {
    RelayProcess relay = RelayProcess.start("start", "--host", "127.0.0.1", "--port", "0", "--drain-delay", "10s");
    int port = relay.port();
    Http http = new Http(vertx, port);
    TestClient a = TestClient.join(client, TestClient.uri(port, "proc"));
    TestClient b = TestClient.join(client, TestClient.uri(port, "proc"));
    a.assertReaches(b, "hello through a real process");
    TestClient waiting = TestClient.join(client, TestClient.uri(port, "alone"));

    relay.terminate();
    Await.until("readiness turns 503 as soon as SIGTERM arrives", () -> http.get("/health/ready").status() == 503);
    assertEquals(200, http.get("/health/live").status(), "a draining node is still live");
    TestClient late = TestClient.join(client, TestClient.uri(port, "late"));
    TestClient lateB = TestClient.join(client, TestClient.uri(port, "late"));
    late.assertReaches(lateB, "during the drain delay the node still pairs whoever the load balancer sent");
    a.assertReaches(b, "and existing pairs keep flowing");

    for (TestClient side : List.of(a, b, waiting, late, lateB)) side.assertClosedWith(1001, "relay stopping");
    assertEquals(0, relay.awaitExit(), relay.stderr());
    assertFalse(relay.stderr().contains("proc"), "the pair code never reaches the log");
  }

  @Test
  void sigintStopsAtOnceAndJsonLogsAreOneObjectPerLine() throws Exception {
    assumeTrue(RelayProcess.sigintDelivered(), "SIGINT is ignored by this test run (a background job)");
    RelayProcess relay = RelayProcess.start(Map.of("ARC_RELAY_LOG_FORMAT", "json"),
        "start", "--host", "127.0.0.1", "--port", "0", "--drain-delay", "10m");
    int port = relay.port();
    TestClient a = TestClient.join(client, TestClient.uri(port, "json-logged"));
    TestClient b = TestClient.join(client, TestClient.uri(port, "json-logged"));
    a.assertReaches(b, "paired");

    relay.interrupt();
    a.assertClosedWith(1001, "relay stopping");
    b.assertClosedWith(1001, "relay stopping");
    assertEquals(0, relay.awaitExit(), relay.stderr());
    List<String> lines = relay.stderr().lines().toList();
    assertFalse(lines.isEmpty(), relay.stderr());
    for (String line : lines) {
      JsonObject entry = new JsonObject(line);
      assertTrue(entry.containsKey("level") && entry.containsKey("formattedMessage"), line);
    }
    assertFalse(relay.stderr().contains("json-logged"), "the pair code never reaches the log");
  }

  @Test
  void aClusteredNodesJsonLogIsJsonFromTheFirstLineWithoutWarningsOfUnusedFeatures() throws Exception {
    // What k8s/ runs: JSON logs and --cluster with a Hazelcast XML file (its loader logs as it reads it).
    RelayProcess relay = RelayProcess.start(Map.of("ARC_RELAY_LOG_FORMAT", "json"),
        "start", "--host", "127.0.0.1", "--port", "0", "--cluster", "--cluster-config", "conf/cluster.xml",
        "--drain-delay", "0s");
    relay.port();
    relay.terminate();
    assertEquals(0, relay.awaitExit(), relay.stderr());
    List<String> lines = relay.stderr().lines().toList();
    assertFalse(lines.isEmpty(), relay.stderr());
    for (String line : lines) {
      JsonObject entry = new JsonObject(line);
      // Other clusters on this machine may be warned of (a member of another name on 5701); a
      // feature the relay does not use may not.
      assertFalse(entry.getString("formattedMessage").contains("CP Subsystem"), line);
    }
    assertTrue(lines.get(0).startsWith("{"), "JSON from the first line: " + lines.get(0));
  }

  @Test
  void helpShowsEveryDefaultOnceAndNoNullOrEmptyDefault() {
    for (String command : List.of("start", "pipe", "tunnel", "token")) {
      java.io.StringWriter out = new java.io.StringWriter();
      picocli.CommandLine cli = ArcRelay.commandLine();
      cli.setOut(new java.io.PrintWriter(out));
      assertEquals(0, cli.execute(command, "--help"));
      String help = out.toString();
      assertFalse(help.contains("null"), command + ": " + help);
      assertFalse(help.contains("default: ,") || help.contains("default: )"), command + ": empty default shown\n" + help);
      // One option's text runs from its flag to the next flag; it names its default at most once.
      for (String option : help.split("\n\\s+(?:-\\w, )?--")) {
        assertTrue(option.split("default", -1).length <= 2, command + ": two defaults in --" + option);
      }
    }
    java.io.StringWriter out = new java.io.StringWriter();
    picocli.CommandLine cli = ArcRelay.commandLine();
    cli.setOut(new java.io.PrintWriter(out));
    cli.execute("token", "--help");
    assertTrue(out.toString().contains("Usage: arc-relay token [-hV] --pair=<code>"), "--pair shown as required: " + out);
  }

  @Test
  void aBadValueIsOneLineAndExitCodeTwo() throws Exception {
    RelayProcess relay = RelayProcess.start("start", "--pair-ttl", "soon");
    assertEquals(2, relay.awaitExit());
    assertEquals("arc-relay: --pair-ttl: expected a duration like 250ms, 30s, 5m or 1h, got 'soon'\n", relay.stderr());
  }

  @Test
  void everyCommandAnswersHelpWithItsUsageAndExitCodeZero() {
    for (String[] args : List.of(new String[] {"--help"}, new String[] {"start", "--help"},
        new String[] {"pipe", "-h"}, new String[] {"bench", "latency", "--help"})) {
      StringWriter out = new StringWriter();
      CommandLine cli = ArcRelay.commandLine();
      cli.setOut(new PrintWriter(out));
      assertEquals(0, cli.execute(args), String.join(" ", args));
      assertTrue(out.toString().startsWith("Usage: arc-relay"), out.toString());
    }
  }

  @Test
  void pipeTakesAnAccessTokenAndSaysWhatACloseMeans() throws Exception {
    String secret = "a-secret-of-enough-bytes";
    RelayProcess relay = RelayProcess.start(Map.of("ARC_RELAY_ACCESS_SECRET", secret),
        "start", "--host", "127.0.0.1", "--port", "0", "--pair-ttl", "1s");
    int port = relay.port();
    String token = io.arcrelay.edge.AccessToken.mint(io.arcrelay.edge.AccessToken.secretFrom(secret), "tokened",
        java.time.Instant.now().plusSeconds(600));
    // With the token (from the environment, out of sight of ps) the pipe gets in and waits alone
    // until pairTtl closes it: 1001, told with its meaning. An http:// URL is the relay's ws:// one.
    ProcessBuilder withToken = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
        ArcRelay.class.getName(), "pipe", "--pair", "tokened", "--relay", "http://127.0.0.1:" + port);
    withToken.environment().put(PipeCommand.TOKEN_ENV, token);
    Process pipe = withToken.start();
    assertTrue(pipe.waitFor(60, TimeUnit.SECONDS));
    String said = new String(pipe.getErrorStream().readAllBytes());
    assertEquals("arc-relay pipe: closed by the relay: 1001 (going away: pair expired)\n", said);
    assertEquals(1, pipe.exitValue());
    // Without it: refused, one line.
    Process refused = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
        ArcRelay.class.getName(), "pipe", "--pair", "tokened", "--relay", "ws://127.0.0.1:" + port).start();
    assertTrue(refused.waitFor(60, TimeUnit.SECONDS));
    assertEquals("arc-relay pipe: relay refused the pair: 401 missing, expired or invalid token\n",
        new String(refused.getErrorStream().readAllBytes()));
    assertEquals(1, refused.exitValue());
    relay.terminate();
    assertEquals(0, relay.awaitExit());
  }

  @Test
  void pipeCopiesStdinToThePeerAndThePeerToStdout() throws Exception {
    RelayProcess relay = RelayProcess.start("start", "--host", "127.0.0.1", "--port", "0");
    int port = relay.port();
    TestClient peer = TestClient.join(client, TestClient.uri(port, "piped"));
    peer.send(Buffer.buffer("held until the pipe joins, "));
    Process pipe = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
        ArcRelay.class.getName(), "pipe", "--pair", "piped", "--relay", "ws://127.0.0.1:" + port).start();
    pipe.getOutputStream().write("from stdin".getBytes());
    pipe.getOutputStream().flush();
    assertEquals("from stdin", peer.next().toString());
    peer.send(Buffer.buffer("then to stdout"));
    String expected = "held until the pipe joins, then to stdout";
    byte[] out = CompletableFuture.supplyAsync(() -> readStdout(pipe, expected.length()))
        .get(TestClient.WAIT_SECONDS, TimeUnit.SECONDS); // a lost message would block the read forever
    assertEquals(expected, new String(out));
    peer.close();
    assertTrue(pipe.waitFor(60, TimeUnit.SECONDS), "pipe exits when its peer leaves");
    assertEquals(0, pipe.exitValue());
    relay.terminate();
    assertEquals(0, relay.awaitExit());
  }

  private static byte[] readStdout(Process process, int bytes) {
    try {
      return process.getInputStream().readNBytes(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String java() {
    return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
