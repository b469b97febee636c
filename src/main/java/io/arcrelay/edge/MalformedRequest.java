package io.arcrelay.edge;

/**
 * A request the relay will not read ({@link RequestFraming}): answered with {@link #status()} and
 * the reason, and its connection closed. Reaches a request's exception handler when its body turns
 * out malformed after its head went on.
 */
public final class MalformedRequest extends RuntimeException {

  private final int status;

  MalformedRequest(int status, String reason) {
    super(reason, null, false, false);
    this.status = status;
  }

  MalformedRequest(String reason) {
    this(400, reason);
  }

  /** 400, or 501 for an unknown transfer coding, 505 for an unsupported version. */
  public int status() {
    return status;
  }
}
