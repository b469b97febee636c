package io.arcrelay.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * A cluster of {@code arc-relay start} processes: the one way every multi-process test starts its
 * nodes. Node 0 starts first and is listening (so a member) before the others start together, which
 * join it; the cluster is returned once every node counts {@code size} members in {@code /health}.
 */
public final class RelayCluster {

  private static final long FORMED_SECONDS = 60;

  private RelayCluster() {}

  /**
   * {@code size} clustered nodes on 127.0.0.1, each on a port of its own, with the suite's
   * Hazelcast config ({@code test-cluster.xml}) and {@code args} added.
   */
  public static List<RelayProcess> start(int size, String... args) throws IOException {
    return start(size, Map.of(), i -> List.of(), i -> "127.0.0.1", i -> {
      List<String> all = new ArrayList<>(List.of("--cluster-config", "classpath:test-cluster.xml", "--port", "0"));
      all.addAll(List.of(args));
      return all;
    });
  }

  /**
   * {@code size} clustered nodes with {@code env} added to their environment, node {@code i} run
   * through {@code launcher.apply(i)} (see {@link RelayProcess#start(List, Map, String...)}), listening
   * on {@code host.apply(i)} and started with {@code args.apply(i)} after {@code start --cluster --host}.
   */
  public static List<RelayProcess> start(int size, Map<String, String> env, IntFunction<List<String>> launcher,
      IntFunction<String> host, IntFunction<List<String>> args) throws IOException {
    List<RelayProcess> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < size; i++) {
        List<String> command = new ArrayList<>(List.of("start", "--cluster", "true", "--host", host.apply(i)));
        command.addAll(args.apply(i));
        nodes.add(RelayProcess.start(launcher.apply(i), env, command.toArray(String[]::new)));
        if (i == 0) nodes.get(0).port(); // the first member, listening before the others look for it
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FORMED_SECONDS);
      for (int i = 0; i < size; i++) {
        String health = "http://" + host.apply(i) + ":" + nodes.get(i).port() + "/health";
        while (members(health) != size) {
          if (System.nanoTime() > deadline) throw new AssertionError(health + " never counted " + size + " members");
          LockSupport.parkNanos(50_000_000); // polling step: membership is announced by no event we can take
        }
      }
      return nodes;
    } catch (IOException | RuntimeException | Error e) {
      nodes.forEach(RelayProcess::kill);
      throw e;
    }
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The members {@code /health} counts, or -1 if it does not answer (yet). */
  private static int members(String health) {
    try {
      HttpResponse<String> response = HTTP.send(
          HttpRequest.newBuilder(URI.create(health)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new JsonObject(response.body()).getJsonArray("members").size();
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
