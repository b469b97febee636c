package io.arcrelay.tunnel;

import io.arcrelay.Await;
import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.config.Setting;
import io.arcrelay.splice.FramePayloads;
import io.arcrelay.tunnel.agent.TunnelAgent;
import io.arcrelay.tunnel.protocol.LinkMessages;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The relay's limits applied to tunnels: per-address rates, stalled readers, the largest frames. */
class TunnelLimitsTest {

  @Test
  void anAgentsDataConnectionsAreNotHeldToTheUpgradeRate() {
    Vertx vertx = Vertx.vertx();
    try {
      Relay relay = Relay.start(vertx, TestRelays.config(Setting.TUNNEL_TOKENS, "t", Setting.UPGRADES_PER_IP, "1")).await();
      LocalService service = LocalService.start(vertx);
      TunnelAgent agent = new TunnelAgent(vertx, new TunnelAgent.Options(URI.create("http://127.0.0.1:" + service.port()),
          URI.create("ws://127.0.0.1:" + relay.port()), "t", "busy"), line -> { });
      agent.start().await();
      HttpClient visitors = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)); // a connection each
      for (int i = 0; i < 10; i++) {
        int status = visitors.request(new RequestOptions().setMethod(HttpMethod.GET)
                .setServer(SocketAddress.inetSocketAddress(relay.port(), "127.0.0.1")).setHost("busy.localhost")
                .setPort(relay.port()).setURI("/hello").setTimeout(TimeUnit.SECONDS.toMillis(TestClient.WAIT_SECONDS)))
            .compose(req -> req.send().compose(res -> res.body().map(body -> res.statusCode())))
            .await();
        assertEquals(200, status, "visitor connection " + i);
      }
      agent.stop().await();
      relay.stop().await();
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void aVisitorThatStopsReadingLosesItsLinkAfterTheStallTimeoutAndItsConnection() {
    Vertx vertx = Vertx.vertx();
    try {
      Relay relay = Relay.start(vertx, TestRelays.config(Setting.TUNNEL_TOKENS, "t",
          Setting.STALL_TIMEOUT, "1s", Setting.PING_INTERVAL, "300ms")).await();
      LocalService service = LocalService.start(vertx);
      TunnelAgent agent = new TunnelAgent(vertx, new TunnelAgent.Options(URI.create("http://127.0.0.1:" + service.port()),
          URI.create("ws://127.0.0.1:" + relay.port()), "t", "slow"), line -> { });
      agent.start().await();
      NetSocket visitor = vertx.createNetClient().connect(relay.port(), "127.0.0.1").await();
      CompletableFuture<Void> closed = new CompletableFuture<>();
      visitor.closeHandler(v -> closed.complete(null));
      visitor.pause(); // reads nothing, ever
      visitor.write("GET /download?size=" + (512L * 1024 * 1024) + "&seed=1 HTTP/1.1\r\nHost: slow.localhost\r\n\r\n");
      Await.until("the relay holds bytes for the visitor", () -> relay.memory().used() > 0);
      // The link ends: the agent drops its local connection.
      Await.until("the agent's local connection is closed", () -> service.openConnections() == 0);
      // A socket that reads nothing cannot see its end either: read what it was sent, then the close.
      visitor.handler(bytes -> { });
      visitor.resume();
      closed.orTimeout(TestClient.WAIT_SECONDS, TimeUnit.SECONDS).join();
      Await.until("the relay holds nothing for it any more", () -> relay.memory().used() == 0);
      agent.stop().await();
      relay.stop().await();
    } finally {
      vertx.close().await();
    }
  }

  private static final int ONE_MIB = 1 << 20; // queueLimit's default

  /**
   * An agent's link carries messages of at most a head and 64 KiB of body ({@link
   * LinkMessages#MAX_MESSAGE}; a bigger one ends the link, see {@link HostileAgentTest}): a visitor
   * that stops reading holds the relay to about its {@code queueLimit}, which the relay writes to the
   * visitor without a copy and frees once written. Nothing is lost when the visitor reads again.
   */
  @Test
  void aStoppedVisitorHoldsTheRelayToAboutItsQueueLimitAndGetsEveryByte() {
    Vertx vertx = Vertx.vertx();
    try {
      Relay relay = Relay.start(vertx, TestRelays.config(Setting.TUNNEL_TOKENS, "t")).await();
      long payloadsBefore = FramePayloads.inUse();
      WebSocketClient wsClient = vertx.createWebSocketClient();
      StubAgent stub = StubAgent.register(wsClient, relay.port(), "t", "huge");
      NetSocket visitor = vertx.createNetClient().connect(relay.port(), "127.0.0.1").await();
      AtomicLong bodyBytes = new AtomicLong();
      StringBuilder head = new StringBuilder();
      visitor.handler(bytes -> {
        if (head.indexOf("\r\n\r\n") >= 0) {
          bodyBytes.addAndGet(bytes.length());
          return;
        }
        head.append(bytes.toString(StandardCharsets.ISO_8859_1));
        int end = head.indexOf("\r\n\r\n");
        if (end >= 0) bodyBytes.addAndGet(head.length() - end - 4);
      });
      visitor.pause(); // reads nothing until told
      visitor.write("GET /huge HTTP/1.1\r\nHost: huge.localhost\r\n\r\n");
      WebSocket link = wsClient.connect(stub.dataOptions(stub.nextOpen(), stub.session())).await();

      int frames = 1024;
      int chunk = LinkMessages.MAX_CHUNK; // 64 MiB in all
      long total = (long) frames * chunk;
      LinkMessages.response(200, MultiMap.caseInsensitiveMultiMap().add("content-length", String.valueOf(total)),
          false, null, false, link::writeFrame);
      AtomicInteger written = new AtomicInteger();
      Runnable[] pump = new Runnable[1];
      pump[0] = () -> {
        if (written.get() == frames) return;
        link.writeFrame(LinkMessages.frame(LinkMessages.BODY, Buffer.buffer(new byte[chunk]))).onSuccess(v -> {
          written.incrementAndGet();
          pump[0].run();
        });
      };
      vertx.runOnContext(v -> pump[0].run());

      Await.until("the relay holds a queue for the stopped visitor", () -> relay.memory().used() >= ONE_MIB / 2);
      TestClient[] other = {TestClient.join(wsClient, TestClient.uri(relay.port(), "beside-huge")),
          TestClient.join(wsClient, TestClient.uri(relay.port(), "beside-huge"))};
      long peak = 0;
      for (int i = 0; i < 30; i++) { // time passing, measured in the work of others
        other[0].assertReaches(other[1], "round trip " + i);
        peak = Math.max(peak, relay.memory().used());
      }
      assertTrue(written.get() < frames, "the agent's link was held back, having written " + written.get());
      assertTrue(peak <= ONE_MIB + 4L * chunk, "the relay held " + peak + " bytes");

      visitor.resume();
      Await.until("every byte reaches the visitor", () -> bodyBytes.get() == total);
      Await.until("the relay holds nothing", () -> relay.memory().used() == 0);
      Await.until("every payload is freed", () -> FramePayloads.inUse() == payloadsBefore);
      other[0].close();
      other[1].close();
      link.close();
      stub.close();
      relay.stop().await();
    } finally {
      vertx.close().await();
    }
  }
}
