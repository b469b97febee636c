package io.arcrelay.bench;

import java.util.Map;
import java.util.TreeMap;

/** Counts by key (close codes, HTTP statuses), printed as {@code key:n,key:n}, or {@code none}. */
final class Tally<K extends Comparable<K>> {

  private final Map<K, Long> counts = new TreeMap<>();

  void add(K key) {
    counts.merge(key, 1L, Long::sum);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder();
    counts.forEach((key, n) -> text.append(text.length() == 0 ? "" : ",").append(key).append(':').append(n));
    return text.length() == 0 ? "none" : text.toString();
  }
}
