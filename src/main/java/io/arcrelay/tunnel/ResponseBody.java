package io.arcrelay.tunnel;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.List;

/**
 * How long a response's body is, as its head says, and whether what the agent sends keeps to it: a
 * body longer than its {@code Content-Length} would be read by the visitor's client as the start of
 * another response (response splitting), so it is never written; a shorter one ends the connection
 * rather than leave the client waiting. HEAD requests, 1xx, 204 and 304 have no body at all.
 */
final class ResponseBody {

  private final long declared; // -1: no Content-Length, the body is chunked to the visitor
  private final boolean none;
  private long sent;

  private ResponseBody(long declared, boolean none) {
    this.declared = declared;
    this.none = none;
  }

  /**
   * The body of a response with {@code status} and {@code headers} to a request whose method is
   * HEAD ({@code head}). Throws {@link IllegalArgumentException} for a {@code Content-Length} that is
   * repeated or not a plain number.
   */
  static ResponseBody of(int status, MultiMap headers, boolean head) {
    List<String> lengths = headers.getAll(HttpHeaders.CONTENT_LENGTH);
    if (lengths.size() > 1) throw new IllegalArgumentException("Content-Length given twice");
    long declared = -1;
    if (!lengths.isEmpty()) {
      String text = lengths.get(0).strip();
      if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("bad Content-Length");
      }
      declared = Long.parseLong(text);
    }
    return new ResponseBody(declared, head || status < 200 || status == 204 || status == 304);
  }

  /** True when the visitor gets no body bytes at all: what the agent sends of one is dropped. */
  boolean none() {
    return none;
  }

  /** True when a body without {@code Content-Length} is sent chunked. */
  boolean chunked() {
    return !none && declared < 0;
  }

  /** Counts {@code bytes} more; false if they would run past the declared length (nothing is counted then). */
  boolean take(int bytes) {
    if (declared >= 0 && sent + bytes > declared) return false;
    sent += bytes;
    return true;
  }

  /** True when the body as sent is the body the head announced. */
  boolean complete() {
    return none || declared < 0 || sent == declared;
  }
}
