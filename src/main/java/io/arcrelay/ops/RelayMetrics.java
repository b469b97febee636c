package io.arcrelay.ops;

import io.arcrelay.edge.Admission;
import io.arcrelay.edge.LingeringClose;
import io.arcrelay.edge.Refusal;
import io.arcrelay.seams.NettyDirectMemory;
import io.arcrelay.splice.FramePayloads;
import io.arcrelay.splice.MemoryBudget;
import io.arcrelay.splice.PairEnd;
import io.arcrelay.splice.PairMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The relay's own Prometheus metrics (docs/metrics.md lists them all). Every meter is created up front and
 * updated with lock-free adders, so the data path never allocates, looks a meter up or locks.
 * Gauges ask the pair registry for a {@link Census} only when scraped.
 */
public final class RelayMetrics implements PairMetrics, Admission.Metrics {

  private final PrometheusMeterRegistry registry;
  private final Counter sameNodeBytes;
  private final Counter sameNodeFrames;
  private final Counter crossNodeBytes;
  private final Counter crossNodeFrames;
  private final Counter heldBytes;
  private final Counter textDropped;
  private final Counter keepaliveTimeouts;
  private final Counter pairsFormed;
  private final Timer waitTime;
  private final Timer lifetime;
  private final Map<Pause, Counter> pauses = new EnumMap<>(Pause.class);
  private final Map<PairEnd, Counter> ended = new EnumMap<>(PairEnd.class);
  private final Map<Refusal, Counter> refusals = new EnumMap<>(Refusal.class);
  private final Map<Admission.Cut, Counter> cuts = new EnumMap<>(Admission.Cut.class);

  /** Metrics in a registry of their own (tests, and nodes started without Vert.x metrics). */
  public RelayMetrics() {
    this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /**
   * Relay metrics added to {@code registry}, which may also hold Vert.x's and the JVM's (uptime and
   * CPU come with those); open file descriptors are added here, since every socket takes one.
   */
  public RelayMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    new FileDescriptorMetrics().bindTo(registry);
    sameNodeBytes = forwarded("arc.relay.forwarded.bytes", "bytes", "same_node");
    crossNodeBytes = forwarded("arc.relay.forwarded.bytes", "bytes", "cross_node");
    sameNodeFrames = forwarded("arc.relay.forwarded.frames", "frames", "same_node");
    crossNodeFrames = forwarded("arc.relay.forwarded.frames", "frames", "cross_node");
    heldBytes = Counter.builder("arc.relay.held.bytes").baseUnit("bytes")
        .description("Bytes sides sent before their peer joined (held, then delivered)").register(registry);
    textDropped = Counter.builder("arc.relay.text.dropped")
        .description("Text messages dropped (the relay forwards binary only)").register(registry);
    keepaliveTimeouts = Counter.builder("arc.relay.keepalive.timeouts")
        .description("Sockets closed for answering no ping in two intervals").register(registry);
    pairsFormed = Counter.builder("arc.relay.pairs.formed")
        .description("Pairs whose second side connected").register(registry);
    waitTime = Timer.builder("arc.relay.pair.wait")
        .description("How long the first side waited for the second")
        .serviceLevelObjectives(seconds(0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300))
        .register(registry);
    lifetime = Timer.builder("arc.relay.pair.lifetime")
        .description("How long a pair stayed formed")
        .serviceLevelObjectives(seconds(1, 10, 60, 300, 900, 3600, 6 * 3600, 24 * 3600))
        .register(registry);
    for (Pause why : Pause.values()) {
      pauses.put(why, Counter.builder("arc.relay.flow.pauses").tag("cause", label(why))
          .description("Times a socket stopped being read (hold_limit: peer not there yet; peer_busy: peer slow)")
          .register(registry));
    }
    for (PairEnd why : PairEnd.values()) {
      ended.put(why, Counter.builder("arc.relay.pairs.ended").tag("reason", label(why))
          .description("Pairs ended, by reason").register(registry));
    }
    for (Refusal why : Refusal.values()) {
      refusals.put(why, Counter.builder("arc.relay.upgrades.rejected")
          .tag("status", String.valueOf(why.status())).tag("reason", why.label())
          .description("Upgrades refused before the WebSocket existed, by HTTP status and reason").register(registry));
    }
    for (Admission.Cut why : Admission.Cut.values()) {
      cuts.put(why, Counter.builder("arc.relay.connections.cut").tag("reason", label(why))
          .description("Connections closed before they made a request (request_timeout: slow or silent "
              + "clients; over_capacity: past maxConnections and its reserve)").register(registry));
    }
  }

