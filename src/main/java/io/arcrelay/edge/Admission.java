package io.arcrelay.edge;

import io.arcrelay.config.EdgeConfig;
import io.arcrelay.splice.MemoryBudget;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who may connect and upgrade, for the whole node: connection caps (per node and per client
 * address), upgrade and refusal rates per client address, the browser origin allowlist, access
 * tokens and the memory budget. Each limit refuses with its own {@link Refusal}, before any
 * WebSocket exists. Thread-safe: every event loop's {@link ConnectionGuard} shares one.
 */
public final class Admission {

  /** Connections past {@code maxConnections} that are still accepted, to answer health checks and scrapes. */
  static final int RESERVE = 512;

  /** What admission reports. */
  public interface Metrics {
    void refused(Refusal refusal);

    void cut(Cut why);
  }

  /** Why a connection was closed before it made a request. */
  public enum Cut {
    /** It did not send a complete request head within {@code requestTimeout}. */
    REQUEST_TIMEOUT,
    /** The node was past {@code maxConnections} and its reserve. */
    OVER_CAPACITY
  }

  /** RFC 6455's version; older drafts' frames are not what the relay counts and forwards. */
  private static final String VERSION = "13";
  private static final String SEC_WEBSOCKET_VERSION = "Sec-WebSocket-Version";

  private final int maxConnections;
  private final MemoryBudget memory;
  private final Metrics metrics;
  private final TrustedProxies proxies;
  private final ConnectionCounts perAddress;
  private final KeyedRateLimit upgrades;
  private final KeyedRateLimit refusals;
  private final OriginPolicy origins;
  private final AccessToken tokens; // null: no access control
  private final AtomicInteger open = new AtomicInteger();

  public Admission(EdgeConfig config, MemoryBudget memory, Metrics metrics) {
    this.maxConnections = config.maxConnections();
    this.memory = memory;
    this.metrics = metrics;
    this.proxies = TrustedProxies.parse(config.trustedProxies());
    this.perAddress = new ConnectionCounts(config.maxConnectionsPerIp());
    this.upgrades = new KeyedRateLimit(config.upgradesPerIp(), 2 * config.upgradesPerIp(), TRACKED_ADDRESSES);
    this.refusals = new KeyedRateLimit(config.refusalsPerIp() / 60.0, config.refusalsPerIp(), TRACKED_ADDRESSES);
    this.origins = OriginPolicy.parse(config.allowedOrigins());
    this.tokens = config.accessSecret().isEmpty() ? null : new AccessToken(AccessToken.secretFrom(config.accessSecret()));
  }

  /** Addresses with a rate-limit bucket at once (about 100 bytes each); past it new ones go unlimited. */
  private static final int TRACKED_ADDRESSES = 200_000;

  /**
   * A TCP connection was accepted from {@code peerAddress}: counts it, and says whether it is over a
   * cap ({@code null} if not). Over the reserve too, it must be closed at once: {@link #overReserve()}.
   * Every accepted connection must be {@link #closed closed} again.
   */
  Visitor accepted(String peerAddress) {
    int now = open.incrementAndGet();
    Visitor visitor = new Visitor(peerAddress);
    if (now > maxConnections) {
      visitor.overCapacity = Refusal.NODE_FULL;
    } else if (!proxies.trusts(peerAddress)) {
      visitor.count(peerAddress, perAddress);
    }
    return visitor;
  }

  /** True while the node holds more than its connections and their reserve: new ones are closed unanswered. */
  boolean overReserve() {
    return open.get() > maxConnections + RESERVE;
  }

  void closed(Visitor visitor) {
    open.decrementAndGet();
    visitor.release(perAddress);
  }

  /**
   * Checks an upgrade before its pair code is read: protocol version, caps, rates, origin, memory.
   * Returns why it is refused, or {@code null}.
   */
  public Refusal screen(Visitor visitor, HttpServerRequest request) {
    if (!VERSION.equals(request.getHeader(SEC_WEBSOCKET_VERSION))) return Refusal.UNSUPPORTED_VERSION;
    if (visitor.overCapacity != null) return visitor.overCapacity;
    String client = visitor.client(request, proxies);
    long now = System.nanoTime();
    if (refusals.exhausted(client, now)) return Refusal.TOO_MANY_REFUSALS;
    if (!upgrades.tryTake(client, now)) return Refusal.TOO_MANY_UPGRADES;
    if (!origins.allows(request.getHeader(HttpHeaders.ORIGIN))) return Refusal.FORBIDDEN_ORIGIN;
    if (memory.spent()) return Refusal.MEMORY_SPENT;
    if (!visitor.counted() && !visitor.count(client, perAddress)) return Refusal.TOO_MANY_CONNECTIONS;
    return null;
  }

