package io.arcrelay.tunnel;

import io.arcrelay.splice.Keepalive;
import io.arcrelay.tunnel.protocol.ControlMessages;
import io.arcrelay.tunnel.protocol.LinkMessages;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's control WebSocket: its {@code hello} registers a tunnel name, and the relay asks it
 * here to open a data link for each visitor connection. Closing it ends the session. When the agent
 * closed it (1000, leaving) the name is free once its last session has gone; when the connection
 * was lost (no close from the agent: a broken network, a keepalive timeout, this relay stopping) the
 * name stays reserved for the agent's token for the lease, so the agent gets it back when it reconnects.
 *
 * <p>Messages are JSON text frames: {@code {"type":"hello","v":2,"name":"myapp"}} from the agent
 * ({@code name} optional, and {@code basicAuth} and {@code allow} restricting visitors, see
 * {@link VisitorPolicy}); {@code registered} with the name, public URL and session id, then
 * {@code shared} with {@code others} when other sessions of the token serve the name too,
 * {@code open} with a link id, and {@code error} (then close 4009 for a name refused, taken or one
 * too many for the token, 4000 for a bad hello) from the relay; 1013 when the name map does not
 * answer (the agent tries again). A refused name counts against the client's refusal allowance, so
 * names cannot be tried faster than pair codes.
 */
final class ControlSocket implements TunnelNames.Hosted, Keepalive.Watched {

  private static final Logger log = LoggerFactory.getLogger(ControlSocket.class);
  /** Random names tried before giving up: each may be taken, if rarely. */
  private static final int RANDOM_NAME_TRIES = 5;

  private final ServerWebSocket ws;
  private final Context context;
  private final Keepalive keepalive;
  private final TunnelNames names;
  private final TunnelMetrics metrics;
  private final String owner;
  private final String urlPrefix;
  private final String urlSuffix;
  private final Runnable nameRefused;
  private final String id = Tunnels.newId();
  private boolean helloSeen;
  private volatile String name; // set once the hello registered
  private boolean online; // registered, and counted in the sessions gauge
  private volatile VisitorPolicy policy = VisitorPolicy.OPEN; // from the hello
  private volatile boolean closed;
  private volatile boolean closedByRelay; // then a 1000 from the agent only answers the relay's close
  private boolean heard = true;
  private int silentTicks;

  /**
   * The public URL is {@code urlPrefix + name + urlSuffix}, e.g. {@code http://} and
   * {@code .localhost:8765/}. {@code nameRefused} counts a refused name against the client's address.
   */
  ControlSocket(ServerWebSocket ws, Context context, Keepalive keepalive, TunnelNames names, TunnelMetrics metrics,
      String owner, String urlPrefix, String urlSuffix, Runnable nameRefused) {
    this.ws = ws;
    this.context = context;
    this.keepalive = keepalive;
    this.names = names;
    this.metrics = metrics;
    this.owner = owner;
    this.urlPrefix = urlPrefix;
    this.urlSuffix = urlSuffix;
    this.nameRefused = nameRefused;
  }

  /** Installs the handlers. Call on the socket's context. */
  void start() {
    ws.pongHandler(pong -> heard = true);
    ws.textMessageHandler(this::onMessage);
    ws.binaryMessageHandler(data -> refuse(ControlMessages.BAD_HELLO, ControlMessages.CLOSE_BAD_HELLO, "control messages are JSON text"));
    ws.exceptionHandler(err -> close((short) 1000, null));
    ws.shutdownHandler(v -> close((short) 1001, "relay stopping"));
    keepalive.watch(this);
    ws.closeHandler(v -> {
      closed = true;
      keepalive.forget(this);
      if (name != null) release();
      if (online) {
        metrics.sessionLeft();
        log.info("tunnel {}: agent session left", name);
      }
    });
  }

  private void onMessage(String text) {
    heard = true;
    JsonObject hello;
    try {
      hello = new JsonObject(text);
    } catch (DecodeException e) {
      refuse(ControlMessages.BAD_HELLO, ControlMessages.CLOSE_BAD_HELLO, "not a JSON object");
      return;
    }
    if (helloSeen || !ControlMessages.HELLO.equals(hello.getString(ControlMessages.TYPE)) || !Integer.valueOf(LinkMessages.VERSION).equals(hello.getValue(ControlMessages.VERSION))) {
      refuse(ControlMessages.BAD_HELLO, ControlMessages.CLOSE_BAD_HELLO, "expected one hello of version " + LinkMessages.VERSION + " (the agent and the relay must be the same release)");
      return;
    }
    helloSeen = true;
    String wanted = hello.getValue(ControlMessages.NAME) instanceof String s ? s : null;
    if (wanted != null && !TunnelHost.isName(wanted)) {
      refuse(ControlMessages.BAD_HELLO, ControlMessages.CLOSE_BAD_HELLO, "a tunnel name is one DNS label: a-z, 0-9 and inner hyphens, at most 63 characters");
      return;
    }
    try {
      policy = VisitorPolicy.fromHello(hello);
    } catch (IllegalArgumentException bad) {
      refuse(ControlMessages.BAD_HELLO, ControlMessages.CLOSE_BAD_HELLO, bad.getMessage());
      return;
    }
    register(wanted != null ? wanted : TunnelNames.randomName(), wanted != null ? 1 : RANDOM_NAME_TRIES);
  }

