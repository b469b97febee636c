package io.arcrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Await;
import io.arcrelay.TestClient;
import io.arcrelay.cli.RelayProcess;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three relay processes behind a real HAProxy (Debian package, installed by .ci/run) balancing
 * round-robin, so most pairs are split across nodes; then one node is killed with SIGKILL.
 */
class LocalClusterBehindHaproxyTest {

  private final Vertx vertx = Vertx.vertx();
  private final WebSocketClient client = TestClient.newClient(vertx);
  private final List<RelayProcess> nodes = new ArrayList<>();
  private Process haproxy;

  @TempDir
  Path dir;

  @AfterEach
  void stop() throws Exception {
    if (haproxy != null) haproxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    for (RelayProcess node : nodes) node.kill();
    vertx.close().await();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private String startHaproxy(int lbPort) throws Exception {
    StringBuilder cfg = new StringBuilder(Files.readString(Path.of("conf", "haproxy.cfg"))
        .replace("    balance url_param pair", "    balance roundrobin"));
    for (int i = 0; i < nodes.size(); i++) {
      cfg.append("    server node").append(i).append(" 127.0.0.1:").append(nodes.get(i).port()).append('\n');
    }
    Path file = dir.resolve("haproxy.cfg");
    Files.writeString(file, cfg);
    ProcessBuilder pb = new ProcessBuilder("haproxy", "-f", file.toString(), "-db")
        .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile());
    pb.environment().put("ARC_RELAY_LB_PORT", Integer.toString(lbPort));
    haproxy = pb.start();
    return "ws://127.0.0.1:" + lbPort + "/";
  }

  private static String url(String lb, String code) {
    return lb + "?pair=" + code;
  }

  @Test
  void pairsThroughHaproxyRoundRobinSurviveTheDeathOfANodeTheyDoNotTouch() throws Exception {
    for (int i = 0; i < 3; i++) {
      nodes.add(RelayProcess.start("start", "--cluster", "true", "--cluster-config", "classpath:test-cluster.xml",
          "--host", "127.0.0.1", "--port", "0"));
      nodes.get(i).port(); // joined and listening before the next one starts
    }
    String lb = startHaproxy(freePort());
    int pairs = 12;
    TestClient[][] p = new TestClient[pairs][];
    for (int i = 0; i < pairs; i++) {
      String code = "lb-" + i;
      TestClient a = Await.eventually(() -> TestClient.join(client, url(lb, code)));
      p[i] = new TestClient[] {a, TestClient.join(client, url(lb, code))};
    }
    for (TestClient[] pair : p) {
      for (int m = 0; m < 50; m++) pair[0].send(Buffer.buffer().appendInt(m).appendBytes(new byte[4096]));
      for (int m = 0; m < 50; m++) assertEquals(m, pair[1].next().getInt(0), "byte-exact and in order");
    }

    nodes.get(2).kill();

    int survived = 0;
    int closed = 0;
    for (TestClient[] pair : p) {
      if (roundTripWorks(pair)) {
        for (int m = 50; m < 100; m++) pair[0].send(Buffer.buffer().appendInt(m).appendBytes(new byte[4096]));
        for (int m = 50; m < 100; m++) assertEquals(m, pair[1].next().getInt(0), "survivors lose nothing");
        survived++;
      } else {
        pair[0].awaitClose();
        pair[1].awaitClose();
        closed++;
      }
    }
    assertTrue(survived > 0 && closed > 0, survived + " pairs survived, " + closed + " closed");
  }

  /** A pair touching the dead node can never complete a round trip; one that does is intact. */
  private static boolean roundTripWorks(TestClient[] pair) {
    Await.until("the pair either round-trips or is closed", () -> !pair[0].isOpen() || !pair[1].isOpen()
        || pair[0].tryRoundTrip(pair[1]));
    return pair[0].isOpen() && pair[1].isOpen();
  }
}
