package io.arcrelay.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.config.Setting;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/configuration.md's table is {@link Setting}: one row per setting, with its names and default. */
class ConfigurationDocTest {

  @Test
  void everySettingHasItsRowWithItsKeyVariableFlagAndDefault() throws IOException {
    List<List<String>> rows = MarkdownTable.after(Path.of("docs/configuration.md"), "# Configuration");
    List<String> keys = rows.stream().map(r -> MarkdownTable.code(r.get(0)).get(0)).toList();
    assertEquals(rows.size(), Set.copyOf(keys).size(), "no setting twice: " + keys);
    assertEquals(Arrays.stream(Setting.values()).map(Setting::key).collect(Collectors.toSet()), Set.copyOf(keys),
        "one row per setting");
    for (Setting setting : Setting.values()) {
      List<String> row = rows.get(keys.indexOf(setting.key()));
      assertEquals("`" + setting.env() + "`", row.get(1), setting.key());
      assertEquals("`" + setting.flag() + "`", row.get(2), setting.key());
      String shown = row.get(3);
      String expected = setting.defaultText();
      if (setting.defaultValue().isEmpty()) {
        assertTrue(shown.startsWith("("), setting.key() + ": an empty default is explained in parentheses, got " + shown);
      } else if (expected.equals(setting.defaultValue())) {
        assertTrue(shown.startsWith("`" + expected + "`"), setting.key() + ": default " + expected + ", the table says " + shown);
      } else {
        assertEquals(expected, shown, setting.key());
      }
      assertTrue(!row.get(4).isBlank(), setting.key() + " says what it means");
    }
  }
}
