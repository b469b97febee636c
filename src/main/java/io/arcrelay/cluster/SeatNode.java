package io.arcrelay.cluster;

import io.arcrelay.splice.MemoryBudget;
import io.arcrelay.splice.PairMetrics;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * What a {@link ClusterSeat} needs of its node: timers, the node's id, its router to other nodes,
 * the budgets a link to a remote peer draws on, and where pairs are counted.
 */
record SeatNode(Vertx vertx, String nodeId, Duration pairTtl, NodeRouter router, WindowBudget windowBudget,
    MemoryBudget memory, PendingCredit pendingCredit, PairMetrics metrics) {

  /** A link to side {@code conn} on {@code node}, whose messages so far numbered {@code received}. */
  RemotePeer peer(String node, String conn, long received) {
    return new RemotePeer(router, windowBudget, memory, pendingCredit, node, conn, received);
  }
}
