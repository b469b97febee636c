package io.arcrelay.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.Http;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The container image, as far as it can be tried without a container engine: the Dockerfile's
 * build command is the README's, everything it copies gets past .dockerignore, and its last stage's
 * files, laid out as its COPY lines say (with /app in a temporary directory), run through its
 * ENTRYPOINT: the node starts, and JAVA_OPTS raises the heap over scripts/jvm-options' 512 MiB.
 * An integration test: it needs target/arc-relay.jar, which `mvn verify` has packaged by then.
 */
class ImageLayoutIT {

  private static final Path DOCKERFILE = Path.of("Dockerfile");

  @Test
  void theDockerfileBuildsWithTheReadmesCommand() throws IOException {
    String build = Files.readAllLines(DOCKERFILE).stream().filter(l -> l.startsWith("RUN mvn") && l.contains("package"))
        .map(l -> l.substring("RUN ".length()).strip()).findFirst().orElseThrow();
    String readme = Files.readString(Path.of("README.md"));
    String deploy = readme.substring(readme.indexOf("## Deploy"));
    assertTrue(deploy.contains("\n" + build + " "), "README's Deploy builds with `" + build + "` too");
  }

  @Test
  void everythingTheImageCopiesGetsPastDockerignore() throws IOException {
    List<String> allowed = Files.readAllLines(Path.of(".dockerignore")).stream().filter(l -> l.startsWith("!"))
        .map(l -> l.substring(1).replaceAll("/$", "")).toList();
    assertTrue(Files.readAllLines(Path.of(".dockerignore")).contains("*"), "everything else stays out of the build context");
    for (String[] copy : copies()) {
      if (copy[0].startsWith("--from=")) continue;
      for (int i = 0; i < copy.length - 1; i++) {
        String source = copy[i];
        assertTrue(Files.exists(Path.of(source)), source + " exists");
        assertTrue(allowed.stream().anyMatch(a -> a.equals(source) || a.startsWith(source + "/") || source.startsWith(a + "/")),
            source + " is let through .dockerignore " + allowed);
      }
    }
  }

  @Test
  void theImagesEntrypointRunsTheNodeAndJavaOptsRaisesTheHeap() throws Exception {
    Path app = Files.createTempDirectory("arc-relay-image");
    for (String[] copy : copies()) {
      boolean fromBuild = copy[0].startsWith("--from=");
      int first = fromBuild ? 1 : 0;
      String destination = copy[copy.length - 1];
      for (int i = first; i < copy.length - 1; i++) {
        // The build stage's /src is this checkout.
        Path source = fromBuild ? Path.of(copy[i].replaceFirst("^/src/", "")) : Path.of(copy[i]);
        Path target = inApp(app, destination.endsWith("/") ? destination + source.getFileName() : destination);
        copyTree(source, target);
      }
    }
    List<String> entrypoint = new ArrayList<>();
    for (Object part : new JsonArray(line("ENTRYPOINT").substring("ENTRYPOINT".length()).strip())) {
      entrypoint.add(part.toString().startsWith("/app/") ? inApp(app, part.toString()).toString() : part.toString());
    }
    assertEquals(inApp(app, line("WORKDIR").substring("WORKDIR".length()).strip()), app);
    entrypoint.addAll(List.of("--host", "127.0.0.1", "--port", "0"));
    ProcessBuilder builder = new ProcessBuilder(entrypoint).directory(app.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().putAll(Map.of("JAVA_OPTS", "-Xmx300m", "ARC_RELAY_LOG_FORMAT", "json"));
    Process node = builder.start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    StringBuffer stderr = new StringBuffer();
    Thread reader = new Thread(() -> {
      Pattern listening = Pattern.compile("listening on http:\\\\?/\\\\?/127\\.0\\.0\\.1:(\\d+)");
      try (BufferedReader r = new BufferedReader(new InputStreamReader(node.getErrorStream(), StandardCharsets.UTF_8))) {
        String l;
        while ((l = r.readLine()) != null) {
          stderr.append(l).append('\n');
          Matcher m = listening.matcher(l);
          if (m.find()) port.complete(Integer.parseInt(m.group(1)));
        }
      } catch (IOException ignored) {
        // the process ended
      }
      port.completeExceptionally(new AssertionError("the image's node exited before listening:\n" + stderr));
    });
    reader.setDaemon(true);
    reader.start();
    Vertx vertx = Vertx.vertx();
    try {
      Map<String, Double> samples = new Http(vertx, port.get(60, TimeUnit.SECONDS)).scrape();
      double heapMax = samples.entrySet().stream()
          .filter(e -> e.getKey().startsWith("jvm_memory_max_bytes{") && e.getKey().contains("area=\"heap\"") && e.getValue() > 0)
          .mapToDouble(Map.Entry::getValue).sum();
      assertTrue(heapMax > 200 * 1024 * 1024 && heapMax <= 300 * 1024 * 1024,
          "JAVA_OPTS -Xmx300m wins over scripts/jvm-options' -Xmx512m: heap max " + heapMax);
      assertTrue(stderr.toString().lines().allMatch(l -> l.startsWith("{")), "JSON from the first line:\n" + stderr);
    } finally {
      node.destroy(); // SIGTERM, as `docker stop` sends to PID 1
      assertTrue(node.waitFor(60, TimeUnit.SECONDS), "the node stops on SIGTERM");
      vertx.close().await();
    }
    assertEquals(0, node.exitValue(), stderr.toString());
  }

  /** The final stage's COPY lines, each as its words after COPY. */
  private static List<String[]> copies() throws IOException {
    List<String> lines = Files.readAllLines(DOCKERFILE);
    int last = 0;
    for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith("FROM ")) last = i;
    List<String[]> copies = new ArrayList<>();
    for (String l : lines.subList(last, lines.size())) {
      if (l.startsWith("COPY ")) copies.add(l.substring(5).strip().split("\\s+"));
    }
    assertTrue(!copies.isEmpty());
    return copies;
  }

  private static String line(String instruction) throws IOException {
    String found = null;
    for (String l : Files.readAllLines(DOCKERFILE)) if (l.startsWith(instruction + " ")) found = l;
    assertNotNull(found, instruction);
    return found;
  }

  private static Path inApp(Path app, String imagePath) {
    assertTrue(imagePath.startsWith("/app"), imagePath);
    return app.resolve(imagePath.substring("/app".length()).replaceFirst("^/", ""));
  }

  private static void copyTree(Path source, Path target) throws IOException {
    if (Files.isDirectory(source)) {
      try (Stream<Path> walk = Files.walk(source)) {
        for (Path p : walk.toList()) {
          Path to = target.resolve(source.relativize(p).toString());
          if (Files.isDirectory(p)) Files.createDirectories(to);
          else Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    } else {
      Files.createDirectories(target.getParent());
      Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    }
  }
}
