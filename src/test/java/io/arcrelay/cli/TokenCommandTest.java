package io.arcrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.edge.AccessToken;
import io.arcrelay.edge.AccessToken.Verdict;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code arc-relay token} in process: what it prints, and the one-line errors with exit code 2. */
class TokenCommandTest {

  private static final String SECRET = "a-secret-of-more-than-16-bytes";

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void printsATokenForThePairFromTheEnvironmentSecret() {
    Instant before = Instant.now();
    assertEquals(0, run(Map.of("ARC_RELAY_ACCESS_SECRET", SECRET), "token", "--pair", "room 42", "--ttl", "90s"),
        err.toString());
    Instant after = Instant.now();
    assertTrue(out.toString().matches("\\d+\\.[A-Za-z0-9_-]{43}\n"), out.toString());
    String token = out.toString().strip();
    AccessToken access = new AccessToken(AccessToken.secretFrom(SECRET));
    assertEquals(Verdict.OK, access.verify(token, "room 42", after));
    assertEquals(Verdict.BAD_SIGNATURE, access.verify(token, "room 43", after));
    long expires = Long.parseLong(token.substring(0, token.indexOf('.')));
    assertTrue(expires >= before.plusSeconds(89).getEpochSecond(), "expires in --ttl, not sooner: " + expires);
    assertTrue(expires <= after.plusSeconds(90).getEpochSecond(), "expires in --ttl, not later: " + expires);
    assertEquals("", err.toString());
  }

  @Test
  void theDefaultLifetimeIsTenMinutes() {
    assertEquals(0, run(Map.of("ARC_RELAY_ACCESS_SECRET", SECRET), "token", "--pair", "room"), err.toString());
    AccessToken access = new AccessToken(AccessToken.secretFrom(SECRET));
    String token = out.toString().strip();
    assertEquals(Verdict.OK, access.verify(token, "room", Instant.now().plus(Duration.ofMinutes(9))));
    Instant pastTenMinutes = Instant.now().plus(Duration.ofMinutes(10)).plusSeconds(1);
    assertEquals(Verdict.EXPIRED, access.verify(token, "room", pastTenMinutes));
  }

  @Test
  void aSecretFileIsTrimmedAndWinsOverTheEnvironment() throws IOException {
    Path file = Files.writeString(dir.resolve("secret"), "  " + SECRET + "\n");
    assertEquals(0, run(Map.of("ARC_RELAY_ACCESS_SECRET", "another-secret-of-enough-bytes"),
        "token", "--pair", "room", "--secret-file", file.toString()), err.toString());
    AccessToken access = new AccessToken(AccessToken.secretFrom(SECRET));
    assertEquals(Verdict.OK, access.verify(out.toString().strip(), "room", Instant.now()));
  }

  @Test
  void mistakesAreOneLineOnStderrAndExitCodeTwo() throws IOException {
    Map<String, String> good = Map.of("ARC_RELAY_ACCESS_SECRET", SECRET);
    Path shortFile = Files.writeString(dir.resolve("short"), "short-secret\n");
    Path missingFile = dir.resolve("absent");
    assertFails(Map.of(), "arc-relay: no access secret: set ARC_RELAY_ACCESS_SECRET or pass --secret-file",
        "token", "--pair", "room");
    assertFails(Map.of("ARC_RELAY_ACCESS_SECRET", "short"),
        "arc-relay: ARC_RELAY_ACCESS_SECRET: access secret must be at least 16 bytes, got 5", "token", "--pair", "room");
    assertFails(good, "arc-relay: --secret-file " + shortFile + ": access secret must be at least 16 bytes, got 12",
        "token", "--pair", "room", "--secret-file", shortFile.toString());
    assertFails(good, "arc-relay: --secret-file " + missingFile + ": no such file",
        "token", "--pair", "room", "--secret-file", missingFile.toString());
    assertFails(good, "arc-relay: --pair is required", "token");
    assertFails(Map.of(), "arc-relay: --pair is required", "token");
    assertFails(good, "arc-relay: --pair: pair code is empty", "token", "--pair", "");
    assertFails(good, "arc-relay: --ttl: expected a duration like 250ms, 30s, 5m or 1h, got 'soon'",
        "token", "--pair", "room", "--ttl", "soon");
    assertFails(good, "arc-relay: --ttl: must be longer than zero, got '0s'", "token", "--pair", "room", "--ttl", "0s");
    assertFails(good, "arc-relay: --ttl: duration too large, got '9999999999999999h'",
        "token", "--pair", "room", "--ttl", "9999999999999999h");
  }

  @Test
  void answersHelpWithItsUsage() {
    assertEquals(0, run(Map.of(), "token", "--help"));
    assertTrue(out.toString().startsWith("Usage: arc-relay token"), out.toString());
    assertTrue(out.toString().contains("--secret-file"), out.toString());
  }

  private void assertFails(Map<String, String> environment, String expectedStderr, String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    assertEquals(2, run(environment, args), String.join(" ", args));
    assertEquals(expectedStderr + "\n", err.toString(), String.join(" ", args));
    assertEquals("", out.toString(), "nothing on stdout for a script to take as a token");
  }

  private int run(Map<String, String> environment, String... args) {
    CommandLine cli = ArcRelay.commandLine();
    TokenCommand token = cli.getSubcommands().get("token").getCommand();
    token.environment = environment;
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }
}