  /** Registers {@code chosen}; a taken random name is replaced by another, at most {@code tries} times in all. */
  private void register(String chosen, int tries) {
    names.register(chosen, this).onComplete(registered -> {
      if (registered.failed()) {
        log.warn("tunnel names unavailable: {}", registered.cause().toString());
        close((short) 1013, "tunnel names unavailable"); // the agent tries again
      } else if (registered.result() == TunnelNames.Registration.NAME_TAKEN) {
        if (tries > 1) {
          register(TunnelNames.randomName(), tries - 1); // the relay's own pick clashed: no guess of the agent's
        } else {
          nameRefused.run();
          refuse(ControlMessages.NAME_TAKEN, ControlMessages.CLOSE_NAME_REFUSED, "tunnel name " + chosen + " is held by another token");
        }
      } else if (registered.result() == TunnelNames.Registration.NAMES_EXHAUSTED) {
        nameRefused.run();
        refuse(ControlMessages.NAMES_EXHAUSTED, ControlMessages.CLOSE_NAME_REFUSED, "this token already holds " + names.namesPerToken()
            + " tunnel names, as many as tunnelNamesPerToken allows: stop one of its tunnels first");
      } else {
        name = chosen;
        if (closed) {
          release(); // it closed while registering
          return;
        }
        online = true;
        metrics.sessionOnline();
        log.info("tunnel {}: agent session online", name);
        ws.writeTextMessage(ControlMessages.registered(name, urlPrefix + name + urlSuffix, id));
        // A second agent of the same token shares the name (visitors spread over both): told so,
        // since an agent started twice by mistake would otherwise serve half the visitors unseen.
        names.sessions(name).onSuccess(sessions -> {
          if (sessions > 1 && !closed) {
            ws.writeTextMessage(ControlMessages.shared(sessions - 1));
          }
        });
      }
    });
  }

  private void refuse(String code, short closeCode, String message) {
    ws.writeTextMessage(ControlMessages.error(code, message));
    close(closeCode, code);
  }

  /** Closes from the relay's side: whatever the agent answers, it did not choose to leave. */
  private void close(short code, String reason) {
    closedByRelay = true;
    ws.close(code, reason);
  }

  /**
   * Takes the closed socket's session out of its name: at once for an agent that left (its close
   * 1000), with the name reserved for its token when the connection was lost.
   */
  private void release() {
    Short agentClose = ws.closeStatusCode();
    boolean left = !closedByRelay && agentClose != null && agentClose == 1000;
    if (left) {
      names.leave(name, this);
    } else {
      names.drop(name, this);
    }
  }

  /**
   * Pings the agent each keepalive interval; one silent for two intervals is gone (a dead network or
   * a frozen machine), so its session leaves and its name is freed.
   */
  @Override
  public void keepaliveTick() {
    if (heard) {
      heard = false;
      silentTicks = 0;
    } else if (++silentTicks >= 2) {
      log.debug("tunnel {}: agent silent for two ping intervals", name);
      close((short) 1001, "keepalive timeout");
      return;
    }
    ws.writePing(io.vertx.core.buffer.Buffer.buffer());
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String owner() {
    return owner;
  }

  @Override
  public Future<Boolean> open(String linkId) {
    if (closed) return Future.succeededFuture(false);
    context.runOnContext(v -> ws.writeTextMessage(ControlMessages.open(linkId)));
    return Future.succeededFuture(true);
  }

  @Override
  public VisitorPolicy policy() {
    return policy;
  }

  @Override
  public void nameLost() {
    String lost = name;
    name = null; // the entry no longer holds this session: nothing to take out of it
    context.runOnContext(v -> refuse(ControlMessages.NAME_TAKEN, ControlMessages.CLOSE_NAME_REFUSED, "tunnel name " + lost + " was taken by another token while this session could not renew it"));
  }
}
