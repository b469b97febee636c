package io.arcrelay.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.arcrelay.seams.VertxClusters;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * This node's view of its cluster: who is a member, whether its half of a split has a quorum, and
 * when it merges back into the healed cluster. What the pairs do about it is the {@link Changes}'.
 */
final class ClusterMembers implements Membership {

  /** What a node does when its cluster changes. */
  interface Changes {
    /** A member left; {@code alive} are those that remain, {@code belowQuorum} if too few for claims here. */
    void nodesLost(Set<String> alive, boolean belowQuorum);

    /** This node's half of a split merged into the other half; on the context that listened. */
    void merged();
  }

  private final HazelcastClusterManager manager;
  private final HazelcastInstance hazelcast;
  private final String nodeId;
  private final int quorum;
  private UUID membershipListener;
  private UUID lifecycleListener;
  /** From a split-brain merge until this node's router can be reached again: not ready meanwhile. */
  private volatile boolean merging;

  ClusterMembers(Vertx vertx, int quorum) {
    this.manager = VertxClusters.hazelcast(vertx);
    this.hazelcast = manager.getHazelcastInstance();
    this.nodeId = manager.getNodeId();
    this.quorum = quorum;
  }

  HazelcastInstance hazelcast() {
    return hazelcast;
  }

  /** Tells {@code changes} of members lost and merges, the merges on {@code context}. */
  void listen(Context context, Changes changes) {
    membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        Set<String> alive = new HashSet<>(manager.getNodes());
        changes.nodesLost(alive, alive.size() < quorum);
      }
    });
    lifecycleListener = hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGING) merging = true;
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) context.runOnContext(v -> changes.merged());
    });
  }

  /** The merge is over for this node: it can be reached again. */
  void settled() {
    merging = false;
  }

  void close() {
    if (membershipListener != null) hazelcast.getCluster().removeMembershipListener(membershipListener);
    if (lifecycleListener != null) hazelcast.getLifecycleService().removeLifecycleListener(lifecycleListener);
  }

  /** Whether {@code node} is a member; this node always is, as far as its own sides go. */
  boolean alive(String node) {
    return node.equals(nodeId) || manager.getNodes().contains(node);
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public List<String> members() {
    return manager.getNodes();
  }

  @Override
  public long clusterTime() {
    return hazelcast.getCluster().getClusterTime();
  }

  @Override
  public String outOfService() {
    if (!hazelcast.getLifecycleService().isRunning() || !manager.getNodes().contains(nodeId)) {
      return "not a cluster member";
    }
    if (merging) return "merging into the healed cluster";
    int members = manager.getNodes().size();
    return members < quorum ? "below quorum: " + members + " of " + quorum + " nodes" : null;
  }
}
