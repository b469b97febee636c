package io.arcrelay.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What other clients see of a relay under load. Every {@code --interval-ms}: one {@code GET /health}
 * on a fresh connection to each {@code --health} URL, then one pairing through {@code --relay}: A
 * connects, B connects, A sends 1 KiB of random bytes that B echoes; the pairing time runs from A's
 * connect to the echo, which is compared byte for byte. Each sample is filed under the phase named by
 * the last line read on stdin ({@code start} until one is); at a line {@code end}, or the end of
 * stdin, it prints p50/p99/max and failures per phase and check, and exits. Failures, and samples over
 * {@code --slow-ms}, are also logged with the time on stderr.
 */
@Command(name = "probe", description = "Times /health and a pairing every 100 ms, per phase named on stdin.")
final class Prober implements Callable<Integer> {

  private static final long TIMEOUT_S = 5;

  @Option(names = "--relay", required = true, description = "where the pairs connect (the load balancer)")
  String relay;

  @Option(names = "--health", required = true, description = "a /health URL to time (repeatable)")
  List<String> health;

  @Option(names = "--interval-ms", defaultValue = "100")
  int intervalMs;

  @Option(names = "--slow-ms", defaultValue = "100", description = "log samples this slow on stderr, with the time")
  int slowMs;

  private final Map<String, Stats> times = new TreeMap<>();       // "phase=P check=C" -> answer times
  private final Map<String, Integer> failures = new TreeMap<>();  // "phase=P check=C" -> count
  private final Map<String, Integer> reasons = new TreeMap<>();   // failure message -> count
  private volatile String phase = "start";
  private volatile boolean ended;
  private Clients clients;
  private long verifiedBytes;
  private long corrupt;

  @Override
  public Integer call() throws Exception {
    clients = new Clients();
    Thread phases = new Thread(this::readPhases, "phases");
    phases.setDaemon(true);
    phases.start();
    String run = Long.toHexString(System.nanoTime());
    for (long n = 0; !ended; n++) {
      long next = System.nanoTime() + intervalMs * 1_000_000L;
      String now = phase;
      for (String url : health) time(now, "health:" + URI.create(url).getPort(), () -> healthy(url));
      String code = "probe-" + run + "-" + n;
      time(now, "pairing", () -> pair(Clients.pairUrl(relay, code)));
      TimeUnit.NANOSECONDS.sleep(next - System.nanoTime());
    }
    times.forEach((key, stats) -> System.out.printf("probe %s %s failed=%d%n", key, stats.summary(),
        failures.getOrDefault(key, 0)));
    failures.forEach((key, n) -> {
      if (!times.containsKey(key)) System.out.printf("probe %s samples=0 failed=%d%n", key, n);
    });
    reasons.forEach((reason, n) -> System.out.printf("probe failure n=%d reason=%s%n", n, reason));
    System.out.printf("probe verified_bytes=%d corrupt=%d%n", verifiedBytes, corrupt);
    clients.close();
    return 0;
  }

  private void readPhases() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null && !line.strip().equals("end"); ) {
        if (!line.isBlank()) phase = line.strip();
      }
    } catch (Exception e) {
      System.err.println("probe: stdin: " + e);
    }
    ended = true;
  }

  /** One check, timed and filed; a failure or a wait over five seconds counts as failed. Slow ones are logged. */
  private void time(String phaseName, String check, Check run) {
    String key = "phase=" + phaseName + " check=" + check;
    long start = System.nanoTime();
    try {
      run.run();
      long nanos = System.nanoTime() - start;
      times.computeIfAbsent(key, k -> new Stats()).add(nanos);
      if (nanos >= slowMs * 1_000_000L) {
        System.err.printf("probe: %s %s slow: %d ms%n", LocalTime.now(), key, nanos / 1_000_000);
      }
    } catch (Exception e) {
      failures.merge(key, 1, Integer::sum);
      reasons.merge(check + ": " + e, 1, Integer::sum);
      System.err.printf("probe: %s %s failed after %d ms: %s%n", LocalTime.now(), key,
          (System.nanoTime() - start) / 1_000_000, e);
    }
  }

  /**
   * {@code GET} on a plain socket: what is timed is the relay's answer on a fresh connection. Vert.x's
   * HTTP client, used here before, now and then left the first request of a round unanswered for
   * the whole timeout, whichever node it went to, with the nodes idle (docs/reliability.md, run 5).
   */
  private static void healthy(String url) throws Exception {
    URI uri = URI.create(url);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), (int) TimeUnit.SECONDS.toMillis(TIMEOUT_S));
      socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TIMEOUT_S));
      socket.getOutputStream().write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getAuthority()
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      if (!answer.startsWith("HTTP/1.1 200 ")) {
        throw new IllegalStateException(answer.isEmpty() ? "no answer" : answer.lines().findFirst().orElse(""));
      }
    }
  }

  private void pair(String url) throws Exception {
    Buffer payload = Buffer.buffer(randomBytes(1024));
    Promise<Buffer> echoed = Promise.promise();
    WebSocket a = await(clients.connect(url, ws -> ws.binaryMessageHandler(echoed::tryComplete)));
    try {
      WebSocket b = await(clients.connect(url, Echo::echo));
      try {
        a.writeBinaryMessage(payload);
        if (await(echoed.future()).equals(payload)) {
          verifiedBytes += payload.length();
        } else {
          corrupt++;
        }
      } finally {
        b.close();
      }
    } finally {
      a.close();
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(TIMEOUT_S, TimeUnit.SECONDS);
  }

  /** A check that throws when it fails. */
  private interface Check {
    void run() throws Exception;
  }
}
