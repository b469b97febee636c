package io.arcrelay.cluster;

import io.arcrelay.TestClient;

/**
 * The whole pair protocol suite with both sides on node 1 of a two-node cluster: the usual case
 * behind a load balancer that hashes by pair code, where the pair map is clustered but the splice
 * is local.
 */
class SameNodeClusteredPairProtocolTest extends TwoNodeSuite {

  @Override
  protected String uriB(String code) {
    return TestClient.uri(relay1.port(), code);
  }

  /** Both sides on node 1: the splice is SingleNodePairProtocolTest's, which runs the heavy-data tests. */
  @Override
  protected boolean ownDataPath() {
    return false;
  }
}