  /**
   * Checks an upgrade by a client that proved who it is (a tunnel agent with its token): protocol
   * version, node capacity and memory, but not the per-address upgrade and refusal rates, which would
   * throttle an agent opening one data connection per visitor connection. Returns why it is refused,
   * or {@code null}.
   */
  public Refusal screenAuthenticated(Visitor visitor, HttpServerRequest request) {
    if (!VERSION.equals(request.getHeader(SEC_WEBSOCKET_VERSION))) return Refusal.UNSUPPORTED_VERSION;
    // Nor the per-address connection cap: an agent opens a data connection per visitor connection,
    // so a popular tunnel would stop at maxConnectionsPerIp (its links have their own bound).
    visitor.release(perAddress);
    if (visitor.overCapacity == Refusal.TOO_MANY_CONNECTIONS) visitor.overCapacity = null;
    if (visitor.overCapacity != null) return visitor.overCapacity;
    if (memory.spent()) return Refusal.MEMORY_SPENT;
    return null;
  }

  /**
   * Checks a tunnel visitor's request: the node's and the visitor address's connection caps, as for
   * an upgrade (a visitor behind a trusted proxy is counted under the address the proxy names).
   * Returns why it is refused, or {@code null}.
   */
  public Refusal screenTunnelVisitor(Visitor visitor, HttpServerRequest request) {
    if (visitor.overCapacity != null) return visitor.overCapacity;
    if (!visitor.counted() && !visitor.count(visitor.client(request, proxies), perAddress)) return Refusal.TOO_MANY_CONNECTIONS;
    return null;
  }

  /** Checks the access token for {@code code}, when access control is on; {@code null} if admitted. */
  public Refusal authorize(HttpServerRequest request, String code) {
    if (tokens == null) return null;
    String token = AccessToken.fromRequest(request.getParam("token"), request.getHeader(HttpHeaders.AUTHORIZATION));
    return tokens.verify(token, code, Instant.now()) == AccessToken.Verdict.OK ? null : Refusal.UNAUTHORIZED;
  }

  /**
   * Answers {@code request} with the refusal's status and {@code body} (its reason when null) and
   * closes the connection; guesses count against the client's refusal allowance.
   */
  public void refuse(Visitor visitor, HttpServerRequest request, Refusal refusal, String body) {
    metrics.refused(refusal);
    if (refusal.isAGuess()) countGuess(visitor, request);
    if (refusal == Refusal.UNSUPPORTED_VERSION) {
      request.response().putHeader(SEC_WEBSOCKET_VERSION, VERSION); // RFC 6455 §4.4: what we speak
    }
    PlainAnswer.andClose(request, refusal.status(), body != null ? body : refusal.reason());
  }

  /**
   * True when the client behind {@code request} was refused more than {@code refusalsPerIp} times in
   * the last minute. A restricted tunnel then answers it 429 without checking, so its password or
   * allowlist cannot be probed faster than pair codes.
   */
  public boolean refusedTooOften(Visitor visitor, HttpServerRequest request) {
    return refusals.exhausted(visitor.client(request, proxies), System.nanoTime());
  }

  /** A tunnel turned the client behind {@code request} away (401, 403): it counts as a guess, as a wrong code does. */
  public void tunnelVisitorRefused(Visitor visitor, HttpServerRequest request) {
    countGuess(visitor, request);
  }

  /**
   * A tunnel agent's hello was refused its name (held by another token, or one too many for its
   * token): it counts as a guess, so names cannot be tried faster than pair codes.
   */
  public void nameRefused(Visitor visitor, HttpServerRequest request) {
    countGuess(visitor, request);
  }

  private void countGuess(Visitor visitor, HttpServerRequest request) {
    refusals.tryTake(visitor.client(request, proxies), System.nanoTime());
  }

  void cut(Cut why) {
    metrics.cut(why);
  }

  /** Forgets the rate-limit buckets of addresses that have been quiet long enough to be full again. */
  public void sweep() {
    long now = System.nanoTime();
    upgrades.sweep(now);
    refusals.sweep(now);
  }

  /** Connections open now, for metrics. */
  public int openConnections() {
    return open.get();
  }
}
