package io.arcrelay.seams;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.TestClient;
import io.netty.channel.Channel;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpMethod;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fails when Vert.x renames its handlers or its connections stop being channels we can reach. */
class VertxChannelsTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void anHttp1ConnectionHasItsChannelTheDecoderAndTheConnectionHandler() throws Exception {
    CompletableFuture<Channel> seen = new CompletableFuture<>();
    CompletableFuture<Boolean> named = new CompletableFuture<>();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      Channel channel = VertxChannels.of(req.connection());
      seen.complete(channel);
      named.complete(channel.pipeline().get(VertxChannels.HTTP_DECODER) != null && VertxChannels.handler(channel) != null);
      req.response().end();
    }).listen(0, "127.0.0.1").await();
    vertx.createHttpClient().request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
        .compose(req -> req.send()).await();

    Channel channel = seen.get(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(channel);
    assertTrue(named.get(TestClient.WAIT_SECONDS, TimeUnit.SECONDS), "httpDecoder and handler in the pipeline");
  }
}
