package io.arcrelay.pair;

import io.arcrelay.Relay;
import io.arcrelay.TestClient;
import io.arcrelay.config.RelayConfig;
import io.vertx.core.Vertx;

/** The pair protocol on one node with two event loops, so the sides of a pair usually cross threads. */
class SingleNodePairProtocolTest extends PairProtocolSuite {

  private Vertx relayVertx;
  private Relay relay;

  @Override
  protected void startRelay(RelayConfig config) {
    stopRelay();
    relayVertx = Vertx.vertx();
    relay = Relay.start(relayVertx, config).await();
  }

  @Override
  protected void stopRelay() {
    if (relayVertx != null) {
      relay.stop().await();
      relayVertx.close().await();
      relayVertx = null;
    }
  }

  @Override
  protected long relayMemory() {
    return relay.memory().used();
  }

  @Override
  protected String uriA(String code) {
    return TestClient.uri(relay.port(), code);
  }

  @Override
  protected String uriB(String code) {
    return TestClient.uri(relay.port(), code);
  }
}
