package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arcrelay.Relay;
import io.arcrelay.TestRelays;
import io.arcrelay.config.Setting;
import io.arcrelay.tunnel.agent.TunnelAgent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A popular tunnel serves its visitors: the agent's data connections (one per visitor connection,
 * all from the agent's one address) are not held to the per-address cap meant for anonymous
 * clients, while visitors are, so one address with hundreds of slow connections cannot starve the
 * others. Visitors come from 127.0.0.2-127.0.0.22 (every 127/8 address is this machine's loopback);
 * the agent from 127.0.0.1.
 */
class TunnelCapacityTest {

  private static final String TOKEN = "capacity-token";
  private static final int ADDRESSES = 20;

  private Vertx vertx;
  private Vertx agentVertx;
  private Relay relay;
  private final List<HttpClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    relay = Relay.start(vertx, TestRelays.config(Setting.TUNNEL_TOKENS, TOKEN, Setting.MAX_CONNECTIONS_PER_IP, "256",
        // A thousand links set up at once on a busy two-core machine: the caps are tested here, not the clock.
        Setting.TUNNEL_CONNECT_TIMEOUT, "60s"))
        .await();
    LocalService service = LocalService.start(vertx);
    agentVertx = Vertx.vertx();
    new TunnelAgent(agentVertx, new TunnelAgent.Options(URI.create("http://127.0.0.1:" + service.port()),
        URI.create("ws://127.0.0.1:" + relay.port()), TOKEN, "popular"), line -> { }).start().await();
    for (int i = 0; i < ADDRESSES; i++) {
      clients.add(vertx.createHttpClient(new HttpClientOptions().setLocalAddress("127.0.0." + (3 + i))
          .setDefaultPort(relay.port()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(50)));
    }
  }

  @AfterEach
  void stop() {
    agentVertx.close().await();
    vertx.close().await();
  }

  @Test
  void aThousandKeepAliveVisitorsThroughOneAgentAreAllServed() {
    for (int round = 0; round < 2; round++) { // the second round reuses the thousand connections
      Map<Integer, Integer> statuses = requests(50);
      assertEquals(Map.of(200, ADDRESSES * 50), statuses, "round " + round);
    }
  }

  @Test
  void oneAddressWithHundredsOfSlowBodiesStarvesNobodyElse() throws IOException {
    List<Socket> slow = new ArrayList<>();
    try {
      InetAddress attacker = InetAddress.getByName("127.0.0.2");
      for (int i = 0; i < 300; i++) {
        Socket socket = new Socket();
        slow.add(socket);
        socket.bind(new InetSocketAddress(attacker, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", relay.port()));
        OutputStream out = socket.getOutputStream();
        out.write(("POST /upload HTTP/1.1\r\nHost: popular.localhost\r\nContent-Length: 1000000\r\n\r\nfirst bytes")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      Map<Integer, Integer> statuses = requests(5);
      assertEquals(Map.of(200, ADDRESSES * 5), statuses, "what the other addresses got");
    } finally {
      for (Socket socket : slow) socket.close();
    }
  }

  /** {@code perAddress} concurrent GETs from each address; the statuses counted. */
  private Map<Integer, Integer> requests(int perAddress) {
    List<Future<Integer>> answers = new ArrayList<>();
    for (HttpClient client : clients) {
      for (int i = 0; i < perAddress; i++) {
        answers.add(client.request(new RequestOptions().setMethod(HttpMethod.GET)
                .setServer(SocketAddress.inetSocketAddress(relay.port(), "127.0.0.1")).setHost("popular.localhost")
                .setURI("/hello"))
            .compose(request -> request.send().compose(response -> response.body().map(body -> response.statusCode()))));
      }
    }
    Map<Integer, Integer> statuses = new TreeMap<>();
    for (Future<Integer> answer : answers) {
      statuses.merge(answer.otherwise(-1).await(), 1, Integer::sum);
    }
    return statuses;
  }
}
