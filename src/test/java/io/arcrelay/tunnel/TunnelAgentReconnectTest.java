package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.config.Setting;
import io.arcrelay.tunnel.agent.TunnelAgent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The agent outlives its relay: when the relay stops (1001) and a new one comes up on the same
 * port, the agent reconnects by itself and serves under the name it had, a random one included.
 */
class TunnelAgentReconnectTest {

  @Test
  void theAgentComesBackUnderItsNameAfterTheRelayRestarts() {
    Vertx relayVertx = Vertx.vertx();
    Vertx vertx = Vertx.vertx();
    Vertx agentVertx = Vertx.vertx();
    try {
      Relay first = Relay.start(relayVertx, TestRelays.config(Setting.TUNNEL_TOKENS, "t")).await();
      int port = first.port();
      LocalService service = LocalService.start(vertx);
      List<String> states = new CopyOnWriteArrayList<>();
      TunnelAgent agent = new TunnelAgent(agentVertx, new TunnelAgent.Options(URI.create("http://127.0.0.1:" + service.port()),
          URI.create("ws://127.0.0.1:" + port), "t", null), states::add);
      String url = agent.start().await();
      String name = URI.create(url).getHost().replace(".localhost", "");
      first.stop().await();
      Relay second = Relay.start(relayVertx, TestRelays.config(Setting.TUNNEL_TOKENS, "t", Setting.PORT, String.valueOf(port))).await();
      HttpClient client = vertx.createHttpClient();
      int status = io.arcrelay.Await.eventually(() -> {
        int answer = client.request(new RequestOptions().setMethod(HttpMethod.GET)
                .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1")).setHost(name + ".localhost").setPort(port)
                .setURI("/hello").setTimeout(TimeUnit.SECONDS.toMillis(TestClient.WAIT_SECONDS)))
            .compose(req -> req.send().compose(res -> res.body().map(body -> res.statusCode())))
            .await();
        if (answer != 200) throw new IllegalStateException("not back yet: " + answer);
        return answer;
      });
      assertEquals(200, status);
      assertEquals(2, states.stream().filter(s -> s.startsWith("online: " + url)).count(), states.toString());
      agent.stop().await();
      second.stop().await();
    } finally {
      agentVertx.close().await();
      relayVertx.close().await();
      vertx.close().await();
    }
  }
}
