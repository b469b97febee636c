package io.arcrelay.tunnel;

import io.arcrelay.TestClient;
import io.arcrelay.tunnel.protocol.LinkMessages;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An agent reduced to its control socket: registers a name and reports the links it is asked to open. */
final class StubAgent {
  private final WebSocket control;
  private final String token;
  private final int port;
  private final CompletableFuture<String> session = new CompletableFuture<>();
  private final LinkedBlockingQueue<String> opens = new LinkedBlockingQueue<>();

  private StubAgent(WebSocket control, String token, int port) {
    this.control = control;
    this.token = token;
    this.port = port;
  }

  /** Registers {@code name}; fails the test unless the relay answers {@code registered}. */
  static StubAgent register(WebSocketClient client, int port, String token, String name) {
    StubAgent stub = hello(client, port, token, name);
    stub.session();
    return stub;
  }

  /** Sends the hello for {@code name}; {@link #outcome()} tells how the relay answered. */
  static StubAgent hello(WebSocketClient client, int port, String token, String name) {
    return hello(client, port, token, name, LinkMessages.VERSION);
  }

  /** Sends the hello of an agent of {@code version}. */
  static StubAgent hello(WebSocketClient client, int port, String token, String name, int version) {
    WebSocket ws = client.connect(new WebSocketConnectOptions().setPort(port).setHost("127.0.0.1")
        .setURI("/_tunnel/control").addHeader("Authorization", "Bearer " + token)).await();
    StubAgent stub = new StubAgent(ws, token, port);
    ws.textMessageHandler(text -> {
      JsonObject message = new JsonObject(text);
      if ("registered".equals(message.getString("type"))) stub.session.complete(message.getString("session"));
      if ("open".equals(message.getString("type"))) stub.opens.add(message.getString("id"));
      if ("error".equals(message.getString("type"))) stub.session.completeExceptionally(new IllegalStateException(message.getString("code")));
    });
    ws.closeHandler(v -> stub.session.completeExceptionally(new IllegalStateException("closed " + ws.closeStatusCode())));
    ws.writeTextMessage(new JsonObject().put("type", "hello").put("v", version).put("name", name).encode());
    return stub;
  }

  /** {@code registered}, or the code of the relay's error ({@code name-taken}, say). */
  String outcome() {
    try {
      session();
      return "registered";
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof IllegalStateException refused) return refused.getMessage();
      throw e;
    }
  }

  String session() {
    return session.orTimeout(TestClient.WAIT_SECONDS, TimeUnit.SECONDS).join();
  }

  String nextOpen() {
    try {
      String id = opens.poll(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);
      if (id == null) throw new AssertionError("no open came");
      return id;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** A data connection for {@code linkId} claiming {@code session}, with this stub's token. */
  WebSocketConnectOptions dataOptions(String linkId, String session) {
    return new WebSocketConnectOptions().setPort(port).setHost("127.0.0.1")
        .setURI("/_tunnel/data?id=" + linkId).addHeader("Authorization", "Bearer " + token)
        .addHeader("X-Arc-Session", session);
  }

  void close() {
    control.close().await();
  }
}