  /**
   * Publishes gauges of what {@code source} reports. A census walks every seat of the node, so one
   * taken for the first gauge of a scrape serves the other three.
   */
  public void observe(Supplier<Census> source) {
    Supplier<Census> census = new RecentCensus(source);
    Gauge.builder("arc.relay.pairs", () -> census.get().waitingPairs()).tag("state", "waiting")
        .description("Pairs on this node, by state (a pair split across nodes counts on both)")
        .register(registry);
    Gauge.builder("arc.relay.pairs", () -> census.get().activePairs()).tag("state", "active")
        .description("Pairs on this node, by state (a pair split across nodes counts on both)")
        .register(registry);
    Gauge.builder("arc.relay.connections", () -> census.get().sidesA()).tag("side", "A")
        .description("Sides connected to this node").register(registry);
    Gauge.builder("arc.relay.connections", () -> census.get().sidesB()).tag("side", "B")
        .description("Sides connected to this node").register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  private Counter forwarded(String name, String unit, String route) {
    return Counter.builder(name).baseUnit(unit).tag("route", route)
        .description("Payload " + unit + " forwarded to peers, on this node or to another node")
        .register(registry);
  }

  /** Publishes what {@code memory} holds, by use, and its limit. */
  public void observe(MemoryBudget memory) {
    for (MemoryBudget.Use use : MemoryBudget.Use.values()) {
      Gauge.builder("arc.relay.memory", () -> memory.used(use)).baseUnit("bytes").tag("use", label(use))
          .description("Payload bytes the node holds: being received, held for a peer, queued for a client, "
              + "in flight to another node").register(registry);
    }
    Gauge.builder("arc.relay.memory.budget", memory::limit).baseUnit("bytes")
        .description("The node's memoryBudget").register(registry);
    Gauge.builder("arc.relay.frame.payload", FramePayloads::inUse).baseUnit("bytes")
        .description("Direct memory of relayed sockets' reads and frame payloads on their way from one socket to another")
        .register(registry);
    Gauge.builder("arc.relay.direct.memory", NettyDirectMemory::used).baseUnit("bytes")
        .description("Direct memory Netty holds (pools, reads, frames), against -XX:MaxDirectMemorySize")
        .register(registry);
  }

  /**
   * Publishes how many nodes the cluster has as this node sees it ({@code members}; 1 for a node
   * that is not clustered): below the deployment's size, a node left or a split is under way.
   */
  public void observeMembers(java.util.function.IntSupplier members) {
    Gauge.builder("arc.relay.cluster.members", members::getAsInt)
        .description("Members of the relay cluster as this node sees them (1 when not clustered)").register(registry);
  }

  /** Publishes the TCP connections {@code admission} counts. */
  public void observe(Admission admission) {
    Gauge.builder("arc.relay.tcp.connections", admission::openConnections)
        .description("TCP connections open on this node, upgraded or not").register(registry);
    Gauge.builder("arc.relay.lingering.connections", LingeringClose::lingering)
        .description("Connections the relay closed that wait for their client to close (at most a few seconds)")
        .register(registry);
  }

  private static String label(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  private static Duration[] seconds(double... values) {
    Duration[] durations = new Duration[values.length];
    for (int i = 0; i < values.length; i++) durations[i] = Duration.ofNanos((long) (values[i] * 1e9));
    return durations;
  }

  @Override
  public void forwarded(boolean crossNode, int bytes) {
    (crossNode ? crossNodeFrames : sameNodeFrames).increment();
    (crossNode ? crossNodeBytes : sameNodeBytes).increment(bytes);
  }

  @Override
  public void held(int bytes) {
    heldBytes.increment(bytes);
  }

  @Override
  public void textDropped() {
    textDropped.increment();
  }

  @Override
  public void paused(Pause why) {
    pauses.get(why).increment();
  }

  @Override
  public void keepaliveTimeout() {
    keepaliveTimeouts.increment();
  }

  @Override
  public void refused(Refusal refusal) {
    refusals.get(refusal).increment();
  }

  @Override
  public void cut(Admission.Cut why) {
    cuts.get(why).increment();
  }

  @Override
  public void pairFormed(long waitedNanos) {
    pairsFormed.increment();
    waitTime.record(waitedNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void pairEnded(PairEnd why, long livedNanos) {
    ended.get(why).increment();
    if (livedNanos >= 0) lifetime.record(livedNanos, TimeUnit.NANOSECONDS);
  }

  /** A census reused for {@link #REUSE_NANOS}: long enough for one scrape, far shorter than any scrape interval. */
  private static final class RecentCensus implements Supplier<Census> {
    private static final long REUSE_NANOS = 100_000_000;
    private final Supplier<Census> source;
    private Census last;
    private long takenAt;

    RecentCensus(Supplier<Census> source) {
      this.source = source;
    }

    @Override
    public synchronized Census get() {
      long now = System.nanoTime();
      if (last == null || now - takenAt > REUSE_NANOS) {
        last = source.get();
        takenAt = now;
      }
      return last;
    }
  }
}
