package io.arcrelay.tunnel.agent;

import java.util.concurrent.atomic.LongAdder;

/**
 * What an agent's data links have carried, for its status line: requests, links open now, and body
 * bytes each way (heads not counted, as on the relay's {@code arc_relay_tunnel_bytes_total}).
 * Up is what the agent sends to the relay (its local service's answers, an upgraded connection's
 * bytes from it), down what it receives (visitors' request bodies, an upgraded connection's bytes
 * to it). Fed from every data link's thread without locks.
 */
public final class TrafficCounters {

  private final LongAdder requests = new LongAdder();
  private final LongAdder openLinks = new LongAdder();
  private final LongAdder bytesUp = new LongAdder();
  private final LongAdder bytesDown = new LongAdder();

  void request() {
    requests.increment();
  }

  void linkOpened() {
    openLinks.increment();
  }

  void linkClosed() {
    openLinks.decrement();
  }

  void sent(int bytes) {
    bytesUp.add(bytes);
  }

  void received(int bytes) {
    bytesDown.add(bytes);
  }

  /** Visitor requests passed to the local service so far. */
  public long requests() {
    return requests.sum();
  }

  /** Data links (visitor connections) open now. */
  public long openLinks() {
    return openLinks.sum();
  }

  /** Body bytes sent up to the relay so far. */
  public long bytesUp() {
    return bytesUp.sum();
  }

  /** Body bytes received from the relay so far. */
  public long bytesDown() {
    return bytesDown.sum();
  }
}
