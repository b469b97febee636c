package io.arcrelay.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The framing check on its own: each input read whole and one byte at a time (a request split across
 * reads anywhere must be read the same), what passes compared byte for byte.
 */
class RequestFramingTest {

  /** What the check hands on, and whether it stopped reading (an upgrade). */
  private record Outcome(String passed, boolean upgraded) {}

  /** Collects what the check hands on, as text. */
  private static final class Passed implements RequestFraming.Output {
    final StringBuilder text = new StringBuilder();

    @Override
    public void pass(ByteBuf in, int from, int to) {
      text.append(in.toString(from, to - from, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void insert(ByteBuf bytes) {
      text.append(bytes.toString(StandardCharsets.ISO_8859_1));
      bytes.release();
    }
  }

  private static Outcome read(String input, boolean byteByByte) {
    RequestFraming framing = new RequestFraming();
    Passed out = new Passed();
    byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
    boolean upgraded = false;
    if (byteByByte) {
      for (byte b : bytes) upgraded = framing.read(Unpooled.wrappedBuffer(new byte[] {b}), out);
    } else {
      upgraded = framing.read(Unpooled.wrappedBuffer(bytes), out);
    }
    return new Outcome(out.text.toString(), upgraded);
  }

  private static void passes(String input, String expected) {
    for (boolean split : new boolean[] {false, true}) {
      assertEquals(expected, read(input, split).passed(), split ? "read byte by byte" : "read whole");
    }
  }

  private static MalformedRequest refused(String input) {
    MalformedRequest whole = assertThrows(MalformedRequest.class, () -> read(input, false));
    MalformedRequest split = assertThrows(MalformedRequest.class, () -> read(input, true));
    assertEquals(whole.getMessage(), split.getMessage());
    return whole;
  }

  @Test
  void plainRequestsPassUnchanged() {
    String two = "GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
        + "\r\nGET /next HTTP/1.0\r\n\r\n";
    passes(two, two);
  }

  @Test
  void chunkedBodiesPassWithTheirSizeLinesRewritten() {
    passes("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b;c=\"q\\\"x\" \r\nhello\r\n00A\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\na\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n");
  }

  @Test
  void aWebSocketUpgradeStopsTheReading() {
    String upgrade = "GET /?pair=x HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    Outcome outcome = read(upgrade + "\u0082\u0080anything", false);
    assertTrue(outcome.upgraded());
    assertEquals(upgrade + "\u0082\u0080anything", outcome.passed());
  }

  @Test
  void aHixie76UpgradeStopsTheReadingTooForTheEndpointsToRefuse() {
    String upgrade = "GET / HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
        + "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n^n:ds[4U";
    assertTrue(read(upgrade, false).upgraded());
  }

  @Test
  void aRefusedHeadIsNotHandedOnButTheRequestsBeforeItAre() {
    RequestFraming framing = new RequestFraming();
    Passed passed = new Passed();
    String good = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n";
    assertThrows(MalformedRequest.class, () -> framing.read(Unpooled.copiedBuffer(
        good + "POST /2 HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n", StandardCharsets.ISO_8859_1), passed));
    assertEquals(good, passed.text.toString());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      HTTP/1.0 with Transfer-Encoding | POST / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: 1\\r\\n\\r\\n | 400 | Transfer-Encoding in an HTTP/1.0 request
      TE and CL                       | POST / HTTP/1.1\\r\\nContent-Length: 4\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | 400 | both Content-Length and Transfer-Encoding
      TE twice                        | POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | 400 | Transfer-Encoding given twice
      TE list                         | POST / HTTP/1.1\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n | 501 | unknown Transfer-Encoding
      TE xchunked                     | POST / HTTP/1.1\\r\\nTransfer-Encoding: xchunked\\r\\n\\r\\n | 501 | unknown Transfer-Encoding
      TE vertical tab                 | POST / HTTP/1.1\\r\\nTransfer-Encoding:\\u000bchunked\\r\\n\\r\\n | 400 | control character in a header value
      space before colon              | POST / HTTP/1.1\\r\\nTransfer-Encoding : chunked\\r\\n\\r\\n | 400 | whitespace before a header's colon
      CL twice                        | POST / HTTP/1.1\\r\\nContent-Length: 5\\r\\nContent-Length: 5\\r\\n\\r\\nhello | 400 | Content-Length given twice
      CL list                         | POST / HTTP/1.1\\r\\nContent-Length: 5, 5\\r\\n\\r\\nhello | 400 | bad Content-Length
      CL plus                         | POST / HTTP/1.1\\r\\nContent-Length: +5\\r\\n\\r\\nhello | 400 | bad Content-Length
      CL hex                          | POST / HTTP/1.1\\r\\nContent-Length: 0x5\\r\\n\\r\\nhello | 400 | bad Content-Length
      chunk size overflow             | POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n100000005\\r\\nhello\\r\\n0\\r\\n\\r\\n | 400 | chunk size too large
      chunk size 2 GiB                | POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n80000000\\r\\n | 400 | chunk size too large
      chunk size not hex              | POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0x5\\r\\nhello\\r\\n0\\r\\n\\r\\n | 400 | bad chunk size
      chunk size empty                | POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n;a\\r\\n | 400 | bad chunk size
      chunk extension without name    | POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5;=b\\r\\nhello\\r\\n0\\r\\n\\r\\n | 400 | bad chunk extension
      chunk extension bad quote       | POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5;a=\"b\"c\\r\\nhello\\r\\n0\\r\\n\\r\\n | 400 | bad chunk extension
      chunk longer than its size      | POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nhello\\r\\n0\\r\\n\\r\\n | 400 | chunk longer than its size
      bare LF in a chunk line         | POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\nhello\\r\\n0\\r\\n\\r\\n | 400 | bad chunk size
      bare LF ends a header           | GET / HTTP/1.1\\r\\nHost: a\\nX: b\\r\\n\\r\\n | 400 | bare LF
      bare CR in a value              | GET / HTTP/1.1\\r\\nHost: a\\rX: b\\r\\n\\r\\n | 400 | bare CR
      NUL in a value                  | GET / HTTP/1.1\\r\\nHost: a\\u0000b\\r\\n\\r\\n | 400 | control character in a header value
      obs-fold                        | GET / HTTP/1.1\\r\\nHost: a\\r\\n b\\r\\n\\r\\n | 400 | obsolete line folding
      name not a token                | GET / HTTP/1.1\\r\\nHo(st: a\\r\\n\\r\\n | 400 | header name is not a token
      HTTP/0.9                        | GET /\\r\\n\\r\\n | 400 | control character or space in the request target
      HTTP/2.0                        | GET / HTTP/2.0\\r\\n\\r\\n | 505 | HTTP version not supported
      two spaces                      | GET  / HTTP/1.1\\r\\n\\r\\n | 400 | control character or space in the request target
      hixie-76 key outside an upgrade | GET / HTTP/1.1\\r\\nConnection: keep-alive\\r\\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\\r\\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\\r\\n\\r\\n^n:ds[4U | 400 | obsolete WebSocket handshake (Sec-WebSocket-Key1)
      upgrade with a body             | GET / HTTP/1.1\\r\\nUpgrade: websocket\\r\\nConnection: upgrade\\r\\nContent-Length: 5\\r\\n\\r\\nhello | 400 | WebSocket upgrade with a body
      """)
  void ambiguousFramingIsRefused(String what, String input, int status, String reason) {
    MalformedRequest malformed = refused(unescape(input));
    assertEquals(status, malformed.status(), what);
    assertEquals(reason, malformed.getMessage(), what);
  }

  private static String unescape(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char next = text.charAt(++i);
      switch (next) {
        case 'r' -> out.append('\r');
        case 'n' -> out.append('\n');
        case 'u' -> {
          out.append((char) Integer.parseInt(text.substring(i + 1, i + 5), 16));
          i += 4;
        }
        default -> out.append(next);
      }
    }
    return out.toString();
  }
}
