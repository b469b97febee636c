package io.arcrelay.tunnel;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Which agent sessions serve which tunnel name, on this node. A name belongs to the token (its
 * digest) that registered it while any of its sessions is connected: the same token adds a session
 * at once (a reconnecting agent never finds its own name taken, and several agents share the
 * traffic); another token is refused until the last session has gone. Thread-safe.
 *
 * <p>Single node only: the cluster keeps the same rules in a Hazelcast lease per name.
 */
public final class TunnelNames {

  private static final String[] ADJECTIVES = {"amber", "brisk", "calm", "deft", "eager", "fair", "glad", "hazy",
      "keen", "lucid", "mellow", "noble", "olive", "proud", "quiet", "rapid", "sunny", "tidy", "vivid", "witty"};
  private static final String[] NOUNS = {"otter", "falcon", "maple", "harbor", "comet", "meadow", "canyon", "willow",
      "lantern", "pebble", "river", "summit", "thistle", "walrus", "badger", "cedar", "delta", "ember", "fjord", "heron"};

  /** One live agent session of a tunnel, reached through its control socket. */
  public interface Session {
    /** Session id, sent to its agent only. */
    String id();

    /** SHA-256 hex of the token the session registered with. */
    String owner();

    /** Asks the agent to open the data link {@code linkId}; false when the session is gone. */
    boolean open(String linkId);
  }

  /** The answer to a registration. */
  public enum Registration { REGISTERED, NAME_TAKEN }

  private record Tunnel(String owner, List<Session> sessions, AtomicInteger next, AtomicReference<VisitorPolicy> policy) {}

  private final ConcurrentHashMap<String, Tunnel> tunnels = new ConcurrentHashMap<>();

  /** Adds {@code session} to the tunnel {@code name}, unless another token's session holds it; no visitor restrictions. */
  public Registration register(String name, Session session) {
    return register(name, session, VisitorPolicy.OPEN);
  }

  /**
   * Adds {@code session} to the tunnel {@code name}, unless another token's session holds it. Its
   * {@code policy} (from the newest hello) replaces the tunnel's, in the same step, so another token
   * can never change who may visit a name it does not hold.
   */
  public Registration register(String name, Session session, VisitorPolicy policy) {
    Registration[] answer = new Registration[1];
    tunnels.compute(name, (n, tunnel) -> {
      if (tunnel == null || tunnel.sessions().isEmpty() || !tunnel.owner().equals(session.owner())) {
        if (tunnel != null && !tunnel.sessions().isEmpty()) {
          answer[0] = Registration.NAME_TAKEN;
          return tunnel;
        }
        tunnel = new Tunnel(session.owner(), new CopyOnWriteArrayList<>(), new AtomicInteger(), new AtomicReference<>());
      }
      tunnel.policy().set(policy);
      tunnel.sessions().add(session);
      answer[0] = Registration.REGISTERED;
      return tunnel;
    });
    return answer[0];
  }

  /** A name free now for a session with no name of its own: {@code adjective-noun-NNNN}. */
  public String freeName() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (true) {
      String name = ADJECTIVES[random.nextInt(ADJECTIVES.length)] + "-" + NOUNS[random.nextInt(NOUNS.length)]
          + "-" + random.nextInt(1000, 10_000);
      if (!tunnels.containsKey(name)) return name;
    }
  }

  /** The next session of {@code name} in turn, or {@code null} when nobody serves it. */
  public Session pick(String name) {
    Tunnel tunnel = tunnels.get(name);
    if (tunnel == null) return null;
    List<Session> sessions = tunnel.sessions();
    while (!sessions.isEmpty()) {
      try {
        return sessions.get(Math.floorMod(tunnel.next().getAndIncrement(), sessions.size()));
      } catch (IndexOutOfBoundsException shrunk) {
        // a session left between size() and get(): choose again
      }
    }
    return null;
  }

  /** Who may visit {@code name}: its newest hello's policy, {@link VisitorPolicy#OPEN} when nobody serves it. */
  public VisitorPolicy policy(String name) {
    Tunnel tunnel = tunnels.get(name);
    return tunnel == null ? VisitorPolicy.OPEN : tunnel.policy().get();
  }

  /** The session left: the name is free once its last session has gone. */
  public void remove(String name, Session session) {
    tunnels.computeIfPresent(name, (n, tunnel) -> {
      tunnel.sessions().remove(session);
      return tunnel.sessions().isEmpty() ? null : tunnel;
    });
  }
}
