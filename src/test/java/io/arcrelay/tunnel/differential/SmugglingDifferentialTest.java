package io.arcrelay.tunnel.differential;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arcrelay.LoggedErrors;
import io.arcrelay.Relay;
import io.arcrelay.TestRelays;
import io.arcrelay.config.Setting;
import io.arcrelay.tunnel.agent.TunnelAgent;
import io.arcrelay.tunnel.differential.Http1Parser.Framing;
import io.arcrelay.tunnel.differential.Http1Parser.Head;
import io.arcrelay.tunnel.differential.Http1Parser.Request;
import io.arcrelay.tunnel.differential.RecordingOrigin.Received;
import io.arcrelay.tunnel.differential.SmugglingCases.Case;
import io.arcrelay.tunnel.differential.Visit.Outcome;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23, "tested against a reference": the same crafted requests ({@link SmugglingCases}) go
 * byte for byte through nginx and through a tunnel, each to a {@link RecordingOrigin} of its own,
 * and what the tunnel's origin received is held to invariants:
 *
 * <ol>
 *   <li>Every request it got is one the relay routed and checked: in origin form, for the tunnel's
 *       host, with the relay's {@code X-Forwarded-*} only, no underscore names, no visitor
 *       {@code Forwarded} or {@code X-Real-IP}, nothing a proxy must clean up (a strict parser's
 *       notes), no upgrade but WebSocket; it is the visitor's request at the same position as a
 *       strict RFC 9112 parser ({@link Http1Parser}) frames the visitor's bytes, with the same
 *       method, target, host and body; and the visitor got each of the origin's answers.
 *   <li>Where nginx refuses (its own 4xx/5xx or a close, its origin got nothing), the relay refuses
 *       too, unless {@link #KNOWN_DIFFERENCES} says why not.
 *   <li>Controls ({@link Case#valid}): valid requests reach the origin through both.
 * </ol>
 *
 * <p>Every case runs before anything is asserted; the results table (for docs/differential.md) is
 * printed and written to {@code target/differential.md}, then one failure lists every violation.
 */
class SmugglingDifferentialTest {

  private static final String TOKEN = "differential-token";
  /** Visits at once: each lasts about {@link Visit#QUIET_MS} to {@link Visit#ANSWER_MS}. */
  private static final int CONCURRENT_VISITS = 16;
  /** How long the origins may take to see every proxy connection closed once the visitors are gone. */
  private static final long ORIGINS_SETTLE_NANOS = TimeUnit.SECONDS.toNanos(8);
  private static final Pattern PUB_HOST = Pattern.compile("(?i)pub\\.localhost\\.?(:\\d+)?");

  /** Cases where nginx refuses and the relay may answer otherwise: case name, and why that is fine. */
  private static final Map<String, String> KNOWN_DIFFERENCES = Map.of(
      "Transfer-Encoding:\\tchunked", "HTAB is optional whitespace (RFC 9110 §5.6.3); nginx 1.22 skips only SP before a value",
      "Content-Length:\\t5\\t", "HTAB around a value is optional whitespace, which nginx 1.22 does not skip",
      "tabs in the request line", "RFC 9112 §3 lets a server split the request line on any whitespace; the relay writes the line anew",
      "lower-case method", "`get` is a valid method token, case-sensitive (RFC 9110 §9.1); nginx takes upper-case letters only",
      "OPTIONS *", "valid (RFC 9112 §3.2.4), and the tunnel's origin may answer it; nginx serves no asterisk-form target");

  private static Vertx relayVertx;
  private static Vertx agentVertx;
  private static Relay relay;
  private static RecordingOrigin tunnelOrigin;
  private static RecordingOrigin nginxOrigin;
  private static Nginx nginx;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    assumeTrue(Nginx.binary() != null, "nginx is not installed (.ci/run installs it)");
    nginxOrigin = RecordingOrigin.start("nginx-origin");
    nginx = Nginx.start(dir, nginxOrigin.port());
    tunnelOrigin = RecordingOrigin.start("tunnel-origin");
    relayVertx = Vertx.vertx();
    relay = Relay.start(relayVertx, TestRelays.config(Setting.TUNNEL_TOKENS, TOKEN)).await();
    agentVertx = Vertx.vertx();
    agent("pub").start().await();
    agent("admin").restrictVisitors(Nginx.ADMIN_CREDENTIALS, List.of()).start().await();
  }

  private static TunnelAgent agent(String name) {
    return new TunnelAgent(agentVertx, new TunnelAgent.Options(URI.create("http://127.0.0.1:" + tunnelOrigin.port()),
        URI.create("ws://127.0.0.1:" + relay.port()), TOKEN, name), line -> { });
  }

  @AfterAll
  static void stop() throws Exception {
    if (agentVertx != null) agentVertx.close().await();
    if (relay != null) relay.stop().await();
    if (relayVertx != null) relayVertx.close().await();
    if (nginx != null) nginx.close();
    if (nginxOrigin != null) nginxOrigin.close();
    if (tunnelOrigin != null) tunnelOrigin.close();
  }

  /** One broken invariant: which (short, for the table), and what was seen. */
  private record Violation(String invariant, String seen) {
    @Override
    public String toString() {
      return invariant + ": " + seen;
    }
  }

  /** What one case gave: the strict parser's framing, each proxy's answers, and what each origin got. */
  private record Result(Case c, Framing framing, Outcome nginx, Outcome relay, List<Received> viaNginx, List<Received> viaTunnel,
      List<Violation> violations) {}

  @Test
  void theTunnelForwardsOnlyWhatItRoutedAndCheckedAndRefusesWhatNginxRefuses() throws Exception {
    List<Case> cases = SmugglingCases.all();
    List<Result> results = new ArrayList<>();
    List<Violation> unattributed = new ArrayList<>();
    List<String> loggedErrors;
    try (LoggedErrors errors = LoggedErrors.capture()) {
      Map<Case, Future<Outcome>> viaNginx = new LinkedHashMap<>();
      Map<Case, Future<Outcome>> viaRelay = new LinkedHashMap<>();
      ExecutorService visitors = Executors.newFixedThreadPool(CONCURRENT_VISITS);
      try {
        for (Case c : cases) {
          List<String> methods = Http1Parser.frame(c.allBytes()).requests().stream().map(r -> r.head().method()).toList();
          viaNginx.put(c, visitors.submit(() -> Visit.send(nginx.port(), c.bytes(), c.afterFirstAnswer(), methods)));
          viaRelay.put(c, visitors.submit(() -> Visit.send(relay.port(), c.bytes(), c.afterFirstAnswer(), methods)));
        }
        for (Future<Outcome> visit : viaNginx.values()) visit.get();
        for (Future<Outcome> visit : viaRelay.values()) visit.get();
      } finally {
        visitors.shutdownNow();
      }
      Map<String, List<Received>> nginxOriginGot = byCase(nginxOrigin, unattributed);
      Map<String, List<Received>> tunnelOriginGot = byCase(tunnelOrigin, unattributed);
      for (Case c : cases) {
        Framing framing = Http1Parser.frame(c.allBytes());
        Outcome nginxAnswer = viaNginx.get(c).get();
        Outcome relayAnswer = viaRelay.get(c).get();
        List<Received> nginxGot = nginxOriginGot.getOrDefault(c.id(), List.of());
        List<Received> tunnelGot = tunnelOriginGot.getOrDefault(c.id(), List.of());
        results.add(new Result(c, framing, nginxAnswer, relayAnswer, nginxGot, tunnelGot,
            check(c, framing, nginxAnswer, relayAnswer, nginxGot, tunnelGot)));
      }
      loggedErrors = errors.messages();
    }
    String report = report(results, unattributed, loggedErrors);
    System.out.println(report);
    Files.writeString(Path.of("target", "differential.md"), report);
    long failing = results.stream().filter(r -> !r.violations().isEmpty()).count();
    if (failing > 0 || !unattributed.isEmpty() || !loggedErrors.isEmpty()) {
      fail(failing + " of " + results.size() + " cases break the invariants (report in target/differential.md):\n"
          + violationList(results, unattributed, loggedErrors));
    }
  }

  /**
   * What the origin got for each case, once every connection to it has closed (or the wait is
   * over): a connection belongs to the case its bytes name first. One naming none goes to
   * {@code unattributed}.
   */
  private static Map<String, List<Received>> byCase(RecordingOrigin origin, List<Violation> unattributed) {
    long deadline = System.nanoTime() + ORIGINS_SETTLE_NANOS;
    while (!origin.idle() && System.nanoTime() < deadline) LockSupport.parkNanos(5_000_000);
    Map<String, List<Received>> byCase = new LinkedHashMap<>();
    origin.connections().stream().sorted(Comparator.comparingInt(c -> c.id)).forEach(connection -> {
      String caseId = connection.caseId();
      if (caseId != null) {
        byCase.computeIfAbsent(caseId, id -> new ArrayList<>()).addAll(connection.received);
      } else if (!connection.received.isEmpty()) {
        unattributed.add(new Violation("a connection to the origin names no case", (origin == tunnelOrigin ? "tunnel: " : "nginx: ")
            + describe(connection.received)));
      }
    });
    return byCase;
  }

  private static List<Violation> check(Case c, Framing framing, Outcome nginxAnswer, Outcome relayAnswer,
      List<Received> nginxGot, List<Received> tunnelGot) {
    List<Violation> violations = new ArrayList<>(forwardedAsRouted(framing, relayAnswer, tunnelGot));
    boolean nginxRefused = nginxAnswer.refused() && nginxGot.isEmpty();
    boolean relayRefused = relayAnswer.refused() && tunnelGot.isEmpty();
    if (nginxRefused && !relayRefused && !KNOWN_DIFFERENCES.containsKey(c.name())) {
      violations.add(new Violation("nginx refuses, the relay does not", "nginx " + nginxAnswer + ", relay " + relayAnswer
          + (tunnelGot.isEmpty() ? "" : ", origin got " + describe(tunnelGot))));
    }
    if (c.valid()) {
      int framed = framing.requests().size();
      if (complete(tunnelGot) != framed || relayAnswer.fromOrigin() != framed) {
        violations.add(new Violation("valid request not forwarded", "relay " + relayAnswer + ", origin got " + describe(tunnelGot)));
      }
      if (complete(nginxGot) != framed || nginxAnswer.fromOrigin() != framed) {
        violations.add(new Violation("valid request not forwarded by nginx (check the case)", "nginx " + nginxAnswer
            + ", origin got " + describe(nginxGot)));
      }
    }
    return violations;
  }

  private static long complete(List<Received> received) {
    return received.stream().filter(r -> r.request() != null && !r.cut() && r.switchedTo() == null).count();
  }

  /** Invariant 1: what the tunnel's origin got, request by request, against the visitor's bytes as a strict parser frames them. */
  private static List<Violation> forwardedAsRouted(Framing framing, Outcome relayAnswer, List<Received> tunnelGot) {
    List<Violation> violations = new ArrayList<>();
    List<String> unframed = new ArrayList<>();
    int position = 0;
    for (Received received : tunnelGot) {
      if ("websocket".equalsIgnoreCase(received.switchedTo())) continue; // the app's own bytes after a WebSocket handshake
      if (received.switchedTo() != null) {
        violations.add(new Violation("request passed unchecked after a switch to " + received.switchedTo(), describe(List.of(received))));
        continue;
      }
      if (received.refusal() != null) {
        violations.add(new Violation("origin could not read what the relay sent", received.refusal()));
        continue;
      }
      Request got = received.request();
      String line = got.head().method() + " " + Http1Parser.printable(got.head().target());
      violations.addAll(cleanedUp(got.head(), line));
      Request framed = position < framing.requests().size() ? framing.requests().get(position)
          : position == framing.requests().size() ? framing.partial() : null;
      boolean framedWhole = position < framing.requests().size();
      position++;
      if (framed == null) {
        unframed.add(line);
        continue;
      }
      if (!received.cut() && !framedWhole) {
        violations.add(new Violation("a request the visitor never finished was answered", line + " (" + framing.end() + ")"));
      }
      violations.addAll(sameRequest(got, received.cut(), framed, line));
    }
    if (!unframed.isEmpty()) {
      boolean refused = framing.end().startsWith("rejected: ");
      violations.add(new Violation(refused ? "forwarded what a strict parser refuses" : "more requests than the visitor sent",
          String.join(", ", unframed) + " (strict parser: " + strict(framing) + ")"));
    }
    long answered = tunnelGot.stream().filter(r -> r.switchedTo() == null && !r.cut()).count();
    if (answered != relayAnswer.fromOrigin()) {
      violations.add(new Violation("the origin's answers and the visitor's differ",
          "origin answered " + answered + ", visitor got " + relayAnswer.fromOrigin() + " of them (" + relayAnswer + ")"));
    }
    return violations;
  }

  /** What a proxy must have removed or refused before the origin sees it. */
  private static List<Violation> cleanedUp(Head head, String line) {
    List<Violation> violations = new ArrayList<>();
    String target = head.target();
    if (!target.startsWith("/") && !(target.equals("*") && head.method().equals("OPTIONS"))) {
      violations.add(new Violation("target not in origin form", line));
    }
    List<String> hosts = head.values("Host");
    if (hosts.size() != 1 || !PUB_HOST.matcher(hosts.get(0)).matches()) {
      violations.add(new Violation("Host not the tunnel's", line + ": Host " + hosts));
    }
    List<String> forwardedFor = head.values("X-Forwarded-For");
    if (!forwardedFor.equals(List.of("127.0.0.1"))) {
      violations.add(new Violation("X-Forwarded-For not the relay's", line + ": " + forwardedFor));
    }
    if (!head.values("X-Forwarded-Host").equals(hosts) || !head.values("X-Forwarded-Proto").equals(List.of("http"))) {
      violations.add(new Violation("X-Forwarded-Host/-Proto not the relay's", line + ": " + head.values("X-Forwarded-Host")
          + ", " + head.values("X-Forwarded-Proto")));
    }
    for (Http1Parser.Field field : head.fields()) {
      if (field.name().contains("_")) violations.add(new Violation("underscore field passed", line + ": " + field.name()));
      boolean relays = field.name().equalsIgnoreCase("X-Real-IP") ? field.value().equals("127.0.0.1")
          : field.value().equals("for=127.0.0.1;host=\"" + (hosts.isEmpty() ? "" : hosts.get(0)) + "\";proto=http");
      if ((field.name().equalsIgnoreCase("Forwarded") || field.name().equalsIgnoreCase("X-Real-IP")) && !relays) {
        violations.add(new Violation(field.name() + " not the relay's", line + ": " + field.value()));
      }
      if (field.value().chars().anyMatch(ch -> ch < 0x20 && ch != '\t' || ch == 0x7f)) {
        violations.add(new Violation("control character passed", line + ": " + field.name() + ": " + Http1Parser.printable(field.value())));
      }
    }
    for (String upgrade : head.values("Upgrade")) {
      if (!upgrade.equalsIgnoreCase("websocket")) violations.add(new Violation("Upgrade other than websocket passed", line + ": " + upgrade));
    }
    head.notes().forEach(note -> violations.add(new Violation("origin noticed " + note, line)));
    return violations;
  }

  /** {@code got} is the request the visitor framed ({@code cut}: its body cut short, a prefix then). */
  private static List<Violation> sameRequest(Request got, boolean cut, Request framed, String line) {
    List<Violation> violations = new ArrayList<>();
    Head head = got.head();
    String framedTarget = framed.head().originFormTarget();
    if (!head.method().equals(framed.head().method()) || !head.target().equals(framedTarget)) {
      violations.add(new Violation("not the visitor's request line", line + ", visitor's: " + framed.head().method() + " "
          + Http1Parser.printable(framedTarget)));
    }
    String host = head.values("Host").isEmpty() ? null : head.values("Host").get(0);
    String framedHost = framed.head().effectiveHost();
    if (host == null || !host.equalsIgnoreCase(framedHost)) {
      violations.add(new Violation("not the host the visitor named", line + ": Host " + host + ", visitor's request is for " + framedHost));
    }
    byte[] expected = cut ? Arrays.copyOf(framed.body(), Math.min(framed.body().length, got.body().length)) : framed.body();
    if (!Arrays.equals(got.body(), expected) || !cut && got.bodyLength() != framed.bodyLength()) {
      violations.add(new Violation("body differs from the visitor's", line + ": " + got.bodyLength() + " B \""
          + Http1Parser.printable(got.body()) + "\", visitor framed " + framed.bodyLength() + " B \"" + Http1Parser.printable(framed.body()) + "\""));
    }
    return violations;
  }

  private static String describe(List<Received> received) {
    if (received.isEmpty()) return "nothing";
    return received.stream().map(r -> {
      String after = r.switchedTo() == null ? "" : "after 101 " + r.switchedTo() + ": ";
      if (r.refusal() != null) return after + (r.cut() ? r.refusal() : "refused: " + r.refusal());
      Head head = r.request().head();
      List<String> hosts = head.values("Host");
      String host = hosts.size() == 1 && PUB_HOST.matcher(hosts.get(0)).matches() ? "" : " Host " + hosts;
      return after + head.method() + " " + Http1Parser.printable(head.target()) + host + " [" + r.request().bodyLength() + " B"
          + (r.cut() ? ", cut" : "") + "]";
    }).collect(Collectors.joining("; "));
  }

  private static String strict(Framing framing) {
    String requests = framing.requests().size() + " request" + (framing.requests().size() == 1 ? "" : "s");
    return framing.end().equals("end") ? requests : requests + ", then " + framing.end();
  }

  /** The results table, then every violation in full: target/differential.md, pasted into docs/differential.md. */
  private static String report(List<Result> results, List<Violation> unattributed, List<String> loggedErrors) {
    StringBuilder out = new StringBuilder("| # | case | probes | strict parser | nginx | relay | origin via nginx | origin via relay | invariants |\n")
        .append("|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      String verdict = r.violations().isEmpty() ? (KNOWN_DIFFERENCES.containsKey(r.c().name()) ? "ok (known difference)" : "ok")
          : "**FAIL**: " + r.violations().stream().map(Violation::invariant).distinct().collect(Collectors.joining("; "));
      List<String> cells = List.of(r.c().id().substring(4), r.c().name(), r.c().probe(), strict(r.framing()),
          r.nginx().toString(), r.relay().toString(), describe(r.viaNginx()), describe(r.viaTunnel()), verdict);
      // A '|' in a cell would end it.
      out.append("| ").append(cells.stream().map(cell -> cell.replace("|", "\\|")).collect(Collectors.joining(" | "))).append(" |\n");
    }
    out.append("\nStatuses: `*` marks the origin's answer passed on; others are the proxy's own.\n\nKnown differences:\n\n");
    KNOWN_DIFFERENCES.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(known -> out.append("- ").append(known.getKey()).append(": ").append(known.getValue()).append('\n'));
    return out.append("\nViolations:\n\n").append(violationList(results, unattributed, loggedErrors)).toString();
  }

  private static String violationList(List<Result> results, List<Violation> unattributed, List<String> loggedErrors) {
    StringBuilder out = new StringBuilder();
    for (Result r : results) {
      r.violations().forEach(v -> out.append("- ").append(r.c().id()).append(' ').append(r.c().name()).append(": ").append(v).append('\n'));
    }
    unattributed.forEach(v -> out.append("- ").append(v).append('\n'));
    loggedErrors.forEach(e -> out.append("- the relay logged at ERROR: ").append(e).append('\n'));
    return out.length() == 0 ? "none\n" : out.toString();
  }
}
