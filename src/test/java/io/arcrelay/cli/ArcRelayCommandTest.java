package io.arcrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The command line as a user runs it: a separate process, real signals, real exit codes. */
class ArcRelayCommandTest {

  private final Vertx vertx = Vertx.vertx();
  private final WebSocketClient client = TestClient.newClient(vertx);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void sigtermClosesEverySocketWith1001AndExitsZero() throws Exception {
    RelayProcess relay = RelayProcess.start("start", "--host", "127.0.0.1", "--port", "0");
    int port = relay.port();
    TestClient a = TestClient.join(client, TestClient.uri(port, "proc"));
    TestClient b = TestClient.join(client, TestClient.uri(port, "proc"));
    a.assertReaches(b, "hello through a real process");
    TestClient waiting = TestClient.join(client, TestClient.uri(port, "alone"));

    relay.terminate();
    a.assertClosedWith(1001, "relay stopping");
    b.assertClosedWith(1001, "relay stopping");
    waiting.assertClosedWith(1001, "relay stopping");
    assertEquals(0, relay.awaitExit(), relay.stderr());
    assertFalse(relay.stderr().contains("proc"), "the pair code never reaches the log");
  }

  @Test
  void aBadValueIsOneLineAndExitCodeTwo() throws Exception {
    RelayProcess relay = RelayProcess.start("start", "--pair-ttl", "soon");
    assertEquals(2, relay.awaitExit());
    assertEquals("arc-relay: --pair-ttl: expected a duration like 250ms, 30s, 5m or 1h, got 'soon'\n", relay.stderr());
  }

  @Test
  void pipeCopiesStdinToThePeerAndThePeerToStdout() throws Exception {
    RelayProcess relay = RelayProcess.start("start", "--host", "127.0.0.1", "--port", "0");
    int port = relay.port();
    TestClient peer = TestClient.join(client, TestClient.uri(port, "piped"));
    Process pipe = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
        ArcRelay.class.getName(), "pipe", "--pair", "piped", "--relay", "ws://127.0.0.1:" + port).start();
    pipe.getOutputStream().write("from stdin".getBytes());
    pipe.getOutputStream().flush();
    assertEquals("from stdin", peer.next().toString());
    peer.send(Buffer.buffer("to stdout"));
    byte[] out = pipe.getInputStream().readNBytes("to stdout".length());
    assertEquals("to stdout", new String(out));
    peer.close();
    assertTrue(pipe.waitFor(60, TimeUnit.SECONDS), "pipe exits when its peer leaves");
    assertEquals(0, pipe.exitValue());
    relay.terminate();
    assertEquals(0, relay.awaitExit());
  }

  private static String java() {
    return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
