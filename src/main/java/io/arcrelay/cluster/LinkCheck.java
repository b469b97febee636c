package io.arcrelay.cluster;

import io.arcrelay.splice.PairEnd;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the cross-node pairs whose link broke without a word. The clustered event bus drops
 * messages silently (a connection between nodes that breaks, the ~50 ms after a consumer
 * unregisters), so links are checked, never trusted: every {@link #INTERVAL_MS}, one {@code check}
 * per remote router this node has pairs with asks, for each linked side there, the last sequence
 * number it received and its credit total. A pair ends with 1011 {@code peer link lost}, on both
 * sides, when
 *
 * <ul>
 *   <li>a message sent before the previous check has still not arrived (a lost frame, join or
 *       close at the end of a stream, which no later message reveals as a gap);
 *   <li>the remote side is gone at two checks in a row (its {@code close} was lost);
 *   <li>its router has not answered for {@link #TIMEOUT_MS}, or has unregistered (1001
 *       {@code peer node lost} if its node left the cluster meanwhile).
 * </ul>
 *
 * So a loss is found within two intervals and an answer's time, or the timeout. The credit total
 * in each answer repairs a lost {@code credit} message.
 */
final class LinkCheck {

  /** How often links are checked. */
  static final long INTERVAL_MS = 2_000;
  /** A router that has not answered a check for this long is cut off: its links are closed. */
  static final long TIMEOUT_MS = 10_000;

  private static final Logger log = LoggerFactory.getLogger(LinkCheck.class);

  /** A local side whose peer is on another node. */
  interface Link {
    RemotePeer remote();

    /** The link broke: close this side, and tell its remote side if it can still hear. */
    void lost(PairEnd why);
  }

  private final NodeRouter router;
  private final Predicate<String> memberNode;
  /** Routers whose last check is still unanswered: one at a time each. */
  private final Set<String> asking = ConcurrentHashMap.newKeySet();

  LinkCheck(NodeRouter router, Predicate<String> memberNode) {
    this.router = router;
    this.memberNode = memberNode;
  }

  /** Checks every link in {@code links}, grouped by the router at their other end. */
  void run(Iterable<? extends Link> links) {
    Map<String, List<Link>> byRouter = new HashMap<>();
    for (Link link : links) {
      RemotePeer remote = link.remote();
      if (remote != null) byRouter.computeIfAbsent(NodeRouter.routerOf(remote.remoteConn()), r -> new ArrayList<>()).add(link);
    }
    byRouter.forEach(this::check);
  }

  private void check(String routerId, List<Link> links) {
    if (!asking.add(routerId)) return;
    List<RemotePeer> remotes = new ArrayList<>(links.size());
    List<String> conns = new ArrayList<>(links.size());
    long[] sentWhenAsked = new long[links.size()];
    for (Link link : links) {
      RemotePeer remote = link.remote();
      sentWhenAsked[remotes.size()] = remote.sentSeq();
      remotes.add(remote);
      conns.add(remote.remoteConn());
    }
    router.check(routerId, conns, TIMEOUT_MS).onComplete(answer -> {
      asking.remove(routerId);
      if (answer.failed()) {
        log.warn("router {} did not answer a check ({}): closing {} sides linked to it",
            routerId, answer.cause().getMessage(), links.size());
        for (int i = 0; i < links.size(); i++) {
          // A node that died meanwhile is reported as such, whichever of the two was noticed first.
          links.get(i).lost(memberNode.test(remotes.get(i).remoteNode()) ? PairEnd.LINK_LOST : PairEnd.NODE_LOST);
        }
        return;
      }
      List<NodeRouter.LinkState> states = answer.result();
      int lost = 0;
      for (int i = 0; i < links.size() && i < states.size(); i++) {
        if (!remotes.get(i).checked(states.get(i), sentWhenAsked[i])) {
          links.get(i).lost(PairEnd.LINK_LOST);
          lost++;
        }
      }
      if (lost > 0) log.warn("{} of {} links to router {} lost a message: closed", lost, links.size(), routerId);
    });
  }
}
