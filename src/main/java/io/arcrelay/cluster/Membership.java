package io.arcrelay.cluster;

import java.util.List;

/** This node in its cluster, as health checks, metrics and tunnel names see it. */
public interface Membership {

  String nodeId();

  List<String> members();

  /** The cluster's clock, in epoch milliseconds: the same on every member. */
  long clusterTime();

  /**
   * Why this node should get no new clients, or null: it must be a running member of the cluster,
   * in a half of at least {@code clusterQuorum} nodes when the cluster is split.
   */
  String outOfService();
}
