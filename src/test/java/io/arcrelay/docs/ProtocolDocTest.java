package io.arcrelay.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.edge.Refusal;
import io.arcrelay.splice.PairEnd;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** docs/protocol.md's close-code and refusal tables against {@link PairEnd} and {@link Refusal}. */
class ProtocolDocTest {

  private static final Path DOC = Path.of("docs/protocol.md");

  @Test
  void theCloseCodeTableHasEveryCloseAPairEndSendsAndNoOther() throws IOException {
    Set<String> sent = new HashSet<>();
    for (PairEnd end : PairEnd.values()) {
      for (PairEnd.Close close : new PairEnd.Close[] {end.self(), end.peer()}) {
        if (close != null) sent.add(close.code() + " " + close.reason());
      }
    }
    Set<String> documented = new HashSet<>();
    for (List<String> row : MarkdownTable.after(DOC, "## Close codes")) {
      for (String reason : MarkdownTable.code(row.get(1))) documented.add(row.get(0) + " " + reason);
    }
    assertEquals(sent, documented);
  }

  @Test
  void theRefusalTableHasEveryRefusalWithItsStatusReasonAndLabel() throws IOException {
    List<List<String>> rows = MarkdownTable.after(DOC, "## Refusals");
    assertEquals(Refusal.values().length, rows.size(), "one row per refusal");
    for (Refusal refusal : Refusal.values()) {
      List<String> row = rows.stream().filter(r -> r.get(3).equals("`" + refusal.label() + "`")).findFirst()
          .orElseThrow(() -> new AssertionError("no row labelled " + refusal.label()));
      assertTrue(row.get(0).startsWith(String.valueOf(refusal.status())), refusal + ": status " + row.get(0));
      // Two refusals' bodies say what was wrong; every other body is the enum's reason.
      if (refusal != Refusal.BAD_CODE && refusal != Refusal.MALFORMED_REQUEST) {
        assertEquals("`" + refusal.reason() + "`", row.get(1), refusal.toString());
      }
    }
  }
}
