package io.arcrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Await;
import io.arcrelay.Relay;
import io.arcrelay.TestCertificate;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.config.ConfigException;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.config.Setting;
import io.arcrelay.ops.RelayMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.internal.VertxInternal;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two relay nodes whose event bus runs over TLS with certificates from one CA, made by openssl for
 * this test, and a third Vert.x node that joins the same Hazelcast cluster (which takes no
 * credentials) with a certificate that CA did not sign: what any pod able to reach port 5701 could
 * do. The two relay nodes pair clients across them; the third can neither deliver a message to them
 * nor receive one from them.
 */
class EventBusTlsTest {

  @TempDir
  static Path dir;

  private static TestCertificate ca;
  private static Vertx node1;
  private static Vertx node2;
  private static Relay relay1;
  private static Relay relay2;
  private static Vertx clients;
  private static WebSocketClient client;

  /** A clustered node showing {@code certificate} and trusting the cluster's CA. */
  private static RelayConfig nodeConfig(TestCertificate certificate) {
    return TestRelays.config(Setting.CLUSTER, "true", Setting.CLUSTER_CONFIG, "classpath:test-cluster.xml",
        Setting.CLUSTER_TLS_CERT, certificate.certificate().toString(),
        Setting.CLUSTER_TLS_KEY, certificate.key().toString(),
        Setting.CLUSTER_TLS_CA, ca.certificate().toString());
  }

  @BeforeAll
  static void formCluster() throws IOException {
    ca = TestCertificate.authority(dir, "cluster-ca");
    node1 = Relay.vertx(nodeConfig(ca.sign(dir, "node1")), new RelayMetrics()).await();
    node2 = Relay.vertx(nodeConfig(ca.sign(dir, "node2")), new RelayMetrics()).await();
    relay1 = Relay.start(node1, TestRelays.config()).await();
    relay2 = Relay.start(node2, TestRelays.config()).await();
    clients = Vertx.vertx();
    client = TestClient.newClient(clients);
  }

  @AfterAll
  static void leaveCluster() {
    clients.close().await();
    node2.close().await();
    node1.close().await();
  }

  @Test
  void nodesWithCertificatesFromTheClusterCaPairAcrossTheEncryptedEventBus() {
    String code = "tls-" + System.nanoTime();
    TestClient a = TestClient.join(client, TestClient.uri(relay1.port(), code));
    TestClient b = TestClient.join(client, TestClient.uri(relay2.port(), code));
    a.assertReaches(b, "from node 1 to node 2 over TLS");
    b.assertReaches(a, "and back");
  }

  @Test
  void aNodeWhoseCertificateTheCaDidNotSignCanNeitherSendNorReceive() throws IOException {
    // It knows the cluster's CA certificate (no secret) and so accepts the relay nodes as servers:
    // what keeps its messages out is the relay nodes asking for its certificate.
    TestCertificate outsiderCa = TestCertificate.authority(dir, "outsider-ca");
    Vertx outsider = Relay.vertx(nodeConfig(outsiderCa.sign(dir, "outsider")), new RelayMetrics()).await();
    AtomicInteger reachedNode1 = new AtomicInteger();
    AtomicInteger reachedOutsider = new AtomicInteger();
    MessageConsumer<String> onNode1 = node1.eventBus().<String>consumer("tls-test.node1", message -> {
      reachedNode1.incrementAndGet();
      message.reply("pong");
    });
    MessageConsumer<String> onOutsider = outsider.eventBus().<String>consumer("tls-test.outsider", message -> {
      reachedOutsider.incrementAndGet();
      message.reply("pong");
    });
    try {
      onNode1.completion().await();
      onOutsider.completion().await();
      assertEquals(3, ((VertxInternal) node1).clusterManager().getNodes().size(), "the outsider is a Hazelcast member");
      // Node 2 learns of the consumer from Hazelcast a moment after it registers: until then, no handlers.
      assertEquals("pong", Await.eventually(() -> node2.eventBus().request("tls-test.node1", "ping").await().body()),
          "a node holding a certificate from the CA reaches node 1");

      // Relay node to outsider: node 1 refuses the outsider's certificate during the handshake, so
      // the write itself fails (a request would only time out: Vert.x fails it with no reply).
      Throwable refusedServer = firstRoutedFailure(() -> node1.eventBus().<String>sender("tls-test.outsider").write("frame"));
      assertTrue(causedBy(refusedServer, SSLException.class), "refused in the TLS handshake: " + refusedServer);

      // Outsider to relay node: node 1 asks for a client certificate and refuses the outsider's;
      // nothing it sent is read, so its request has no answer.
      Throwable unanswered = firstRoutedFailure(() -> outsider.eventBus().request("tls-test.node1", "ping",
          new DeliveryOptions().setSendTimeout(TimeUnit.SECONDS.toMillis(3))));
      assertEquals(ReplyFailure.TIMEOUT, assertInstanceOf(ReplyException.class, unanswered).failureType(),
          "no answer: " + unanswered);

      assertEquals(1, reachedNode1.get(), "node 1 heard only node 2");
      assertEquals(0, reachedOutsider.get(), "the outsider heard nothing");
    } finally {
      onNode1.unregister().await();
      outsider.close().await();
    }
  }

  @Test
  void aPartialSetOfClusterTlsFilesIsRefusedAtStart() {
    ConfigException missingCa = assertThrows(ConfigException.class, () -> TestRelays.config(
        Setting.CLUSTER_TLS_CERT, "node.crt", Setting.CLUSTER_TLS_KEY, "node.key"));
    assertEquals("cluster-tls-cert, cluster-tls-key and cluster-tls-ca: give all three or none (missing: cluster-tls-ca)",
        missingCa.getMessage());
    ConfigException missingFile = assertThrows(ConfigException.class, () -> Relay.vertx(TestRelays.config(
        Setting.CLUSTER, "true", Setting.CLUSTER_CONFIG, "classpath:test-cluster.xml",
        Setting.CLUSTER_TLS_CERT, dir.resolve("node1.crt").toString(),
        Setting.CLUSTER_TLS_KEY, dir.resolve("node1.key").toString(),
        Setting.CLUSTER_TLS_CA, dir.resolve("no-such-ca.crt").toString()), new RelayMetrics()));
    assertEquals("cluster-tls-ca: " + dir.resolve("no-such-ca.crt") + " does not exist", missingFile.getMessage());
  }

  /**
   * Sends until the sender's view of the cluster's consumers (updated from Hazelcast a moment after
   * a registration) routes the message to a node, and returns how that send failed; fails the test
   * if it succeeded.
   */
  private static Throwable firstRoutedFailure(Supplier<Future<?>> send) {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Await.until("the message is routed to a node", () -> {
      Throwable cause = send.get().transform(done -> Future.succeededFuture(done.cause()))
          .toCompletionStage().toCompletableFuture().join();
      failure.set(cause);
      return !(cause instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS);
    });
    assertNotNull(failure.get(), "the message was delivered");
    return failure.get();
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable cause = t; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (type.isInstance(cause)) return true;
    }
    return false;
  }
}
