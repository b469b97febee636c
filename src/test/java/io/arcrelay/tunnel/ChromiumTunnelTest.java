package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arcrelay.Relay;
import io.arcrelay.TestRelays;
import io.arcrelay.config.Setting;
import io.arcrelay.tunnel.agent.TunnelAgent;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A real browser through a tunnel: headless Chromium loads {@code http://app.localhost:<port>/}
 * (Chromium resolves {@code *.localhost} to 127.0.0.1 itself), a page served by a local server
 * behind the agent; its script opens a WebSocket through the tunnel to the same server's echo,
 * sends a text and a binary message, and writes what came back into the page, which
 * {@code --dump-dom} prints. Skipped where no {@code chromium} is installed ({@code .ci/run}
 * installs it when it can).
 *
 * <p>{@code --dump-dom} prints the page once it has loaded; the page's load waits for an iframe
 * that the server answers only when the script reports it is done (or after a safety timeout), so
 * the dump always comes after the echo, with no guessed delay.
 */
class ChromiumTunnelTest {

  private static final String PAGE = """
      <!doctype html>
      <html><head><meta charset="utf-8"><title>through the tunnel</title></head>
      <body><div id="result">pending</div>
      <script>
        const result = document.getElementById('result');
        const got = [];
        const done = text => {
          result.textContent = text;
          fetch('/release').catch(() => {});
        };
        const ws = new WebSocket('ws://' + location.host + '/echo');
        ws.binaryType = 'arraybuffer';
        ws.onopen = () => {
          ws.send('hello through the tunnel');
          ws.send(new Uint8Array([0, 1, 2, 250, 255]).buffer);
        };
        ws.onmessage = event => {
          got.push(typeof event.data === 'string' ? 'text:' + event.data
              : 'binary:' + Array.from(new Uint8Array(event.data)).join(','));
          if (got.length === 2) {
            ws.close();
            done(got.join('|'));
          }
        };
        ws.onerror = () => done('websocket error');
      </script>
      <iframe src="/hold"></iframe>
      </body></html>
      """;

  @Test
  void aBrowserLoadsAPageAndEchoesTextAndBinaryOverAWebSocketThroughTheTunnel() throws Exception {
    String chromium = onPath("chromium", "chromium-browser");
    assumeTrue(chromium != null, "no chromium on PATH");
    Vertx vertx = Vertx.vertx();
    Path profile = Files.createTempDirectory("arc-relay-chromium");
    try {
      Relay relay = Relay.start(vertx, TestRelays.config(Setting.TUNNEL_TOKENS, "browser-token")).await();
      Promise<Void> scriptDone = Promise.promise();
      vertx.setTimer(30_000, id -> scriptDone.tryComplete()); // a broken page must not hold the browser for ever
      HttpServer app = vertx.createHttpServer()
          .webSocketHandler(ws -> ws.frameHandler(ws::writeFrame))
          .requestHandler(request -> serve(request, scriptDone))
          .listen(0, "127.0.0.1").await();
      new TunnelAgent(vertx, new TunnelAgent.Options(URI.create("http://127.0.0.1:" + app.actualPort()),
          URI.create("ws://127.0.0.1:" + relay.port()), "browser-token", "app"), line -> { }).start().await();

      Process browser = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
          "--user-data-dir=" + profile, "--dump-dom", "http://app.localhost:" + relay.port() + "/")
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (!browser.waitFor(90, TimeUnit.SECONDS)) { // the dump is a few hundred bytes: it never fills the pipe
        browser.destroyForcibly();
        throw new AssertionError("chromium did not finish within 90 s");
      }
      String dom = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(dom.contains("<div id=\"result\">text:hello through the tunnel|binary:0,1,2,250,255</div>"), dom);
    } finally {
      vertx.close().await();
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  private static void serve(HttpServerRequest request, Promise<Void> scriptDone) {
    switch (request.path()) {
      case "/" -> request.response().putHeader("content-type", "text/html; charset=utf-8").end(PAGE);
      case "/hold" -> scriptDone.future().onComplete(v -> request.response().putHeader("content-type", "text/html").end("done"));
      case "/release" -> {
        scriptDone.tryComplete();
        request.response().end("ok");
      }
      default -> request.response().setStatusCode(404).end();
    }
  }

  /** The first of {@code names} found on PATH, or null. */
  private static String onPath(String... names) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : names) {
        File candidate = new File(dir, name);
        if (candidate.canExecute()) return candidate.getPath();
      }
    }
    return null;
  }
}
