package io.arcrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.AbstractMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What each pair-map decision does to one entry, as the key's partition owner runs it. */
class PairMapOperationTest {

  private static final PairEntry A = PairEntry.waiting("node-1", "r1/1");
  private static final PairEntry B = PairEntry.waiting("node-2", "r2/7");
  private static final PairEntry THIRD = PairEntry.waiting("node-3", "r3/2");

  private static Map.Entry<String, String> entry(PairEntry value) {
    return new AbstractMap.SimpleEntry<>("key", value == null ? null : value.encode());
  }

  private static String run(Map.Entry<String, String> entry, byte kind, String first, String second) {
    return new PairMap.Operation(kind, first, second).process(entry);
  }

  @Test
  void aClaimOfAFreeCodeMakesSideAAndAClaimOfAWaitingOneMakesSideB() {
    Map.Entry<String, String> entry = entry(null);
    assertEquals(A.encode(), run(entry, PairMap.Operation.CLAIM, A.encode(), null));
    assertEquals(A.encode(), run(entry, PairMap.Operation.CLAIM, A.encode(), null), "asked again: the same answer");
    String pair = A.withB("node-2", "r2/7").encode();
    assertEquals(pair, run(entry, PairMap.Operation.CLAIM, B.encode(), null));
    assertEquals(pair, entry.getValue());
    assertEquals(pair, run(entry, PairMap.Operation.CLAIM, THIRD.encode(), null), "a third side changes nothing");
    assertEquals(pair, entry.getValue());
  }

  @Test
  void aJoinNeverCreatesAnEntry() {
    Map.Entry<String, String> entry = entry(null);
    assertNull(run(entry, PairMap.Operation.JOIN, B.encode(), null));
    assertNull(entry.getValue());
    entry.setValue(A.encode());
    assertEquals(A.withB("node-2", "r2/7").encode(), run(entry, PairMap.Operation.JOIN, B.encode(), null));
  }

  @Test
  void anEntryIsRemovedOnlyByASideItNames() {
    String pair = A.withB("node-2", "r2/7").encode();
    Map.Entry<String, String> entry = entry(A.withB("node-2", "r2/7"));
    run(entry, PairMap.Operation.REMOVE_NAMED, "r3/2", null);
    assertEquals(pair, entry.getValue(), "another pair's side");
    run(entry, PairMap.Operation.REMOVE_NAMED, "r2/7", null);
    assertNull(entry.getValue(), "side B");
    entry.setValue(A.encode());
    run(entry, PairMap.Operation.REMOVE_NAMED, "r1/1", null);
    assertNull(entry.getValue(), "side A");
  }

  @Test
  void replaceAndPutIfAbsentCompareFirst() {
    Map.Entry<String, String> entry = entry(A);
    assertEquals(A.encode(), run(entry, PairMap.Operation.REPLACE, B.encode(), THIRD.encode()), "not what it holds: unchanged");
    assertEquals(THIRD.encode(), run(entry, PairMap.Operation.REPLACE, A.encode(), THIRD.encode()));
    assertEquals(THIRD.encode(), run(entry, PairMap.Operation.PUT_IF_ABSENT, B.encode(), null));
    assertEquals(THIRD.encode(), entry.getValue());
    Map.Entry<String, String> free = entry(null);
    assertNull(run(free, PairMap.Operation.PUT_IF_ABSENT, B.encode(), null));
    assertEquals(B.encode(), free.getValue());
  }
}
