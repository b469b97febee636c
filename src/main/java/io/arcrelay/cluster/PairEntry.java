package io.arcrelay.cluster;

/**
 * The clustered map's value for one code: where side A is and, once it joined, where side B is.
 * Connection ids are unique across the cluster and never reused, so a value names one pair exactly:
 * removing "the value I claimed" can never remove a newer pair of the same code.
 *
 * @param nodeA node of side A
 * @param connA connection id of side A
 * @param nodeB node of side B, or null while A waits
 * @param connB connection id of side B, or null while A waits
 */
record PairEntry(String nodeA, String connA, String nodeB, String connB) {

  static PairEntry waiting(String node, String conn) {
    return new PairEntry(node, conn, null, null);
  }

  PairEntry withB(String node, String conn) {
    return new PairEntry(nodeA, connA, node, conn);
  }

  /** Whether {@code conn} is one of the two sides this value names. */
  boolean names(String conn) {
    return conn.equals(connA) || conn.equals(connB);
  }

  boolean complete() {
    return nodeB != null;
  }

  String encode() {
    return complete() ? nodeA + " " + connA + " " + nodeB + " " + connB : nodeA + " " + connA;
  }

  static PairEntry decode(String value) {
    String[] f = value.split(" ");
    return f.length == 4 ? new PairEntry(f[0], f[1], f[2], f[3]) : new PairEntry(f[0], f[1], null, null);
  }
}
