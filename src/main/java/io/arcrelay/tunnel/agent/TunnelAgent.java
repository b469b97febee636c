package io.arcrelay.tunnel.agent;

import io.arcrelay.tunnel.protocol.ControlMessages;
import io.arcrelay.tunnel.protocol.LinkMessages;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent of {@code arc-relay tunnel}: keeps a control WebSocket to the relay, registers the
 * tunnel's name, and opens one data WebSocket per visitor connection when the relay asks
 * ({@link DataLink}), against the local service at {@code to}.
 *
 * <p>States: connecting, online, reconnecting (after a lost control connection, with {@link Backoff};
 * the name it got is asked for again, so a random one survives reconnects too), and stopped. A
 * refusal that retrying cannot fix (a wrong token, a bad hello, a name refused at the first hello)
 * stops the agent; {@link #stopped()} then fails with the reason. A name refused after a reconnect
 * is retried with the backoff: the agent held it, and gets it back once the other token's hold
 * ends, rather than leaving its tunnel down for good.
 */
public final class TunnelAgent {

  private static final Logger log = LoggerFactory.getLogger(TunnelAgent.class);

  /**
   * Close codes after which the relay's error message decides what happens, not the close: 4000
   * (bad hello) and 4009 (name refused).
   */
  private static final Set<Short> PERMANENT_CLOSES = Set.of(ControlMessages.CLOSE_BAD_HELLO, ControlMessages.CLOSE_NAME_REFUSED);
  /** Error codes for a name refused: taken by another token, or one too many for the token. */
  private static final Set<String> NAME_REFUSALS = Set.of(ControlMessages.NAME_TAKEN, ControlMessages.NAMES_EXHAUSTED);

  /**
   * Where and as whom the agent connects. {@code name} may be null for a random one.
   * {@code dataRelay} is where data connections go, normally {@code relay}: any node of the cluster
   * will do, whichever holds the control connection.
   */
  public record Options(URI to, URI relay, URI dataRelay, String token, String name) {
    /** Data connections to the same relay as the control connection. */
    public Options(URI to, URI relay, String token, String name) {
      this(to, relay, relay, token, name);
    }
  }

  /** Where the agent stands. */
  public enum State { CONNECTING, ONLINE, RECONNECTING, STOPPED }

  /** Told of every change of state (the CLI's status line), on the agent's threads. */
  public interface Listener {
    /** The agent is now in {@code state}; {@code line} says what happened, in words. */
    void changed(State state, String line);

    /** The tunnel's public URL, told before each change to {@link State#ONLINE}. */
    default void registered(String url) {}

    /**
     * The next attempt to connect starts at {@code atMillis} ({@link System#currentTimeMillis()}),
     * told before each change to {@link State#RECONNECTING}: a status can count down to it.
     */
    default void retryAt(long atMillis) {}

    /**
     * Other agents of the same token serve the tunnel too ({@code others} of them, on any node):
     * visitors are spread over all of them. Told after {@link State#ONLINE}, and only when there are.
     */
    default void shared(int others) {}
  }

  private final Vertx vertx;
  private final Options options;
  private final Listener listener;
  /** The agent pings the relay this often, and takes it for gone after three times as long unheard. */
  private static final long PING_MS = 10_000;

  private final WebSocketClient wsClient;
  private final WebSocketClient controlClient;
  private final HttpClientAgent local;
  private final Backoff backoff = new Backoff(250, 15_000, bound -> ThreadLocalRandom.current().nextLong(bound));
  private final Promise<String> online = Promise.promise();
  private final Promise<Void> stopped = Promise.promise();
  private final TrafficCounters traffic;
  private final LocalFailures failures = new LocalFailures();
  private volatile String name;
  private volatile String session;
  private volatile WebSocket control;
  private volatile boolean stopping;
  private volatile String basicAuth; // "user:pass" visitors must show, or null
  private volatile List<String> allow = List.of(); // addresses and CIDR ranges visitors must come from

  /** {@code status}: one line per change of state. */
  public TunnelAgent(Vertx vertx, Options options, Consumer<String> status) {
    this(vertx, options, (state, line) -> status.accept(line), new TrafficCounters());
  }

  /** {@code listener}: told of each change of state; {@code traffic}: counts what the data links carry. */
  public TunnelAgent(Vertx vertx, Options options, Listener listener, TrafficCounters traffic) {
    this.vertx = vertx;
    this.options = options;
    this.listener = listener;
    this.traffic = traffic;
    this.name = options.name();
    this.wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(1024 * 1024)
        .setTryUsePerMessageCompression(false)
        .setTryUsePerFrameCompression(false)
        .setMaxConnections(10_000));
    // Its own client: the read idle timeout that finds a dead relay must not cut quiet data links.
    this.controlClient = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setReadIdleTimeout((int) (3 * PING_MS / 1000))
        .setTryUsePerMessageCompression(false)
        .setTryUsePerFrameCompression(false));
    // Response bodies arrive in chunks of LinkMessages.MAX_CHUNK, not Vert.x's 8 KiB: each chunk is one
    // message through the relay, and 64 KiB is what one read brings: a download takes an eighth of the
    // messages (docs/benchmarks.md).
    // Each data link has a connection of its own (DataLink.localConnection), but connect() still
    // counts against the pool size: with the default 5, the sixth link's request waited (TunnelSingleNodeTest).
    this.local = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setMaxChunkSize(LinkMessages.MAX_CHUNK), new PoolOptions().setHttp1MaxSize(10_000));
  }

  /**
   * Restricts who may visit the tunnel: {@code basicAuth} ({@code user:pass}, or null) and
   * {@code allow} (addresses or CIDR ranges; empty: any). Sent in every hello; the relay checks
   * each visitor's request. Call before {@link #start()}.
   */
  public TunnelAgent restrictVisitors(String basicAuth, List<String> allow) {
    this.basicAuth = basicAuth;
    this.allow = List.copyOf(allow);
    return this;
  }

  /** Connects; the future completes with the tunnel's public URL once registered the first time. */
  public Future<String> start() {
    connect();
    return online.future();
  }

  /** Completes when the agent stopped: after {@link #stop()}, or failed with a permanent refusal. */
  public Future<Void> stopped() {
    return stopped.future();
  }

  /** Leaves: the control socket closes with 1000, so the relay frees the session at once. */
  public Future<Void> stop() {
    stopping = true;
    WebSocket ws = control;
    Future<Void> closed = ws == null ? Future.succeededFuture() : ws.close((short) 1000, "agent leaving");
    return closed.eventually(() -> {
      listener.changed(State.STOPPED, "stopped after " + traffic.requests() + " requests");
      stopped.tryComplete();
      return Future.succeededFuture();
    });
  }

  private void connect() {
    if (stopping) return;
    listener.changed(State.CONNECTING, "connecting to " + options.relay());
    controlClient.connect(connectOptions(options.relay(), ControlMessages.CONTROL_PATH)).onComplete(connected -> {
      if (connected.failed()) {
        notConnected(connected.cause());
        return;
      }
      WebSocket ws = connected.result();
      control = ws;
      long pinger = vertx.setPeriodic(PING_MS, id -> ws.writePing(Buffer.buffer()));
      ws.textMessageHandler(text -> onControl(ws, text));
      ws.closeHandler(v -> {
        vertx.cancelTimer(pinger);
        Short code = ws.closeStatusCode();
        if (code != null && PERMANENT_CLOSES.contains(code)) return; // its error message said why
        if (code != null && code == 1001) backoff.reset(); // the relay is stopping: come back at once
        retry("control connection closed: " + CloseCodes.describe(code, ws.closeReason()));
      });
      ws.writeTextMessage(ControlMessages.hello(name, basicAuth, allow));
    });
  }

  private void onControl(WebSocket ws, String text) {
    JsonObject message;
    try {
      message = new JsonObject(text);
    } catch (DecodeException e) {
      ws.close((short) 1002, "bad control message");
      return;
    }
    switch (String.valueOf(message.getString(ControlMessages.TYPE))) {
      case ControlMessages.REGISTERED -> {
        name = message.getString(ControlMessages.NAME);
        session = message.getString(ControlMessages.SESSION);
        backoff.reset();
        String url = message.getString(ControlMessages.URL);
        listener.registered(url);
        listener.changed(State.ONLINE, "online: " + url + " -> " + options.to());
        online.tryComplete(url);
      }
      case ControlMessages.OPEN -> openLink(message.getString(ControlMessages.ID));
      case ControlMessages.SHARED -> listener.shared(message.getInteger(ControlMessages.OTHERS, 1));
      case ControlMessages.ERROR -> refused(message.getString(ControlMessages.CODE), message.getString(ControlMessages.MESSAGE, "refused"));
      default -> log.debug("ignored control message of type {}", message.getString(ControlMessages.TYPE));
    }
  }

  /**
   * The control connection did not open. Refused by the relay (an HTTP answer): for good, unless it
   * is busy (429, 5xx) — a wrong token, a relay with tunnels off or a wrong URL will not get better.
   * Anything else is the network (refused, unreachable, reset): tried again with the backoff.
   */
  private void notConnected(Throwable cause) {
    String where = "the relay at " + options.relay();
    if (cause instanceof UpgradeRejectedException rejected) {
      int status = rejected.getStatus();
      String body = rejected.getBody() == null ? "" : rejected.getBody().toString().strip();
      String answer = status + (body.isEmpty() ? "" : " " + body);
      if (status == 401) {
        giveUp("the relay refused the token (401): give one of its --tunnel-tokens");
      } else if (status == 408 || status == 429 || status >= 500) {
        retry(where + " is busy (" + answer + ")");
      } else if (status == 400 && body.contains("?pair=")) {
        // Without tunnelTokens the relay takes /_tunnel/control for a pair client without a code.
        giveUp(where + " has tunnels off (it answered " + answer + "): start it with --tunnel-tokens");
      } else {
        giveUp(where + " refused the tunnel (" + answer + "): is --relay the relay's address?");
      }
      return;
    }
    String why = cause instanceof java.net.ConnectException ? "connection refused"
        : cause instanceof java.net.UnknownHostException ? "unknown host " + options.relay().getHost()
        : String.valueOf(cause.getMessage());
    // Never online yet: the likelier causes are a relay not started or a wrong --relay.
    retry("cannot reach " + where + ": " + why + (online.future().succeeded() ? "" : " (is it running, and is --relay right?)"));
  }

  /** The relay refused the hello: for good, unless it is the name the agent held before a reconnect. */
  private void refused(String code, String message) {
    String why = message + " (" + code + ")";
    if (NAME_REFUSALS.contains(code) && online.future().succeeded()) {
      retry(why);
    } else {
      giveUp(why);
    }
  }

  private void openLink(String linkId) {
    if (linkId == null || session == null) return;
    WebSocketConnectOptions connect = connectOptions(options.dataRelay(), ControlMessages.DATA_PATH + "?id=" + URLEncoder.encode(linkId, StandardCharsets.UTF_8))
        .addHeader(ControlMessages.SESSION_HEADER, session);
    wsClient.connect(connect).onComplete(connected -> {
      if (connected.failed()) {
        log.debug("data connection refused: {}", connected.cause().getMessage());
        return;
      }
      new DataLink(connected.result(), local, options.to(), traffic, failures).start();
    });
  }

  private WebSocketConnectOptions connectOptions(URI relay, String path) {
    String base = relay.toString().replaceAll("/+$", "");
    return new WebSocketConnectOptions().setAbsoluteURI(base + path)
        .addHeader(HttpHeaders.AUTHORIZATION, "Bearer " + options.token());
  }

  private void retry(String why) {
    control = null;
    if (stopping) return;
    long delay = Math.max(1, backoff.nextDelayMs());
    listener.retryAt(System.currentTimeMillis() + delay);
    listener.changed(State.RECONNECTING, why);
    vertx.setTimer(delay, id -> connect());
  }

  private void giveUp(String why) {
    stopping = true;
    listener.changed(State.STOPPED, "stopped: " + why);
    online.tryFail(why);
    stopped.tryFail(why);
  }
}
