package io.arcrelay.tunnel;

import io.arcrelay.pair.PairEnd;
import io.arcrelay.pair.PairMetrics;

/**
 * What the data links' registry and sockets report. Links are not pairs: they must not show in the
 * pair gauges, counters or {@code /health}, so until tunnels have meters of their own their events
 * are recorded nowhere.
 */
final class LinkMetrics implements PairMetrics {

  @Override
  public void forwarded(boolean crossNode, int bytes) {}

  @Override
  public void held(int bytes) {}

  @Override
  public void textDropped() {}

  @Override
  public void paused(Pause why) {}

  @Override
  public void keepaliveTimeout() {}

  @Override
  public void pairFormed(long waitedNanos) {}

  @Override
  public void pairEnded(PairEnd why, long livedNanos) {}
}
