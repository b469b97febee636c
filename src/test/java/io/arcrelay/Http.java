package io.arcrelay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Plain HTTP GETs against a relay's endpoints. */
public final class Http {

  public record Response(int status, Buffer body) {
    /** The body read as Prometheus text: {@code name{labels}} to value, comments skipped. */
    public Map<String, Double> samples() {
      Map<String, Double> samples = new HashMap<>();
      for (String line : body.toString().split("\n")) {
        if (line.isEmpty() || line.startsWith("#")) continue;
        int space = line.lastIndexOf(' ');
        samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      }
      return samples;
    }
  }

  private final HttpClient client;
  private final Context context;
  private final String host;
  private final int port;

  public Http(Vertx vertx, int port) {
    this(vertx, "127.0.0.1", port);
  }

  public Http(Vertx vertx, String host, int port) {
    // One connection per request: relays under test count and cap connections.
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    this.context = vertx.getOrCreateContext();
    this.host = host;
    this.port = port;
  }

  /** The status of a GET, or -1 if none came within {@code timeoutMs} (a node that may not answer). */
  public int status(String path, long timeoutMs) {
    try {
      return onContext(() -> client.request(HttpMethod.GET, port, host, path)
          .compose(req -> req.send().compose(res -> res.body().map(body -> res.statusCode()))))
          .timeout(timeoutMs, TimeUnit.MILLISECONDS)
          .await();
    } catch (Exception timedOut) {
      return -1;
    }
  }

  public Response get(String path) {
    // The body is asked for in the same callback that gets the response, before it can end unread.
    return onContext(() -> client.request(HttpMethod.GET, port, host, path)
        .compose(req -> req.send().compose(res -> res.body().map(body -> new Response(res.statusCode(), body)))))
        .timeout(TestClient.WAIT_SECONDS, TimeUnit.SECONDS)
        .await();
  }

  /**
   * Starts a request on this client's one context. Requests started from a test's own thread each
   * get a new context, and Vert.x 5.0's client then leaves one in 400 to 1,600 unanswered (measured
   * with plain Vert.x servers, docs/reliability.md, run 5); from one context, none in 3,500.
   */
  private <T> Future<T> onContext(Supplier<Future<T>> request) {
    Promise<T> answer = Promise.promise();
    context.runOnContext(v -> request.get().onComplete(answer));
    return answer.future();
  }

  /** The samples of {@code /metrics}, which must answer 200. */
  public Map<String, Double> scrape() {
    Response response = get("/metrics");
    assertEquals(200, response.status());
    return response.samples();
  }
}
