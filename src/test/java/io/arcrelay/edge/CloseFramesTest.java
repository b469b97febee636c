package io.arcrelay.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arcrelay.Await;
import io.arcrelay.Http;
import io.arcrelay.RawWebSocket;
import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.config.Setting;
import io.arcrelay.ops.RelayMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client the relay breaks off for a protocol error reads its close frame before its connection
 * ends: with megabytes still on their way to the relay behind its bad frame (the relay's close
 * lingers, {@link LingeringClose}, instead of resetting the connection), and with its bad frame
 * sent along with its upgrade request (the 101 goes out first). Every lingering connection is let go,
 * a client that never closes when the linger ends.
 */
class CloseFramesTest {

  private static final int CLIENTS = 64;
  /** Sent behind the bad frame: more than the relay's receive buffer and the client's send buffer take at first. */
  private static final int IN_FLIGHT = 4 << 20;

  private Vertx clientVertx;
  private Vertx relayVertx;
  private Relay relay;

  @BeforeEach
  void start() {
    clientVertx = Vertx.vertx();
    relayVertx = Vertx.vertx();
    relay = Relay.start(relayVertx, TestRelays.config(Setting.MAX_FRAME_SIZE, "1MiB"), new RelayMetrics()).await();
  }

  @AfterEach
  void stop() {
    relay.stop().await();
    relayVertx.close().await();
    clientVertx.close().await();
  }

  /** Frames the frame decoder refuses at their header, with the code each is closed with. */
  private static final Map<String, Integer> VIOLATIONS = Map.of(
      "an unmasked client frame", 1002,
      "a reserved opcode", 1002,
      "a reserved bit", 1002,
      "a frame over maxFrameSize", 1009);

  private static Buffer violation(String what) {
    return switch (what) {
      case "an unmasked client frame" -> Buffer.buffer(new byte[] {(byte) 0x82, 0x03, 'a', 'b', 'c'});
      case "a reserved opcode" -> RawWebSocket.frame(0x83, Buffer.buffer("abc"));
      case "a reserved bit" -> RawWebSocket.frame(0xC2, Buffer.buffer("abc"));
      default -> RawWebSocket.frame(0x82, Buffer.buffer(new byte[(1 << 20) + 1])).getBuffer(0, 14);
    };
  }

  @Test
  void everyClientClosedForAProtocolErrorReadsItsCloseCodeBeforeItsConnectionEnds() {
    List<String> kinds = List.copyOf(VIOLATIONS.keySet());
    Buffer inFlight = Buffer.buffer(new byte[IN_FLIGHT]);
    List<RawWebSocket> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(RawWebSocket.connect(clientVertx, TestClient.uri(relay.port(), "lingering-" + i)));
    }
    for (int i = 0; i < CLIENTS; i++) {
      RawWebSocket client = clients.get(i);
      client.send(violation(kinds.get(i % kinds.size())));
      client.send(inFlight); // still being sent when the relay reads the bad frame
    }

    List<String> missed = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      String kind = kinds.get(i % kinds.size());
      int code = clients.get(i).closeCode(); // -1: the connection ended without a close frame
      if (code != VIOLATIONS.get(kind)) missed.add("client " + i + " (" + kind + "): " + code);
    }
    assertEquals(List.of(), missed, "clients whose close code did not arrive, of " + CLIENTS);
    assertEverythingLetGo();
  }

  @Test
  void aBadFrameSentWithTheUpgradeRequestIsAnsweredWith101ThenItsCloseCode() {
    List<String> wrong = new ArrayList<>();
    int n = 0;
    for (String kind : VIOLATIONS.keySet()) {
      String uri = TestClient.uri(relay.port(), "with-request-" + n++);
      RawWebSocket client = RawWebSocket.open(clientVertx, uri, "127.0.0.1");
      client.send(RawWebSocket.upgradeRequest(uri, "").appendBuffer(violation(kind))); // one write, one segment
      String answer = client.answer();
      int code = client.closeCode();
      if (!answer.startsWith("HTTP/1.1 101") || code != VIOLATIONS.get(kind)) {
        wrong.add(kind + ": answered '" + answer.lines().findFirst().orElse("") + "', closed with " + code);
      }
    }
    assertEquals(List.of(), wrong);
    assertEverythingLetGo();
  }

  @Test
  void aClientThatNeverClosesIsLetGoWhenTheLingerEnds() throws IOException {
    String uri = TestClient.uri(relay.port(), "never-closes");
    // A plain socket that is never read: unlike a Vert.x one, it does not close when the relay's FIN comes.
    try (Socket client = new Socket("127.0.0.1", relay.port())) {
      client.getOutputStream().write(RawWebSocket.upgradeRequest(uri, "").appendBuffer(violation("a reserved opcode")).getBytes());
      Await.until("the relay lingers on its connection", () -> LingeringClose.lingering() == 1);
      assertEverythingLetGo();
    }
  }

  private void assertEverythingLetGo() {
    Http http = new Http(clientVertx, relay.port());
    Await.until("no connection lingers", () -> metric(http, "arc_relay_lingering_connections") == 0.0);
    Await.until("only the scrape's connection is open", () -> metric(http, "arc_relay_tcp_connections") == 1.0);
  }

  private static double metric(Http http, String sample) {
    return http.get("/metrics").samples().getOrDefault(sample, Double.NaN);
  }
}
