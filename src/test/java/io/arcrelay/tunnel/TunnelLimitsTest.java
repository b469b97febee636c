package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arcrelay.Await;
import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.config.Setting;
import io.arcrelay.tunnel.agent.TunnelAgent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The relay's limits applied to tunnels: per-address rates, stalled readers. */
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
}
