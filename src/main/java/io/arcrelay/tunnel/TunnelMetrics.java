package io.arcrelay.tunnel;

import io.arcrelay.splice.PairEnd;
import io.arcrelay.splice.PairMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tunnels' own meters, {@code arc_relay_tunnel_*} (docs/metrics.md lists them), and what the data links'
 * registry and sockets report.
 *
 * <p>Links are not pairs: the links' registry reports here, never to the relay's pair metrics, so
 * links never show in the pair gauges, counters or {@code /health}. Of what a link reports only the
 * time it took to form is kept ({@code link_setup}); bytes are counted where the visitor's side
 * knows bodies from heads ({@link #toAgent}, {@link #toVisitor}).
 *
 * <p>No meter carries a tunnel name, a visitor address or a path: only fixed label values. Every
 * meter is created up front and updated with lock-free adders, as the pair relay's are.
 */
public final class TunnelMetrics implements PairMetrics {

  /** Why a tunnel turned someone away. */
  public enum Refusal {
    /** A data connection named no link waiting for it. */
    UNKNOWN,
    /** An agent came without a valid tunnel token. */
    TOKEN,
    /** A visitor without the tunnel's basic-auth credentials. */
    AUTH,
    /** A visitor from outside the tunnel's address allowlist. */
    IP,
    /** The agent did not open its data connection in time (the visitor got 504). */
    TIMEOUT,
    /** A request an origin could read otherwise than the relay: two Hosts, user information, CONNECT (400). */
    MALFORMED,
    /** The tunnel's app did not begin its response within {@code tunnelResponseTimeout} (504). */
    RESPONSE_TIMEOUT,
    /** The tunnel's app answered what cannot be forwarded: too big or invalid a head, a status out of place (502). */
    BAD_RESPONSE,
    /** The tunnel served {@code tunnelLinksPerTunnel} visitor connections on this node already (503). */
    BUSY
  }

  /** What the visitor's response heads are counted by: the status class, or a WebSocket upgrade. */
  enum Answer { C2XX, C3XX, C4XX, C5XX, UPGRADE }

  private final AtomicInteger sessions = new AtomicInteger();
  private final Map<Answer, Counter> answers = new EnumMap<>(Answer.class);
  private final Map<Refusal, Counter> refusals = new EnumMap<>(Refusal.class);
  private final Counter toAgent;
  private final Counter toVisitor;
  private final Timer linkSetup;

  /** Meters nobody scrapes (tests, embedding without a registry). */
  public TunnelMetrics() {
    this(new SimpleMeterRegistry());
  }

  /** Meters added to {@code registry}, the one {@code /metrics} serves. */
  public TunnelMetrics(MeterRegistry registry) {
    Gauge.builder("arc.relay.tunnel.sessions", sessions::get)
        .description("Tunnel agent sessions (control connections) registered on this node").register(registry);
    for (Answer answer : Answer.values()) {
      String label = answer == Answer.UPGRADE ? "upgrade" : answer.name().substring(1).toLowerCase(Locale.ROOT);
      answers.put(answer, Counter.builder("arc.relay.tunnel.requests").tag("class", label)
          .description("Tunnel requests by what the visitor was answered (the relay's own 404, 502, 504, 401 "
              + "and 403 pages included); upgrade: a WebSocket the local service accepted").register(registry));
    }
    toAgent = bytes(registry, "to_agent");
    toVisitor = bytes(registry, "to_visitor");
    linkSetup = Timer.builder("arc.relay.tunnel.link.setup")
        .description("From a visitor connection's link claim to its agent's data connection joining")
        .serviceLevelObjectives(seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        .register(registry);
    for (Refusal why : Refusal.values()) {
      refusals.put(why, Counter.builder("arc.relay.tunnel.refusals").tag("reason", why.name().toLowerCase(Locale.ROOT))
          .description("Agents and visitors a tunnel turned away, by reason").register(registry));
    }
  }

  private static Counter bytes(MeterRegistry registry, String direction) {
    return Counter.builder("arc.relay.tunnel.bytes").baseUnit("bytes").tag("direction", direction)
        .description("Body bytes through tunnels (and an upgraded connection's raw bytes), by direction")
        .register(registry);
  }

  private static Duration[] seconds(double... values) {
    Duration[] durations = new Duration[values.length];
    for (int i = 0; i < values.length; i++) durations[i] = Duration.ofNanos((long) (values[i] * 1e9));
    return durations;
  }

  /** An agent session registered a name on this node. */
  void sessionOnline() {
    sessions.incrementAndGet();
  }

  /** A registered agent session left this node. */
  void sessionLeft() {
    sessions.decrementAndGet();
  }

  /** A response head with {@code status} went to a visitor (101: an upgrade went through). */
  void answered(int status) {
    answers.get(classOf(status)).increment();
  }

  /** The class a status is counted under; informational answers other than 101 count as 2xx (they precede a final one). */
  static Answer classOf(int status) {
    if (status == 101) return Answer.UPGRADE;
    if (status < 300) return Answer.C2XX;
    if (status < 400) return Answer.C3XX;
    if (status < 500) return Answer.C4XX;
    return Answer.C5XX;
  }

  /** Someone was turned away for {@code why}. */
  void refused(Refusal why) {
    refusals.get(why).increment();
  }

  /** {@code bytes} of a visitor's body (or raw upgraded bytes) went to the agent. */
  void toAgent(int bytes) {
    toAgent.increment(bytes);
  }

  /** {@code bytes} of a response body (or raw upgraded bytes) went to the visitor. */
  void toVisitor(int bytes) {
    toVisitor.increment(bytes);
  }

  // ---- PairMetrics, as the links' registry and data sockets report ----

  /** The agent's data connection joined its visitor, {@code waitedNanos} after the link was claimed. */
  @Override
  public void pairFormed(long waitedNanos) {
    linkSetup.record(waitedNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void forwarded(boolean crossNode, int bytes) {} // counted as body bytes by the visitor's side

  @Override
  public void held(int bytes) {}

  @Override
  public void textDropped() {}

  @Override
  public void paused(Pause why) {}

  @Override
  public void keepaliveTimeout() {}

  @Override
  public void pairEnded(PairEnd why, long livedNanos) {} // a 504 is counted where the visitor gets it
}
