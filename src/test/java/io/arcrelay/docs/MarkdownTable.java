package io.arcrelay.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The first table after a heading of a Markdown file, as rows of cells (the header row left out). */
final class MarkdownTable {

  private static final Pattern CODE = Pattern.compile("`([^`]*)`");

  private MarkdownTable() {}

  static List<List<String>> after(Path file, String heading) throws IOException {
    List<String> lines = Files.readAllLines(file);
    int at = lines.indexOf(heading);
    if (at < 0) throw new AssertionError(file + " has no heading '" + heading + "'");
    List<List<String>> rows = new ArrayList<>();
    boolean inTable = false;
    for (int i = at + 1; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("#")) break;
      if (line.startsWith("|")) {
        if (!inTable) {
          inTable = true;
          i++; // the header's separator row follows the header
          continue;
        }
        rows.add(cells(line));
      } else if (inTable) {
        break;
      }
    }
    if (rows.isEmpty()) throw new AssertionError(file + ": no table after '" + heading + "'");
    return rows;
  }

  private static List<String> cells(String line) {
    String inner = line.substring(1, line.length() - (line.endsWith("|") ? 1 : 0));
    return Arrays.stream(inner.split("(?<!\\\\)\\|", -1)).map(String::strip).toList();
  }

  /** Every {@code `code`} span of a cell, in order. */
  static List<String> code(String cell) {
    List<String> spans = new ArrayList<>();
    Matcher m = CODE.matcher(cell);
    while (m.find()) spans.add(m.group(1));
    return spans;
  }
}
