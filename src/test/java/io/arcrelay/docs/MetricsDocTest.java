package io.arcrelay.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Http;
import io.arcrelay.Relay;
import io.arcrelay.TestRelays;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.config.Setting;
import io.arcrelay.ops.RelayMetrics;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/metrics.md's table against what a real node exposes on {@code /metrics} (tunnels on, so
 * theirs exist too): every {@code arc_relay_*} metric has a row with its type, every row is a metric,
 * and every label and label value a metric can carry is written in its row.
 */
class MetricsDocTest {

  private static final Pattern TYPE = Pattern.compile("^# TYPE (arc_relay_\\w+) (\\w+)$");
  private static final Pattern SAMPLE = Pattern.compile("^(arc_relay_\\w+)\\{(.*)\\} \\S+$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  @Test
  void everyMetricItsTypeAndEveryLabelValueIsDocumented() throws IOException {
    String exposition;
    RelayMetrics metrics = new RelayMetrics();
    RelayConfig config = TestRelays.config(Setting.TUNNEL_TOKENS, "metrics-doc-token");
    Vertx vertx = Relay.vertx(config, metrics).await();
    try {
      Relay relay = Relay.start(vertx, config, metrics).await();
      exposition = new Http(vertx, relay.port()).get("/metrics").body().toString();
    } finally {
      vertx.close().await();
    }

    Map<String, String> types = new TreeMap<>();
    for (String line : exposition.split("\n")) {
      Matcher m = TYPE.matcher(line);
      if (m.matches()) types.put(m.group(1), m.group(2));
    }
    // Micrometer adds a _max gauge to each histogram: documented once, in the text above the table.
    types.keySet().removeIf(name -> name.endsWith("_max") && "histogram".equals(types.get(name.substring(0, name.length() - 4))));
    Map<String, List<String>> rows = new TreeMap<>();
    for (List<String> row : MarkdownTable.after(Path.of("docs/metrics.md"), "# Metrics")) {
      List<String> names = MarkdownTable.code(row.get(0));
      if (names.size() == 1 && names.get(0).startsWith("arc_relay_")) rows.put(names.get(0), row);
    }
    assertEquals(types.keySet(), rows.keySet(), "the table lists exactly the arc_relay metrics a node exposes");
    types.forEach((name, type) -> assertEquals(type, rows.get(name).get(1), name + "'s type"));

    for (String line : exposition.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) continue;
      String family = family(m.group(1), types);
      String labels = rows.get(family).get(2);
      Matcher label = LABEL.matcher(m.group(2));
      while (label.find()) {
        String key = label.group(1);
        String value = label.group(2);
        if (key.equals("le")) continue; // a histogram's buckets
        assertTrue(MarkdownTable.code(labels).contains(key), family + ": label " + key + " undocumented: " + labels);
        boolean written = MarkdownTable.code(labels).contains(value) || (key.equals("status") && labels.contains("(" + value + ")"));
        assertTrue(written, family + ": " + key + "=\"" + value + "\" undocumented: " + labels);
      }
    }
  }

  /** The metric a sample belongs to: a histogram's _bucket, _count and _sum are its own. */
  private static String family(String sample, Map<String, String> types) {
    if (types.containsKey(sample)) return sample;
    String base = sample.replaceFirst("_(bucket|count|sum|max)$", "");
    if (types.containsKey(base)) return base;
    throw new AssertionError("no # TYPE for " + sample);
  }
}
