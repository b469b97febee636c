package io.arcrelay.cli;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.arcrelay.tunnel.agent.CloseCodes;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code arc-relay pipe}: joins a pair and copies stdin to the peer (binary messages of up to 64 KiB)
 * and every binary message from the peer to stdout. Runs until the relay closes the socket (the peer
 * left) or the user interrupts it; reaching the end of stdin does not close the pair, so what was
 * sent is still delivered to a peer that joins later.
 */
@Command(name = "pipe", description = "Join a pair: stdin goes to the peer, the peer's bytes go to stdout.")
final class PipeCommand implements Callable<Integer> {

  private static final int CHUNK = 64 * 1024;

  @Option(names = "--pair", required = true, paramLabel = "<code>", description = "the pair code")
  private String pair;

  @Option(names = "--relay", paramLabel = "<url>", defaultValue = "ws://127.0.0.1:8765",
      description = "relay URL, ws:// or wss:// (http:// and https:// are taken as those) (default: ${DEFAULT-VALUE})")
  private String relay;

  /** Where the access token may come from instead of --token, out of sight of {@code ps}. */
  static final String TOKEN_ENV = "ARC_RELAY_ACCESS_TOKEN";

  @Option(names = "--token", paramLabel = "<token>",
      description = "access token for the code, when the relay has an accessSecret (arc-relay token mints one; or env "
          + TOKEN_ENV + "); sent as Authorization: Bearer")
  private String token;

  @Override
  public Integer call() {
    URI relayUri;
    try {
      relayUri = RelayUrl.parse("--relay", relay);
    } catch (UsageError e) {
      System.err.println("arc-relay pipe: " + e.getMessage());
      return 2;
    }
    String access = token != null ? token : System.getenv(TOKEN_ENV);
    Vertx vertx = Vertx.vertx();
    try {
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
          .setMaxFrameSize(CHUNK).setMaxMessageSize(64 * 1024 * 1024));
      // Handlers are set before connecting: what the peer sent before this side joined arrives
      // together with the upgrade answer, and a socket without handlers would drop it.
      ClientWebSocket ws = client.webSocket();
      CompletableFuture<Integer> closed = new CompletableFuture<>();
      OutputStream out = System.out;
      ws.binaryMessageHandler(data -> {
        try {
          out.write(data.getBytes());
          out.flush();
        } catch (IOException e) {
          ws.close();
        }
      });
      AtomicBoolean leaving = new AtomicBoolean();
      ws.closeHandler(v -> {
        if (!leaving.get()) {
          System.err.println("arc-relay pipe: closed by the relay: " + CloseCodes.describe(ws.closeStatusCode(), ws.closeReason()));
        }
        closed.complete(ws.closeStatusCode() != null && ws.closeStatusCode() == 1000 ? 0 : 1);
      });
      // Ctrl-C or SIGTERM: say goodbye properly, so the peer is told 1000 and not 1011.
      Thread goodbye = new Thread(() -> {
        leaving.set(true);
        ws.close().toCompletionStage().toCompletableFuture().completeOnTimeout(null, 2, TimeUnit.SECONDS).join();
      });
      WebSocketConnectOptions connect = new WebSocketConnectOptions().setAbsoluteURI(withPair(relayUri, pair));
      if (access != null && !access.isBlank()) connect.addHeader(HttpHeaders.AUTHORIZATION, "Bearer " + access.strip());
      ws.connect(connect).await();
      Runtime.getRuntime().addShutdownHook(goodbye);
      Thread reader = new Thread(() -> copyStdin(ws), "stdin");
      reader.setDaemon(true);
      reader.start();
      int status = closed.join();
      try {
        Runtime.getRuntime().removeShutdownHook(goodbye);
      } catch (IllegalStateException shuttingDown) {
        // the hook is already running: it closed the socket
      }
      return status;
    } catch (UpgradeRejectedException e) {
      String body = e.getBody() == null ? "" : e.getBody().toString().trim();
      System.err.println("arc-relay pipe: relay refused the pair: " + e.getStatus() + " " + body);
      return 1;
    } catch (Exception e) {
      String why = e instanceof java.net.ConnectException ? "connection refused (is the relay running, and is --relay right?)"
          : e instanceof java.net.UnknownHostException ? "unknown host " + relayUri.getHost() : e.getMessage();
      System.err.println("arc-relay pipe: cannot reach the relay at " + relayUri + ": " + why);
      return 1;
    } finally {
      vertx.close();
    }
  }

  /** Blocking reads on their own thread; waiting on each write bounds what is queued to one chunk. */
  private static void copyStdin(WebSocket ws) {
    InputStream in = System.in;
    byte[] chunk = new byte[CHUNK];
    try {
      int n;
      while ((n = in.read(chunk)) >= 0) {
        if (n > 0) ws.writeBinaryMessage(Buffer.buffer(Arrays.copyOf(chunk, n))).await();
      }
    } catch (Exception e) {
      ws.close((short) 1011, "stdin failed");
    }
  }

  static String withPair(URI relay, String code) {
    String base = relay.toString();
    String separator = relay.getRawQuery() == null ? "?" : "&";
    return base + separator + "pair=" + URLEncoder.encode(code, StandardCharsets.UTF_8);
  }
}
