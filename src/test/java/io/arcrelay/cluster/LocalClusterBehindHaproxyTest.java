package io.arcrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Await;
import io.arcrelay.SequenceCheck;
import io.arcrelay.TestClient;
import io.arcrelay.cli.RelayCluster;
import io.arcrelay.cli.RelayLogsOnFailure;
import io.arcrelay.cli.RelayProcess;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Three relay processes behind a real HAProxy (Debian package, installed by .ci/run), balancing
 * round-robin (most pairs split across nodes) or by the {@code pair} parameter (both sides on one
 * node); one node is killed with SIGKILL while every pair streams numbered messages.
 */
class LocalClusterBehindHaproxyTest {

  private final Vertx vertx = Vertx.vertx();
  private final WebSocketClient client = TestClient.newClient(vertx);
  private final List<RelayProcess> nodes = new ArrayList<>();
  @RegisterExtension
  final RelayLogsOnFailure logs = new RelayLogsOnFailure(() -> nodes);
  private Haproxy haproxy;

  @TempDir
  Path dir;

  @AfterEach
  void stop() throws Exception {
    if (haproxy != null) haproxy.close();
    for (RelayProcess node : nodes) node.kill();
    vertx.close().await();
  }

  private String startHaproxy(String balance) throws Exception {
    haproxy = Haproxy.start(dir, nodes, balance, "");
    return haproxy.url() + "/";
  }

  private static String url(String lb, String code) {
    return lb + "?pair=" + code;
  }

  /** A pair whose A side streams numbered messages to B; B notes any number out of place. */
  private static final class Stream {
    final TestClient a;
    final TestClient b;
    final AtomicLong sent = new AtomicLong();
    final SequenceCheck received = new SequenceCheck(256);

    Stream(TestClient a, TestClient b) {
      this.a = a;
      this.b = b;
      b.ws().binaryMessageHandler(received::accept);
    }

    void sendNext() {
      if (a.isOpen()) a.ws().writeBinaryMessage(SequenceCheck.numbered(sent.getAndIncrement(), 256));
    }

    /** Delivers new messages now: a pair touching the killed node never can again. */
    boolean flowsPast(long mark) {
      Await.until("the pair either flows on or is closed", () -> !a.isOpen() || !b.isOpen() || received.messages() > mark);
      return a.isOpen() && b.isOpen();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"roundrobin", "url_param pair"})
  void killingANodeUnderLoadClosesOnlyThePairsTouchingIt(String balance) throws Exception {
    // HAProxy names the client; every test client is 127.0.0.1, which re-joins in bursts
    nodes.addAll(RelayCluster.start(3, "--trusted-proxies", "127.0.0.1", "--upgrades-per-ip", "0"));
    String lb = startHaproxy(balance);
    List<Stream> streams = new ArrayList<>();
    for (int i = 0; i < 24; i++) { // 24 codes: with affinity, some land on every node
      String code = "lb-" + i;
      TestClient a = Await.eventually(() -> TestClient.join(client, url(lb, code)));
      streams.add(new Stream(a, TestClient.join(client, url(lb, code))));
    }
    long timer = vertx.setPeriodic(10, id -> streams.forEach(Stream::sendNext));
    for (Stream s : streams) assertTrue(s.flowsPast(20), "every pair flows before the kill");

    List<Long> atKill = streams.stream().map(s -> s.received.messages()).toList();
    nodes.get(2).kill();

    List<Stream> intact = new ArrayList<>();
    for (int i = 0; i < streams.size(); i++) {
      Stream s = streams.get(i);
      if (s.flowsPast(atKill.get(i) + 50)) {
        intact.add(s);
      } else {
        s.a.awaitClose();
        s.b.awaitClose();
      }
    }
    vertx.cancelTimer(timer);
    for (Stream s : intact) {
      Await.until("every message sent is delivered", () -> s.received.messages() == s.sent.get());
      assertEquals(0, s.received.outOfOrder(), "in order, none skipped");
    }
    int closed = streams.size() - intact.size();
    assertTrue(!intact.isEmpty() && closed > 0, intact.size() + " pairs intact, " + closed + " closed");
  }
}
