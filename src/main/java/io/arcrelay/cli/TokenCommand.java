package io.arcrelay.cli;

import io.arcrelay.config.ConfigLoader;
import io.arcrelay.edge.AccessToken;
import io.arcrelay.pair.PairCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code arc-relay token}: prints an access token for one pair code, signed with the relay's
 * secret, the way an app server would mint it. For scripts and for trying a secured relay by hand.
 */
@Command(name = "token", description = "Print an access token for one pair code, signed with "
    + "ARC_RELAY_ACCESS_SECRET (or --secret-file).")
final class TokenCommand implements Callable<Integer> {

  private static final String SECRET_ENV = "ARC_RELAY_ACCESS_SECRET";

  @Option(names = "--pair", required = true, paramLabel = "<code>", description = "the pair code the token opens")
  private String pair;

  @Option(names = "--ttl", paramLabel = "<duration>", defaultValue = "10m",
      description = "how long the token stays valid (default: ${DEFAULT-VALUE})")
  private String ttl;

  @Option(names = "--secret-file", paramLabel = "<file>",
      description = "read the secret from this file (trimmed) instead of " + SECRET_ENV)
  private Path secretFile;

  @Spec
  private CommandSpec spec;

  /** Where the secret is looked up when there is no {@code --secret-file}; tests put their own. */
  Map<String, String> environment = System.getenv();

  @Override
  public Integer call() {
    try {
      // Checked before the secret, so a mistyped command fails the same way on any machine.
      String code = pairCode();
      Instant expires = expiry();
      byte[] secret = secret();
      spec.commandLine().getOut().println(AccessToken.mint(secret, code, expires));
      spec.commandLine().getOut().flush();
      return 0;
    } catch (UsageError e) {
      spec.commandLine().getErr().println("arc-relay: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return 2;
    }
  }

  private String pairCode() {
    try {
      return PairCode.of(pair).value();
    } catch (PairCode.InvalidPairCode e) {
      throw new UsageError("--pair: " + e.getMessage());
    }
  }

  private Instant expiry() {
    try {
      Duration lifetime = ConfigLoader.parseDuration(ttl);
      if (lifetime.isZero()) throw new UsageError("--ttl: must be longer than zero, got '" + ttl + "'");
      return Instant.now().plus(lifetime);
    } catch (IllegalArgumentException e) {
      throw new UsageError("--ttl: " + e.getMessage() + ", got '" + ttl + "'");
    } catch (ArithmeticException | DateTimeException e) {
      throw new UsageError("--ttl: too long, got '" + ttl + "'");
    }
  }

  private byte[] secret() {
    String source;
    String text;
    if (secretFile != null) {
      source = "--secret-file " + secretFile;
      try {
        text = Files.readString(secretFile).strip();
      } catch (NoSuchFileException e) {
        throw new UsageError(source + ": no such file");
      } catch (IOException e) {
        throw new UsageError(source + ": cannot read (" + e.getMessage() + ")");
      }
    } else {
      source = SECRET_ENV;
      text = environment.get(SECRET_ENV);
      if (text == null || text.isEmpty()) {
        throw new UsageError("no access secret: set " + SECRET_ENV + " or pass --secret-file");
      }
    }
    try {
      return AccessToken.secretFrom(text);
    } catch (IllegalArgumentException e) {
      throw new UsageError(source + ": " + e.getMessage());
    }
  }
}
