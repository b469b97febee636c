package io.arcrelay.cli;

import io.arcrelay.TestRelays;
import io.arcrelay.cluster.ClusterNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code arc-relay} run as a separate JVM from the test classpath, as a user would run it. */
public final class RelayProcess {

  // "listening on http://host:port", in a JSON line "http:\/\/host:port"
  private static final Pattern LISTENING = Pattern.compile("listening on (?:https?:[\\\\/]+)?[^:/\\\\]+:(\\d+)");

  private final Process process;
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private final StringBuffer stderr = new StringBuffer();
  private final Thread reader;

  private RelayProcess(Process process) {
    this.process = process;
    reader = new Thread(this::readStderr, "relay-stderr");
    reader.setDaemon(true);
    reader.start();
  }

  public static RelayProcess start(String... args) throws IOException {
    return start(Map.of(), args);
  }

  /** Starts {@code arc-relay args} with {@code env} added to this JVM's environment. */
  public static RelayProcess start(Map<String, String> env, String... args) throws IOException {
    return start(List.of(), env, args);
  }

  /**
   * Starts {@code arc-relay args} through {@code launcher}, a command that runs the command after it
   * ({@code ip netns exec NAME}, say), with {@code env} added to this JVM's environment.
   */
  public static RelayProcess start(List<String> launcher, Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>(launcher);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The module flags Hazelcast asks for (the jar's manifest carries them; -cp has no manifest).
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> a.startsWith("--add-")).forEach(command::add);
    command.addAll(List.of(
        "-D" + ClusterNode.CLUSTER_NAME_PROPERTY + "=" + TestRelays.clusterName(),
        "-cp", System.getProperty("java.class.path"), ArcRelay.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().putAll(env);
    return new RelayProcess(builder.start());
  }

  private void readStderr() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        stderr.append(line).append('\n');
        Matcher m = LISTENING.matcher(line);
        if (m.find()) port.complete(Integer.parseInt(m.group(1)));
      }
    } catch (IOException ignored) {
      // the process ended
    }
    port.completeExceptionally(new IllegalStateException("relay exited before listening:\n" + stderr));
  }

  public int port() {
    return port.orTimeout(60, TimeUnit.SECONDS).join();
  }

  /** Sends SIGKILL: the process dies without a word, as on a crashed machine. */
  public void kill() {
    process.destroyForcibly();
  }

  /** Sends SIGSTOP: the process freezes (a stuck VM, a long GC pause) but its sockets stay open. */
  public void freeze() throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).inheritIO().start().waitFor();
  }

  /** Sends SIGTERM, as an orchestrator stopping the node does. */
  public void terminate() {
    process.destroy();
  }

  /**
   * Whether SIGINT reaches a relay process started from here. A shell's background jobs (and
   * {@code nohup}) ignore SIGINT; their children inherit that, and the JVM honours it, as it should.
   */
  public static boolean sigintDelivered() throws IOException {
    String ignored = Files.readAllLines(Path.of("/proc/self/status")).stream()
        .filter(line -> line.startsWith("SigIgn:")).findFirst().orElse("SigIgn: 0").substring(7).trim();
    return (new BigInteger(ignored, 16).longValue() & (1L << 1)) == 0; // SIGINT is signal 2
  }

  /** Sends SIGINT, as Ctrl-C at a terminal does. */
  public void interrupt() throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start().waitFor();
  }

  public int awaitExit() throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("relay did not exit:\n" + stderr);
    }
    reader.join(TimeUnit.SECONDS.toMillis(10)); // until the end of its stderr: its last lines are read
    return process.exitValue();
  }

  public String stderr() {
    return stderr.toString();
  }
}
