package io.arcrelay.splice;

import io.vertx.core.buffer.Buffer;

/**
 * Checks that a WebSocket text message is UTF-8 while its fragments arrive (RFC 6455 §8.1: a text
 * message that is not must fail the connection with 1007), without holding the message.
 *
 * <p>The byte ranges are those of the Unicode Standard's table of well-formed UTF-8 (Table 3-7),
 * which rules out overlong forms, surrogates (U+D800 to U+DFFF) and code points past U+10FFFF by
 * narrowing the range of the byte after the lead. So a message is rejected at the first byte that
 * no valid message could continue with, not at its end. A character may be split across fragments.
 *
 * <p>One instance per connection; not thread-safe (a connection's frames arrive on one thread).
 */
final class Utf8Stream {

  private static final int CONTINUATION_LOW = 0x80;
  private static final int CONTINUATION_HIGH = 0xBF;

  /** Continuation bytes the current character still needs. */
  private int pending;
  /** Range the next continuation byte must lie in. */
  private int nextLow = CONTINUATION_LOW;
  private int nextHigh = CONTINUATION_HIGH;
  private boolean invalid;

  /**
   * Feeds the next fragment's payload; false once the message so far cannot begin a valid UTF-8
   * text, and for every fragment after that until {@link #end}.
   */
  boolean accept(Buffer bytes) {
    for (int i = 0, length = bytes.length(); i < length && !invalid; i++) {
      invalid = !step(bytes.getByte(i) & 0xFF);
    }
    return !invalid;
  }

  /** Ends the message: true when it was valid UTF-8 and did not stop inside a character. Ready for the next message. */
  boolean end() {
    boolean valid = !invalid && pending == 0;
    invalid = false;
    expect(0, CONTINUATION_LOW, CONTINUATION_HIGH);
    return valid;
  }

  private boolean step(int b) {
    if (pending > 0) {
      if (b < nextLow || b > nextHigh) return false;
      expect(pending - 1, CONTINUATION_LOW, CONTINUATION_HIGH);
      return true;
    }
    if (b < 0x80) return true;
    if (b >= 0xC2 && b <= 0xDF) return expect(1, CONTINUATION_LOW, CONTINUATION_HIGH);
    if (b == 0xE0) return expect(2, 0xA0, CONTINUATION_HIGH); // below A0: overlong
    if (b == 0xED) return expect(2, CONTINUATION_LOW, 0x9F); // above 9F: surrogates
    if (b >= 0xE1 && b <= 0xEF) return expect(2, CONTINUATION_LOW, CONTINUATION_HIGH);
    if (b == 0xF0) return expect(3, 0x90, CONTINUATION_HIGH); // below 90: overlong
    if (b >= 0xF1 && b <= 0xF3) return expect(3, CONTINUATION_LOW, CONTINUATION_HIGH);
    if (b == 0xF4) return expect(3, CONTINUATION_LOW, 0x8F); // above 8F: past U+10FFFF
    // A stray continuation byte, C0 and C1 (overlong by construction) or F5 to FF (past U+10FFFF).
    return false;
  }

  private boolean expect(int continuations, int low, int high) {
    pending = continuations;
    nextLow = low;
    nextHigh = high;
    return true;
  }
}
