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
 * over Vert.x's local map). A name belongs to the token (its digest) that registered it while any
 * of its sessions is live: the same token adds a session at once (a reconnecting agent never finds
 * its own name taken, and several agents share the traffic, whichever nodes they are connected to);
 * another token is refused until the last session has gone.
 *
 * <p>Each name is one entry of the map {@value #MAP} ({@link NameLease}), changed only by
 * compare-and-set. A session's lease is renewed every {@value #RENEW_MS} ms by the node holding its
 * control socket and runs out {@value #LEASE_MS} ms after; a session whose node leaves the cluster
 * is dead at once. A closed control socket takes its session out of the entry at once.
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
  public enum Registration { REGISTERED, NAME_TAKEN }

  private record Local(String name, Hosted socket) {}

  private record Cached(NameLease lease, long readNanos) {}

  private final Vertx vertx;
  private final AsyncMap<String, String> map;
  private final Membership membership;
  /** This node's part of the consumer address; a restarted process gets a new one. */
  private final String router;
  private final MessageConsumer<String> consumer;
  private final ConcurrentHashMap<String, Local> hosted = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
  private final AtomicInteger turn = new AtomicInteger();
  private final long renewTimer;

  private TunnelNames(Vertx vertx, AsyncMap<String, String> map, Membership membership) {
    this.vertx = vertx;
    this.map = map;
    this.membership = membership;
    this.router = membership.node() + "." + Long.toHexString(new SecureRandom().nextLong());
    this.consumer = vertx.eventBus().consumer(ADDRESS_PREFIX + router, this::onOpen);
    this.renewTimer = vertx.setPeriodic(RENEW_MS, id -> renewAll());
  }

  /** Joins the name map and starts this node's consumer. */
  public static Future<TunnelNames> create(Vertx vertx, Membership membership) {
    return vertx.sharedData().<String, String>getAsyncMap(MAP).compose(map -> {
      TunnelNames names = new TunnelNames(vertx, map, membership);
      return names.consumer.completion().map(v -> names);
    });
  }

  /** A readable name such as {@code calm-otter-4821}; it may be taken, so registering it may fail. */
  public static String randomName() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return ADJECTIVES[random.nextInt(ADJECTIVES.length)] + "-" + NOUNS[random.nextInt(NOUNS.length)]
        + "-" + random.nextInt(1000, 10_000);
  }

  /**
   * Adds {@code socket}'s session to the tunnel {@code name}, unless another token's session holds
   * it. Its visitor policy becomes the tunnel's: the newest hello decides for all its sessions.
   */
  public Future<Registration> register(String name, Hosted socket) {
    hosted.put(socket.id(), new Local(name, socket));
    return lease(name, socket, true, WRITE_ATTEMPTS).andThen(done -> {
      cache.remove(name);
      if (done.failed() || done.result() != Registration.REGISTERED) hosted.remove(socket.id());
    });
  }

  /** The session left: it is out of the entry at once, and the name is free once its last session has gone. */
  public Future<Void> remove(String name, Hosted socket) {
    hosted.remove(socket.id());
    cache.remove(name);
    return remove(name, socket.id(), WRITE_ATTEMPTS);
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

  /** Who may visit {@code name}: its entry's policy (read at most 1 s ago), open when nobody holds it. */
  public Future<VisitorPolicy> policy(String name) {
    return read(name).map(lease -> lease == null ? VisitorPolicy.OPEN : lease.policy());
  }

  /** Takes this node's sessions out of their names and stops listening. */
  public Future<Void> close() {
    vertx.cancelTimer(renewTimer);
    List<Future<Void>> removed = new ArrayList<>();
    hosted.forEach((session, local) -> removed.add(remove(local.name(), local.socket())));
    return Future.join(removed).transform(v -> consumer.unregister());
  }

  /**
   * Registers {@code socket}'s session, or renews its lease: one compare-and-set, retried on a race.
   * A registration sets the tunnel's visitor policy to the socket's; a renewal keeps the entry's
   * (another session's newer hello may have set it), unless the entry is made anew.
   */
  private Future<Registration> lease(String name, Hosted socket, boolean setPolicy, int attempts) {
    return map.get(name).compose(old -> {
      long now = membership.clock().getAsLong();
      NameLease.Holder me = new NameLease.Holder(socket.id(), router, membership.node(), now + LEASE_MS);
      NameLease next = NameLease.register(old == null ? null : NameLease.decode(old), socket.owner(), me,
          socket.policy(), setPolicy, now, membership.alive());
      if (next == null) return Future.succeededFuture(Registration.NAME_TAKEN);
      return write(name, old, next).compose(written -> {
        if (written) return Future.succeededFuture(Registration.REGISTERED);
        if (attempts > 1) return lease(name, socket, setPolicy, attempts - 1);
        return Future.failedFuture(new IllegalStateException("the tunnel name map kept changing"));
      });
    });
  }

  private Future<Void> remove(String name, String session, int attempts) {
    return map.get(name).compose(old -> {
      if (old == null) return Future.succeededFuture();
      NameLease current = NameLease.decode(old);
      if (!current.holds(session)) return Future.succeededFuture();
      return write(name, old, current.without(session))
          .compose(done -> done || attempts <= 1 ? Future.succeededFuture() : remove(name, session, attempts - 1));
    });
  }

  /**
   * Changes {@code name}'s entry from {@code old} (null: absent) to {@code next} (removed when it
   * has no holder left) if nobody changed it meanwhile; true if it did. A failure counts as not
   * written (it may have been applied): the caller reads the entry again.
   */
  private Future<Boolean> write(String name, String old, NameLease next) {
    Future<Boolean> written;
    if (old == null) {
      written = map.putIfAbsent(name, next.encode()).map(Objects::isNull);
    } else if (next.holders().isEmpty()) {
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
        remove(local.name(), session, WRITE_ATTEMPTS);
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
