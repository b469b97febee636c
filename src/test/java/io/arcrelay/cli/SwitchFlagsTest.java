package io.arcrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** On/off settings work as bare flags, as {@code --flag=value}, and as {@code --flag value}. */
class SwitchFlagsTest {

  private static String cluster(String... args) {
    ParseResult start = ArcRelay.commandLine().parseArgs(args).subcommand();
    return String.join(",", start.matchedOption("--cluster").stringValues());
  }

  @Test
  void aBareSwitchMeansTrue() {
    assertEquals("true", cluster("start", "--cluster"));
    assertEquals("true", cluster("start", "--cluster", "--port", "0"));
  }

  @Test
  void aSwitchTakesAnExplicitValue() {
    assertEquals("false", cluster("start", "--cluster=false"));
    assertEquals("false", cluster("start", "--cluster", "false"));
    assertEquals("true", cluster("start", "--cluster=true"));
  }

  @Test
  void otherSettingsStillNeedAValue() {
    assertEquals("30s", String.join(",", ArcRelay.commandLine().parseArgs("start", "--ping-interval", "30s")
        .subcommand().matchedOption("--ping-interval").stringValues()));
    assertThrows(CommandLine.MissingParameterException.class,
        () -> ArcRelay.commandLine().parseArgs("start", "--ping-interval"));
  }
}
