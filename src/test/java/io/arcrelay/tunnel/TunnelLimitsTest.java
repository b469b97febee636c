package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Per-address upgrade limits are for anonymous clients: an agent opens one data connection per
 * visitor connection, so with its token it is not held to them.
 */
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
}
