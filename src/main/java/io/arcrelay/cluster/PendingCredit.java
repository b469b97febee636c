package io.arcrelay.cluster;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Links whose receiving side has taken bytes it has not credited back yet. Credit goes back in
 * batches, and a link that goes quiet mid-batch would leave its sender counting delivered bytes as
 * in flight (against its node's memory budget) for good; flushing these every few milliseconds
 * bounds that to the flush interval, at no cost to links that keep moving.
 */
final class PendingCredit {

  /** How often pending credit is sent back. */
  static final long FLUSH_INTERVAL_MS = 20;

  private final ConcurrentLinkedQueue<RemotePeer> links = new ConcurrentLinkedQueue<>();

  void add(RemotePeer link) {
    links.add(link);
  }

  void flush() {
    RemotePeer link;
    while ((link = links.poll()) != null) link.flushCredit();
  }
}
