package io.arcrelay.tunnel;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.shareddata.AsyncMap;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which agent sessions serve which tunnel name, across the cluster (or on one node: the same code
 * over Vert.x's local map). A name belongs to the token (its digest) that registered it while it is
 * held ({@link NameLease#heldAt}): the same token adds a session at once (a reconnecting agent never
 * finds its own name taken, and several agents share the traffic, whichever nodes they are
 * connected to); another token is refused until the last session has gone and its lease or
 * reservation has run out.
 *
 * <p>Each name is one entry of the map {@value #MAP} ({@link NameLease}), changed only by
 * compare-and-set. A session's lease is renewed every {@value #RENEW_MS} ms by the node holding its
 * control socket and runs out {@value #LEASE_MS} ms after; a session whose node leaves the cluster
 * serves no more visitors at once, but its lease still keeps the name for its token. A session whose
 * agent left (close 1000) is taken out of the entry and frees the name at once; one whose
 * connection was lost ({@link #drop}) leaves a reservation of {@value #LEASE_MS} ms for its agent to
 * come back.
 *
 * <p>A token holds at most {@code namesPerToken} names. Counting them reads every entry of the map
 * (its values name their owner; there is no index by owner), so it is done only when a hello claims
 * a name the token does not hold yet, never for a reconnect or a renewal, and after the claim is
 * written: a claim that finds the token over the cap takes itself back out. Of claims racing each
 * other, the later writer sees both and gives way, so the cap is never exceeded for longer than a
 * claim takes (at worst both give way, and the agents try again).
 *
 * <p>A visitor's node reaches a session on another node through that node's one consumer
 * {@code arc-relay.tunnel.<router>}: an {@code open} request answered {@code ok} once the agent has
 * been asked, or {@code gone}.
 */
public final class TunnelNames {

  private static final Logger log = LoggerFactory.getLogger(TunnelNames.class);

  /** The cluster-wide map of names to their {@link NameLease}. */
  static final String MAP = "arc-relay.tunnel.names";
  private static final String ADDRESS_PREFIX = "arc-relay.tunnel.";
  static final long LEASE_MS = 15_000;
  static final long RENEW_MS = 5_000;
  /** How long a node trusts the entry it read for a name: visitors' requests do not each read the map. */
  private static final long CACHE_NANOS = 1_000_000_000L;
  /** How long a visitor's node waits for another node to pass an {@code open} on. */
  private static final long OPEN_TIMEOUT_MS = 2_000;
  private static final int WRITE_ATTEMPTS = 5;

  private static final String[] ADJECTIVES = {"amber", "brisk", "calm", "deft", "eager", "fair", "glad", "hazy",
      "keen", "lucid", "mellow", "noble", "olive", "proud", "quiet", "rapid", "sunny", "tidy", "vivid", "witty"};
  private static final String[] NOUNS = {"otter", "falcon", "maple", "harbor", "comet", "meadow", "canyon", "willow",
      "lantern", "pebble", "river", "summit", "thistle", "walrus", "badger", "cedar", "delta", "ember", "fjord", "heron"};

  /** One agent session of a tunnel, on this node or another. */
  public interface Session {
    /** Session id, sent to its agent only. */
    String id();

    /** SHA-256 hex of the token the session registered with. */
    String owner();

    /** Asks the agent to open the data link {@code linkId}; false when the session is gone. */
    Future<Boolean> open(String linkId);
  }

  /** A session whose control socket is on this node. */
  public interface Hosted extends Session {
    /** Who may visit the tunnel, as its agent's hello said. */
    VisitorPolicy policy();

    /**
     * Another token holds the name now (taken while this session could not renew its lease, in a
     * split cluster): the session must end.
     */
    void nameLost();
  }

  /**
   * What the leases are judged by: this node's id, a clock every node shares (Hazelcast's cluster
   * time), and whether a node is still a member.
   */
  public record Membership(String node, LongSupplier clock, Predicate<String> alive) {
    /** A single node: the only member, on its own clock. */
    public static Membership singleNode() {
      return new Membership("local", System::currentTimeMillis, node -> true);
    }
  }

  /** The answer to a registration. */
  public enum Registration {
    REGISTERED,
    /** Another token holds the name. */
    NAME_TAKEN,
    /** The token holds as many names as it may: the name would be one more. */
    NAMES_EXHAUSTED
  }

  private record Local(String name, Hosted socket) {}

  private record Cached(NameLease lease, long readNanos) {}

  private final Vertx vertx;
  private final AsyncMap<String, String> map;
  private final Membership membership;
  private final int namesPerToken;
  /** This node's part of the consumer address; a restarted process gets a new one. */
  private final String router;
  private final MessageConsumer<String> consumer;
  private final ConcurrentHashMap<String, Local> hosted = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
  private final AtomicInteger turn = new AtomicInteger();
  private final long renewTimer;

  private TunnelNames(Vertx vertx, AsyncMap<String, String> map, Membership membership, int namesPerToken) {
    this.vertx = vertx;
    this.map = map;
    this.membership = membership;
    this.namesPerToken = namesPerToken;
    this.router = membership.node() + "." + Long.toHexString(new SecureRandom().nextLong());
    this.consumer = vertx.eventBus().consumer(ADDRESS_PREFIX + router, this::onOpen);
    this.renewTimer = vertx.setPeriodic(RENEW_MS, id -> renewAll());
  }

  /** Joins the name map and starts this node's consumer; a token may hold {@code namesPerToken} names. */
  public static Future<TunnelNames> create(Vertx vertx, Membership membership, int namesPerToken) {
    return vertx.sharedData().<String, String>getAsyncMap(MAP).compose(map -> {
      TunnelNames names = new TunnelNames(vertx, map, membership, namesPerToken);
      return names.consumer.completion().map(v -> names);
    });
  }

  /** A readable name such as {@code calm-otter-4821}; it may be taken, so registering it may fail. */
  public static String randomName() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return ADJECTIVES[random.nextInt(ADJECTIVES.length)] + "-" + NOUNS[random.nextInt(NOUNS.length)]
        + "-" + random.nextInt(1000, 10_000);
  }

  /** How many names one token may hold. */
  int namesPerToken() {
    return namesPerToken;
  }

  /**
   * Adds {@code socket}'s session to the tunnel {@code name}, unless it is held for another token
   * or would be one name too many for the socket's token. Its visitor policy becomes the tunnel's:
   * the newest hello decides for all its sessions.
   */
  public Future<Registration> register(String name, Hosted socket) {
    hosted.put(socket.id(), new Local(name, socket));
    return lease(name, socket, true, WRITE_ATTEMPTS).andThen(done -> {
      cache.remove(name);
      if (done.failed() || done.result() != Registration.REGISTERED) hosted.remove(socket.id());
    });
  }

  /** The agent left: its session is out of the entry at once, and the name is free once its last session has gone. */
  public Future<Void> leave(String name, Hosted socket) {
    return remove(name, socket, 0);
  }

  /**
   * The session's control connection was lost: it is out of the entry at once (visitors are not
   * sent to it), but the name stays its token's for {@value #LEASE_MS} ms, for its agent to come back.
   */
  public Future<Void> drop(String name, Hosted socket) {
    return remove(name, socket, membership.clock().getAsLong() + LEASE_MS);
  }

  private Future<Void> remove(String name, Hosted socket, long reserveUntil) {
    hosted.remove(socket.id());
    cache.remove(name);
    return remove(name, socket.id(), reserveUntil, WRITE_ATTEMPTS);
  }

  /**
   * The next live session of {@code name} in turn, leaving out those in {@code tried}; {@code null}
   * when none is left.
   */
  public Future<Session> pick(String name, Set<String> tried) {
    return read(name).map(lease -> {
      if (lease == null) return null;
      List<NameLease.Holder> live = new ArrayList<>(lease.live(membership.clock().getAsLong(), membership.alive()));
      live.removeIf(h -> tried.contains(h.session()));
      if (live.isEmpty()) return null;
      NameLease.Holder holder = live.get(Math.floorMod(turn.getAndIncrement(), live.size()));
      Local local = holder.router().equals(router) ? hosted.get(holder.session()) : null;
      return local != null ? local.socket() : new Remote(name, holder, lease.owner());
    });
  }

  /** How many live sessions serve {@code name} now (0 when nobody holds it): read afresh after a registration. */
  public Future<Integer> sessions(String name) {
    return read(name).map(lease -> lease == null ? 0 : lease.live(membership.clock().getAsLong(), membership.alive()).size());
  }

  /** Who may visit {@code name}: its entry's policy (read at most 1 s ago), open when nobody holds it. */
  public Future<VisitorPolicy> policy(String name) {
    return read(name).map(lease -> lease == null ? VisitorPolicy.OPEN : lease.policy());
  }

  /**
   * Takes this node's sessions out of their names, each reserved for its agent to reconnect to
   * another node, and stops listening.
   */
  public Future<Void> close() {
    vertx.cancelTimer(renewTimer);
    List<Future<Void>> removed = new ArrayList<>();
    hosted.forEach((session, local) -> removed.add(drop(local.name(), local.socket())));
    return Future.join(removed).transform(v -> consumer.unregister());
  }

  /**
   * Registers {@code socket}'s session ({@code hello}), or renews its lease: one compare-and-set,
   * retried on a race. A hello sets the tunnel's visitor policy to the socket's, and one that claims
   * a name its token does not hold yet is checked against the cap; a renewal keeps the entry's policy
   * (another session's newer hello may have set it), unless the entry is made anew.
   */
  private Future<Registration> lease(String name, Hosted socket, boolean hello, int attempts) {
    return map.get(name).compose(old -> {
      long now = membership.clock().getAsLong();
      NameLease current = old == null ? null : NameLease.decode(old);
      NameLease.Holder me = new NameLease.Holder(socket.id(), router, membership.node(), now + LEASE_MS);
      NameLease next = NameLease.register(current, socket.owner(), me, socket.policy(), hello, now, membership.alive());
      if (next == null) return Future.succeededFuture(Registration.NAME_TAKEN);
      boolean claim = hello && (current == null || !current.owner().equals(socket.owner()) || !current.heldAt(now));
      return write(name, old, next).compose(written -> {
        if (written) return claim ? withinCap(name, socket) : Future.succeededFuture(Registration.REGISTERED);
        if (attempts > 1) return lease(name, socket, hello, attempts - 1);
        return Future.failedFuture(new IllegalStateException("the tunnel name map kept changing"));
      });
    });
  }

  /**
   * After {@code socket} claimed {@code name}: registered if its token holds no more names than the
   * cap, else taken back out (also when they could not be counted: the agent tries again).
   */
  private Future<Registration> withinCap(String name, Hosted socket) {
    return namesHeldBy(socket.owner()).transform(counted -> {
      if (counted.succeeded() && counted.result() <= namesPerToken) return Future.succeededFuture(Registration.REGISTERED);
      Future<Void> takenBack = remove(name, socket.id(), 0, WRITE_ATTEMPTS);
      return counted.succeeded() ? takenBack.map(Registration.NAMES_EXHAUSTED) : takenBack.transform(v -> Future.failedFuture(counted.cause()));
    });
  }

  /** How many names {@code owner} holds across the cluster: one read of the whole map (see the class comment). */
  private Future<Integer> namesHeldBy(String owner) {
    return map.entries().map(entries -> {
      long now = membership.clock().getAsLong();
      int held = 0;
      for (String value : entries.values()) {
        if (!value.contains(owner)) continue; // most entries are other tokens': skip them undecoded
        NameLease lease = NameLease.decode(value);
        if (lease.owner().equals(owner) && lease.heldAt(now)) held++;
      }
      return held;
    });
  }

  private Future<Void> remove(String name, String session, long reserveUntil, int attempts) {
    return map.get(name).compose(old -> {
      if (old == null) return Future.succeededFuture();
      NameLease current = NameLease.decode(old);
      if (!current.holds(session)) return Future.succeededFuture();
      return write(name, old, current.without(session, reserveUntil)).compose(done -> done || attempts <= 1
          ? Future.succeededFuture() : remove(name, session, reserveUntil, attempts - 1));
    });
  }

  /**
   * Changes {@code name}'s entry from {@code old} (null: absent) to {@code next} (removed when it
   * has nothing left to keep) if nobody changed it meanwhile; true if it did. A failure counts as not
   * written (it may have been applied): the caller reads the entry again.
   */
  private Future<Boolean> write(String name, String old, NameLease next) {
    Future<Boolean> written;
    if (old == null) {
      written = map.putIfAbsent(name, next.encode()).map(Objects::isNull);
    } else if (next.vacant(membership.clock().getAsLong())) {
      written = map.removeIfPresent(name, old);
    } else {
      written = map.replaceIfPresent(name, old, next.encode());
    }
    return written.otherwise(false);
  }

  /** The entry of {@code name}, read at most {@link #CACHE_NANOS} ago by this node. */
  private Future<NameLease> read(String name) {
    Cached cached = cache.get(name);
    long now = System.nanoTime();
    if (cached != null && now - cached.readNanos() < CACHE_NANOS) return Future.succeededFuture(cached.lease());
    return map.get(name).map(value -> {
      NameLease lease = value == null ? null : NameLease.decode(value);
      cache.put(name, new Cached(lease, now));
      return lease;
    });
  }

  /**
   * Renews every session of this node. One whose name another token has taken meanwhile is told
   * so; one that left while its renewal was under way is taken out again.
   */
  private void renewAll() {
    hosted.forEach((session, local) -> lease(local.name(), local.socket(), false, WRITE_ATTEMPTS).onComplete(renewed -> {
      if (renewed.failed()) {
        log.warn("tunnel {}: lease not renewed: {}", local.name(), renewed.cause().toString());
      } else if (renewed.result() == Registration.NAME_TAKEN && hosted.remove(session, local)) {
        local.socket().nameLost();
      } else if (!hosted.containsKey(session)) {
        remove(local.name(), session, 0, WRITE_ATTEMPTS);
      }
    }));
  }

  /** An {@code open} from another node's visitor: body {@code <session> <link id>}. */
  private void onOpen(Message<String> message) {
    String[] parts = message.body().split(" ", 2);
    Local local = parts.length == 2 ? hosted.get(parts[0]) : null;
    if (local == null) {
      message.reply("gone");
      return;
    }
    local.socket().open(parts[1]).onComplete(opened -> message.reply(opened.succeeded() && opened.result() ? "ok" : "gone"));
  }

  /** A session held on another node, reached through its node's consumer. */
  private final class Remote implements Session {
    private final String name;
    private final NameLease.Holder holder;
    private final String owner;

    Remote(String name, NameLease.Holder holder, String owner) {
      this.name = name;
      this.holder = holder;
      this.owner = owner;
    }

    @Override
    public String id() {
      return holder.session();
    }

    @Override
    public String owner() {
      return owner;
    }

    @Override
    public Future<Boolean> open(String linkId) {
      if (holder.router().equals(router)) return Future.succeededFuture(false); // ours, and gone
      return vertx.eventBus().<String>request(ADDRESS_PREFIX + holder.router(), holder.session() + " " + linkId,
              new DeliveryOptions().setSendTimeout(OPEN_TIMEOUT_MS))
          .map(reply -> "ok".equals(reply.body()))
          .otherwise(false)
          .andThen(opened -> {
            if (!opened.result()) cache.remove(name); // read the entry again before the next pick
          });
    }
  }
}
