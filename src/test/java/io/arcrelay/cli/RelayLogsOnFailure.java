package io.arcrelay.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * When a test fails, writes what each relay process it started logged to
 * {@code target/relay-logs/<class>.<test>.node<N>.log}: a multi-process failure is read from there.
 */
public final class RelayLogsOnFailure implements TestWatcher {

  private final Supplier<List<RelayProcess>> relays;

  public RelayLogsOnFailure(Supplier<List<RelayProcess>> relays) {
    this.relays = relays;
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    Path dir = Path.of("target", "relay-logs");
    String test = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
    List<RelayProcess> started = relays.get();
    try {
      Files.createDirectories(dir);
      for (int i = 0; i < started.size(); i++) {
        Files.writeString(dir.resolve(test + ".node" + (i + 1) + ".log"), started.get(i).stderr());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.println(test + " failed: its relays' logs are in " + dir.toAbsolutePath());
  }
}
