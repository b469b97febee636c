package io.arcrelay.edge;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/** The relay's own refusals: a status, one line of plain text saying why, and the connection closed. */
public final class PlainAnswer {

  private PlainAnswer() {}

  /** Answers {@code request} with {@code status} and {@code reason}, then closes its connection whatever the client asked. */
  public static void andClose(HttpServerRequest request, int status, String reason) {
    request.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(reason + "\n")
        .onComplete(written -> request.connection().close());
  }
}
