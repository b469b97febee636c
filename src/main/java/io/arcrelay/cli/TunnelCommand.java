package io.arcrelay.cli;

import io.arcrelay.tunnel.TunnelHost;
import io.arcrelay.tunnel.VisitorPolicy;
import io.arcrelay.tunnel.agent.StatusLine;
import io.arcrelay.tunnel.agent.TrafficCounters;
import io.arcrelay.tunnel.agent.TunnelAgent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code arc-relay tunnel}: exposes a local HTTP or WebSocket service through the relay at
 * {@code http://<name>.<tunnelDomain>/}. Prints the public URL once online (stdout) and its status
 * on stderr ({@link StatusLine}: a redrawn line on a terminal, plain lines elsewhere), reconnects by
 * itself after network failures (with a countdown), and leaves cleanly on Ctrl-C. Exit codes: 0
 * after Ctrl-C, 1 when the relay refuses for good (token, tunnels off, name taken, not a relay),
 * 2 for bad flags (a bad --name, --allow, --to or --relay is found before connecting).
 */
@Command(name = "tunnel", description = "Expose a local HTTP or WebSocket service through the relay.")
final class TunnelCommand implements Callable<Integer> {

  /** Where the token may come from instead of --token, out of sight of {@code ps}. */
  static final String TOKEN_ENV = "ARC_RELAY_TUNNEL_TOKEN";

  @Option(names = "--to", required = true, paramLabel = "<url>", description = "the local service, e.g. http://127.0.0.1:3000")
  private String toText;

  @Option(names = "--relay", paramLabel = "<url>", defaultValue = "ws://127.0.0.1:8765",
      description = "relay URL, ws:// or wss:// (http:// and https:// are taken as those) (default: ${DEFAULT-VALUE})")
  private String relay;

  @Option(names = "--data-relay", paramLabel = "<url>",
      description = "where data connections go (default: the --relay URL); any node of the relay's cluster will do")
  private String dataRelay;

  @Option(names = "--token", paramLabel = "<token>", description = "a tunnel token of the relay (or env " + TOKEN_ENV + ")")
  private String token;

  @Option(names = "--name", paramLabel = "<name>",
      description = "the tunnel's name, one DNS label: a-z, 0-9 and inner hyphens (default: a random one)")
  private String name;

  /** Where the visitors' credentials may come from instead of --basic-auth. */
  static final String BASIC_AUTH_ENV = "ARC_RELAY_TUNNEL_BASIC_AUTH";

  @Option(names = "--basic-auth", paramLabel = "<user:pass>",
      description = "visitors must log in with this user and password (or env " + BASIC_AUTH_ENV + "); "
          + "the app then never sees their Authorization header")
  private String basicAuth;

  @Option(names = "--allow", paramLabel = "<cidr>",
      description = "only visitors from this address or CIDR range, e.g. 203.0.113.0/24 (repeatable)")
  private List<String> allow = new ArrayList<>();

  @Override
  public Integer call() {
    String secret = token != null ? token : System.getenv(TOKEN_ENV);
    if (secret == null || secret.isBlank()) {
      System.err.println("arc-relay tunnel: give --token or set " + TOKEN_ENV);
      return 2;
    }
    URI to = null;
    try {
      to = new URI(toText.trim());
    } catch (java.net.URISyntaxException bad) {
      // reported below
    }
    if (to == null || (!"http".equals(to.getScheme()) && !"https".equals(to.getScheme())) || to.getHost() == null) {
      System.err.println("arc-relay tunnel: --to must be an http:// or https:// URL with a host, e.g. http://127.0.0.1:3000");
      return 2;
    }
    // The relay's own checks, here first: a typo is exit 2 at once, not a refusal after connecting.
    if (name != null && !TunnelHost.isName(name)) {
      System.err.println("arc-relay tunnel: --name '" + name + "' is not one DNS label: a-z, 0-9 and inner hyphens, at most 63 characters");
      return 2;
    }
    URI relayUri;
    URI dataRelayUri;
    try {
      relayUri = RelayUrl.parse("--relay", relay);
      dataRelayUri = dataRelay == null ? relayUri : RelayUrl.parse("--data-relay", dataRelay);
    } catch (UsageError e) {
      System.err.println("arc-relay tunnel: " + e.getMessage());
      return 2;
    }
    String credentials = basicAuth != null ? basicAuth : System.getenv(BASIC_AUTH_ENV);
    try {
      VisitorPolicy.fromHello(new JsonObject().put("basicAuth", credentials).put("allow", new JsonArray(allow)));
    } catch (IllegalArgumentException bad) {
      System.err.println("arc-relay tunnel: " + bad.getMessage().replace("basicAuth", "--basic-auth").replace("allow", "--allow"));
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    try {
      TrafficCounters traffic = new TrafficCounters();
      StatusLine status = StatusLine.onStderr(traffic, to);
      TunnelAgent agent = new TunnelAgent(vertx, new TunnelAgent.Options(to, relayUri, dataRelayUri, secret, name), status, traffic)
          .restrictVisitors(credentials, allow);
      status.start(vertx);
      agent.start().onSuccess(url -> status.above(() -> {
        System.out.println(url);
        System.out.flush();
      }));
      // Ctrl-C or SIGTERM: close the control socket with 1000, so the relay frees the session at once,
      // then exit 0 (handled here, as StartCommand does, instead of the JVM's exit by signal).
      for (String signal : new String[] {"INT", "TERM"}) Signal.handle(new Signal(signal), sig -> agent.stop());
      try {
        agent.stopped().await();
        return 0;
      } catch (Exception refused) {
        return 1; // the reason was printed as a status line
      }
    } finally {
      vertx.close();
    }
  }
}
