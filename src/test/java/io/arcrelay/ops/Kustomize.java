package io.arcrelay.ops;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders a kustomization with a real {@code kubectl kustomize}, as {@code kubectl apply -k} would
 * before sending it. The kubectl is {@code ARC_RELAY_KUBECTL}, else the one on PATH, and must carry
 * kustomize 5 or later (Debian's kubernetes-client 1.20 has kustomize 2, which cannot read a
 * current kustomization). Where there is none, tests that need it are skipped, except under CI
 * ({@code CI} set, as {@code .ci/run} runs), where that is a failure: {@code .ci/run} installs one.
 */
final class Kustomize {

  private static final Pattern VERSION = Pattern.compile("Kustomize Version: v(\\d+)\\.");

  private Kustomize() {}

  /** The kubectl to render with; skips the calling test (fails under CI) when there is none. */
  static String kubectl() {
    String configured = System.getenv("ARC_RELAY_KUBECTL");
    String kubectl = configured != null && !configured.isBlank() ? configured : "kubectl";
    String problem = null;
    try {
      String version = run(List.of(kubectl, "version", "--client"), null);
      Matcher m = VERSION.matcher(version);
      if (!m.find()) {
        problem = kubectl + " reports no kustomize version: " + version;
      } else if (Integer.parseInt(m.group(1)) < 5) {
        problem = kubectl + " has kustomize v" + m.group(1) + "; 5 or later renders k8s/ as current clusters' kubectl does";
      }
    } catch (IOException e) {
      problem = "no kubectl (" + e.getMessage() + "); .ci/run installs one, or set ARC_RELAY_KUBECTL";
    }
    if (problem != null && System.getenv("CI") != null) throw new AssertionError(problem);
    assumeTrue(problem == null, problem);
    return kubectl;
  }

  /** Every object {@code kubectl kustomize dir} renders, in order. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> render(Path dir) throws IOException {
    String yaml = run(List.of(kubectl(), "kustomize", dir.toString()), null);
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(new StringReader(yaml))) {
      if (doc != null) objects.add((Map<String, Object>) doc);
    }
    return objects;
  }

  /** Renders {@code k8s/} with {@code components} added, through an overlay written under target/. */
  static List<Map<String, Object>> renderWith(String... components) throws IOException {
    Path overlay = Path.of("target", "kustomize-overlay");
    Files.createDirectories(overlay);
    StringBuilder text = new StringBuilder("resources: [../../k8s]\ncomponents:\n");
    for (String component : components) text.append("  - ../../k8s/").append(component).append('\n');
    Files.writeString(overlay.resolve("kustomization.yaml"), text);
    return render(overlay);
  }

  private static String run(List<String> command, Path dir) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = process.getInputStream().readAllBytes();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(command + " did not finish in 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) throw new AssertionError(command + " failed (" + process.exitValue() + "):\n" + text);
    return text;
  }
}
