package io.arcrelay.tunnel.differential;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The crafted requests, sent byte for byte to nginx and to the tunnel. Each names its case
 * ({@code case07}) in every request line, or in {@code X-Case} where the target cannot carry it, so
 * the origin's connections can be told apart. Hosts carry no port, so the bytes are the same for
 * both proxies: {@code pub.localhost} is the open tunnel (nginx: its server), {@code admin.localhost}
 * the one behind basic auth. Sources: RFC 9112; PortSwigger's request smuggling research (CL.TE,
 * TE.CL, TE.TE obfuscations); the HTTP Garden's parser discrepancies.
 */
final class SmugglingCases {

  /**
   * One case: {@code bytes} written at once, then {@code afterFirstAnswer} (mostly none) once the
   * first response has come. {@code valid}: well-formed requests that any careful proxy forwards,
   * every one of them (controls: the test fails if the relay refuses them).
   */
  record Case(String id, String name, String probe, boolean valid, byte[] bytes, byte[] afterFirstAnswer) {

    /** Everything the visitor sends, as a server reads it. */
    byte[] allBytes() {
      byte[] all = Arrays.copyOf(bytes, bytes.length + afterFirstAnswer.length);
      System.arraycopy(afterFirstAnswer, 0, all, bytes.length, afterFirstAnswer.length);
      return all;
    }
  }

  private final List<Case> cases = new ArrayList<>();

  private SmugglingCases() {}

  static List<Case> all() {
    SmugglingCases c = new SmugglingCases();

    // Controls: plain requests both must forward as they are.
    c.valid("GET", "a plain request", id -> get(id));
    c.valid("POST with Content-Length", "a sized body", id -> post(id, "Content-Length: 5\r\n") + "hello");
    c.valid("POST chunked", "a chunked body", id -> post(id, "Transfer-Encoding: chunked\r\n") + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    c.valid("chunk extension `5;a=b`", "an extension with a token value (valid, must be accepted)",
        id -> post(id, "Transfer-Encoding: chunked\r\n") + "5;a=b\r\nhello\r\n0\r\n\r\n");
    c.valid("chunk extensions quoted and bare", "`6;c=\"d e\"` and `0;last` (valid)",
        id -> post(id, "Transfer-Encoding: chunked\r\n") + "6;c=\"d e\"\r\n world\r\n0;last\r\n\r\n");
    c.valid("chunked with a trailer", "a trailer field after the last chunk",
        id -> post(id, "Transfer-Encoding: chunked\r\n") + "5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n");
    c.valid("two pipelined requests", "two requests in one write, answered in order", id -> get(id) + get(id + "/second"));
    c.valid("GET with a body", "a body on a GET is framed like any other", id -> "GET /" + id + " HTTP/1.1\r\n" + PUB + "Content-Length: 5\r\n\r\nhello");
    c.valid("Expect: 100-continue", "the body sent at once without waiting for 100",
        id -> post(id, "Expect: 100-continue\r\nContent-Length: 5\r\n") + "hello");
    c.valid("HTTP/1.0 with Host", "an HTTP/1.0 request (closes after the answer)", id -> "GET /" + id + " HTTP/1.0\r\n" + PUB + "\r\n");
    c.valid("Content-Length: 005", "leading zeros are digits (valid)", id -> post(id, "Content-Length: 005\r\n") + "hello");
    c.valid("chunk size 0000000000000000000000005", "a long chunk size of leading zeros (valid)",
        id -> post(id, "Transfer-Encoding: chunked\r\n") + "0000000000000000000000005\r\nhello\r\n0\r\n\r\n");
    c.valid("Transfer-Encoding: CHUNKED", "coding names are case-insensitive",
        id -> post(id, "Transfer-Encoding: CHUNKED\r\n") + "5\r\nhello\r\n0\r\n\r\n");
    c.valid("visitor's forwarding headers", "X-Forwarded-For/-Host/-Proto, X_Forwarded_For, Forwarded, X-Real-IP from the visitor",
        id -> "GET /" + id + " HTTP/1.1\r\n" + PUB + "X-Forwarded-For: 203.0.113.9\r\nX_Forwarded_For: 203.0.113.10\r\n"
            + "Forwarded: for=203.0.113.11\r\nX-Real-IP: 203.0.113.12\r\nX-Forwarded-Host: admin.localhost\r\n"
            + "X-Forwarded-Proto: https\r\n\r\n");
    c.valid("WebSocket upgrade", "a WebSocket handshake: the one upgrade that may switch the connection",
        id -> "GET /" + id + " HTTP/1.1\r\n" + PUB + "Connection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");

    // Line endings and request lines.
    c.add("bare LF line endings", "LF alone ends lines (RFC 9112 allows accepting it)", id -> "GET /" + id + " HTTP/1.1\nHost: pub.localhost\n\n");
    c.add("empty line before the request", "a CRLF before the request line (to be ignored)", id -> "\r\n" + get(id));
    c.add("extra spaces in the request line", "`GET  /x  HTTP/1.1`", id -> "GET  /" + id + "  HTTP/1.1\r\n" + PUB + "\r\n");
    c.add("tabs in the request line", "HTAB between the request line's words", id -> "GET\t/" + id + "\tHTTP/1.1\r\n" + PUB + "\r\n");
    c.add("HTTP/0.9 request", "a request line without a version", id -> "GET /" + id + "\r\n\r\n");
    c.add("HTTP/2.0 in the request line", "an HTTP/1 request claiming version 2.0", id -> "GET /" + id + " HTTP/2.0\r\n" + PUB + "\r\n");
    c.add("lower-case method", "`get` is a different (unknown) method", id -> "get /" + id + " HTTP/1.1\r\n" + PUB + "\r\n");
    c.add("lower-case protocol name", "`http/1.1`: the protocol name is case-sensitive", id -> "GET /" + id + " http/1.1\r\n" + PUB + "\r\n");
    c.add("5 KB request target", "a long request line", id -> "GET /" + id + "/" + "a".repeat(5000) + " HTTP/1.1\r\n" + PUB + "\r\n");
    c.add("CONNECT", "the CONNECT method through a reverse proxy",
        id -> "CONNECT pub.localhost:80 HTTP/1.1\r\n" + PUB + "X-Case: " + id + "\r\n\r\n");
    c.add("OPTIONS *", "the asterisk-form target", id -> "OPTIONS * HTTP/1.1\r\n" + PUB + "X-Case: " + id + "\r\n\r\n");

    // Request smuggling: both framings at once (PortSwigger's CL.TE, TE.CL and TE.TE).
    c.add("CL.TE", "Content-Length covers a second request that chunked framing leaves for next",
        id -> clTe(id, "Transfer-Encoding: chunked\r\n"));
    c.add("TE.CL", "a chunk carries a request that `Content-Length: 4` framing leaves for next", id -> {
      String smuggled = smuggled(id);
      return post(id, "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n")
          + Integer.toHexString(smuggled.length()) + "\r\n" + smuggled + "\r\n0\r\n\r\n";
    });
    c.add("TE+CL in HTTP/1.0", "Transfer-Encoding in HTTP/1.0 is faulty framing (nginx refuses)", id -> {
      String smuggled = smuggled(id);
      return "POST /" + id + " HTTP/1.0\r\n" + PUB + "Connection: keep-alive\r\nContent-Length: " + (5 + smuggled.length())
          + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled;
    });
    c.add("Transfer-Encoding: xchunked", "an unknown coding beside Content-Length", id -> clTe(id, "Transfer-Encoding: xchunked\r\n"));
    c.add("Transfer-Encoding : chunked", "whitespace between the field name and the colon", id -> clTe(id, "Transfer-Encoding : chunked\r\n"));
    c.add("Transfer-Encoding: chunked, identity", "chunked not the final coding", id -> clTe(id, "Transfer-Encoding: chunked, identity\r\n"));
    c.add("Transfer-Encoding: identity, chunked", "a coding HTTP/1.1 no longer has before chunked", id -> clTe(id, "Transfer-Encoding: identity, chunked\r\n"));
    c.add("Transfer-Encoding:\\x0bchunked", "a vertical tab (not whitespace) before chunked", id -> clTe(id, "Transfer-Encoding:\u000bchunked\r\n"));
    c.add("Transfer-Encoding:\\tchunked", "a tab before chunked, no Content-Length (valid optional whitespace)",
        id -> post(id, "Transfer-Encoding:\tchunked\r\n") + "5\r\nhello\r\n0\r\n\r\n");
    c.add("Content-Length:\\t5\\t", "HTAB around a value is optional whitespace too (valid)", id -> post(id, "Content-Length:\t5\t\r\n") + "hello");
    c.add("Transfer-Encoding: \"chunked\"", "the coding in quotes", id -> clTe(id, "Transfer-Encoding: \"chunked\"\r\n"));
    c.add("Transfer-Encoding chunked, then cow", "PortSwigger's TE.TE: a second, junk Transfer-Encoding",
        id -> clTe(id, "Transfer-Encoding: chunked\r\nTransfer-encoding: cow\r\n"));
    c.add("Transfer-Encoding twice", "two `Transfer-Encoding: chunked` fields", id -> clTe(id, "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"));
    c.add("Transfer-Encoding obs-folded", "the value on a continuation line", id -> clTe(id, "Transfer-Encoding:\r\n chunked\r\n"));
    c.add("whitespace-led Transfer-Encoding", "` Transfer-Encoding: chunked` right after the request line", id -> {
      String smuggled = smuggled(id);
      return "POST /" + id + " HTTP/1.1\r\n Transfer-Encoding: chunked\r\n" + PUB + "Content-Length: " + (5 + smuggled.length())
          + "\r\n\r\n0\r\n\r\n" + smuggled;
    });
    c.add("Transfer_Encoding", "an underscore name: not Transfer-Encoding (nginx drops it)", id -> clTe(id, "Transfer_Encoding: chunked\r\n"));
    c.add("bare CR before Transfer-Encoding", "`X-Probe: 1\\rTransfer-Encoding: chunked`: a bare CR as a line end", id -> clTe(id, "X-Probe: 1\rTransfer-Encoding: chunked\r\n"));
    c.add("bare LF before Transfer-Encoding", "`X-Probe: 1\\nTransfer-Encoding: chunked`: a bare LF is a line end", id -> clTe(id, "X-Probe: 1\nTransfer-Encoding: chunked\r\n"));

    // Content-Length values (HTTP Garden): a lax reading takes 5 and leaves a request for next.
    c.add("Content-Length: +5", "a sign before the digits", id -> sized(id, "Content-Length: +5\r\n"));
    c.add("Content-Length: 0x5", "a hex prefix", id -> sized(id, "Content-Length: 0x5\r\n"));
    c.add("Content-Length: 5, 5", "a list of equal values", id -> sized(id, "Content-Length: 5, 5\r\n"));
    c.add("Content-Length 5 and 6", "two different Content-Length fields", id -> sized(id, "Content-Length: 5\r\nContent-Length: 6\r\n"));
    c.add("Content-Length: 2^64+5", "`18446744073709551621`: overflows to 5 in 64 bits", id -> sized(id, "Content-Length: 18446744073709551621\r\n"));
    c.add("empty Content-Length", "`Content-Length:` without a value", id -> sized(id, "Content-Length:\r\n"));

    // Chunk sizes and chunk framing.
    c.add("chunk size 2^32+5", "`100000005`: 5 to a 32-bit reader, then the last chunk and a request",
        id -> post(id, "Transfer-Encoding: chunked\r\n") + "100000005\r\nhello\r\n0\r\n\r\n" + smuggled(id));
    c.add("chunk size 2^64+5", "`10000000000000005`: 5 to a 64-bit reader that wraps",
        id -> post(id, "Transfer-Encoding: chunked\r\n") + "10000000000000005\r\nhello\r\n0\r\n\r\n" + smuggled(id));
    c.add("chunk size 0x5", "a hex prefix on a chunk size", id -> post(id, "Transfer-Encoding: chunked\r\n") + "0x5\r\nhello\r\n0\r\n\r\n");
    c.add("chunk size with leading space", "` 5` as a chunk size", id -> post(id, "Transfer-Encoding: chunked\r\n") + " 5\r\nhello\r\n0\r\n\r\n");
    c.add("chunk size with trailing space", "`5 ` as a chunk size (whitespace after the digits, as nginx accepts)",
        id -> post(id, "Transfer-Encoding: chunked\r\n") + "5 \r\nhello\r\n0\r\n\r\n");
    c.add("chunk data not followed by CRLF", "`5\\r\\nhelloXX0\\r\\n\\r\\n`", id -> post(id, "Transfer-Encoding: chunked\r\n") + "5\r\nhelloXX0\r\n\r\n");
    c.add("last chunk without the final CRLF", "the body never ends: nothing may be answered as if it had",
        id -> post(id, "Transfer-Encoding: chunked\r\n") + "5\r\nhello\r\n0\r\n");
    c.add("chunk lines ending in bare LF", "`5\\nhello\\n0\\n\\n`", id -> post(id, "Transfer-Encoding: chunked\r\n") + "5\nhello\n0\n\n");
    c.add("trailer with Content-Length", "a trailer must not reframe the message",
        id -> post(id, "Transfer-Encoding: chunked\r\n") + "0\r\nContent-Length: 50\r\n\r\n" + smuggled(id));

    // Field syntax.
    c.add("NUL in a field value", "`X-Probe: a\\0b`", id -> withField(id, "X-Probe: a\u0000b\r\n"));
    c.add("bare CR in a field value", "`X-Probe: a\\rb`", id -> withField(id, "X-Probe: a\rb\r\n"));
    c.add("obs-fold", "a field continued on a whitespace-led line", id -> withField(id, "X-Probe: a\r\n b\r\n"));
    c.add("space in a field name", "`X Probe: a`", id -> withField(id, "X Probe: a\r\n"));
    c.add("non-token field name", "`X-Pro{be: a`", id -> withField(id, "X-Pro{be: a\r\n"));
    c.add("empty field name", "`: a`", id -> withField(id, ": a\r\n"));
    c.add("field line without a colon", "`X-Probe a`", id -> withField(id, "X-Probe a\r\n"));
    c.add("10 KB field", "one field longer than nginx's 8 KB buffer", id -> withField(id, "X-Big: " + "a".repeat(10_000) + "\r\n"));
    c.add("Connection lists X-Forwarded-For", "hop-by-hop trick: may the proxy's own header be dropped?",
        id -> withField(id, "Connection: keep-alive, X-Forwarded-For\r\n"));

    // Hosts and targets: which tunnel does the request reach, and is that the one that checked it?
    c.add("absolute-form for admin, Host pub", "`GET http://admin.localhost/` with `Host: pub.localhost`: the target names the host",
        id -> "GET http://admin.localhost/" + id + " HTTP/1.1\r\n" + PUB + "\r\n");
    c.valid("absolute-form for pub", "must reach pub in origin form", id -> "GET http://pub.localhost/" + id + " HTTP/1.1\r\n" + PUB + "\r\n");
    c.valid("absolute-form for pub, Host admin", "the target's authority wins over Host (RFC 9112 §3.2.2): pub's, with Host pub",
        id -> "GET http://pub.localhost/" + id + " HTTP/1.1\r\nHost: admin.localhost\r\n\r\n");
    c.add("absolute-form with userinfo", "`http://a@pub.localhost/`", id -> "GET http://a@pub.localhost/" + id + " HTTP/1.1\r\n" + PUB + "\r\n");
    c.add("two Host fields", "pub and admin", id -> "GET /" + id + " HTTP/1.1\r\n" + PUB + "Host: admin.localhost\r\n\r\n");
    c.add("two equal Host fields", "pub twice", id -> "GET /" + id + " HTTP/1.1\r\n" + PUB + PUB + "\r\n");
    c.add("empty Host", "`Host:` with no value", id -> "GET /" + id + " HTTP/1.1\r\nHost:\r\n\r\n");
    c.add("no Host in HTTP/1.1", "HTTP/1.1 requires one", id -> "GET /" + id + " HTTP/1.1\r\n\r\n");
    c.add("HTTP/1.0 without Host", "no tunnel named", id -> "GET /" + id + " HTTP/1.0\r\n\r\n");
    c.add("Host with userinfo", "`Host: a@pub.localhost`", id -> "GET /" + id + " HTTP/1.1\r\nHost: a@pub.localhost\r\n\r\n");
    c.add("Host with a bad port", "`Host: pub.localhost:abc`", id -> "GET /" + id + " HTTP/1.1\r\nHost: pub.localhost:abc\r\n\r\n");
    c.add("Host with a trailing dot", "`pub.localhost.` names the same host", id -> "GET /" + id + " HTTP/1.1\r\nHost: pub.localhost.\r\n\r\n");
    c.add("admin without credentials", "the guarded tunnel answers 401 itself", id -> "GET /" + id + " HTTP/1.1\r\nHost: admin.localhost\r\n\r\n");
    c.add("pub, then admin on one connection", "each keep-alive request is routed and checked on its own",
        id -> get(id) + "GET /" + id + "/admin HTTP/1.1\r\nHost: admin.localhost\r\n\r\n");

    // Upgrades.
    c.add("Upgrade: h2c, then a request", "h2c smuggling: after a switch no proxy should make, a request for admin (sent once answered)",
        id -> "GET /" + id + " HTTP/1.1\r\n" + PUB + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
            + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
        id -> "GET /" + id + "/after-switch HTTP/1.1\r\nHost: admin.localhost\r\n\r\n");
    c.add("Upgrade: h2c with Connection: Upgrade only, then a request", "the same without HTTP2-Settings in Connection",
        id -> "GET /" + id + " HTTP/1.1\r\n" + PUB + "Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
        id -> "GET /" + id + "/after-switch HTTP/1.1\r\nHost: admin.localhost\r\n\r\n");
    c.add("hixie-76 WebSocket, then a request", "`Sec-WebSocket-Key1/2`: Netty reads 8 body bytes without a Content-Length",
        id -> "GET /" + id + " HTTP/1.1\r\n" + PUB + "Connection: Upgrade\r\nUpgrade: WebSocket\r\n"
            + "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n"
            + "GET /" + id + "/next HTTP/1.1\r\n" + PUB + "\r\n");
    c.add("Upgrade without Connection: upgrade", "an Upgrade field alone asks for nothing",
        id -> "GET /" + id + " HTTP/1.1\r\n" + PUB + "Upgrade: websocket\r\n\r\n" + get(id + "/next"));
    return List.copyOf(c.cases);
  }

  private static final String PUB = "Host: pub.localhost\r\n";

  private void valid(String name, String probe, Function<String, String> bytes) {
    add(name, probe, true, bytes);
  }

  private void add(String name, String probe, Function<String, String> bytes) {
    add(name, probe, false, bytes);
  }

  private void add(String name, String probe, Function<String, String> bytes, Function<String, String> afterFirstAnswer) {
    add(name, probe, false, bytes, afterFirstAnswer);
  }

  private void add(String name, String probe, boolean valid, Function<String, String> bytes) {
    add(name, probe, valid, bytes, id -> "");
  }

  private void add(String name, String probe, boolean valid, Function<String, String> bytes, Function<String, String> afterFirstAnswer) {
    String id = String.format("case%02d", cases.size() + 1);
    cases.add(new Case(id, name, probe, valid, bytes.apply(id).getBytes(StandardCharsets.ISO_8859_1),
        afterFirstAnswer.apply(id).getBytes(StandardCharsets.ISO_8859_1)));
  }

  private static String get(String path) {
    return "GET /" + path + " HTTP/1.1\r\n" + PUB + "\r\n";
  }

  private static String post(String id, String fields) {
    return "POST /" + id + " HTTP/1.1\r\n" + PUB + fields + "\r\n";
  }

  /** The request a lax reading finds after the body. */
  private static String smuggled(String id) {
    return "GET /" + id + "/smuggled HTTP/1.1\r\n" + PUB + "\r\n";
  }

  /** {@code Content-Length} covering the last chunk and a request; with {@code transferEncoding} (obfuscated or not). */
  private static String clTe(String id, String transferEncoding) {
    String body = "0\r\n\r\n" + smuggled(id);
    return post(id, "Content-Length: " + body.length() + "\r\n" + transferEncoding) + body;
  }

  /** {@code contentLength} meant as 5: the body {@code hello}, then a request. */
  private static String sized(String id, String contentLength) {
    return post(id, contentLength) + "hello" + smuggled(id);
  }

  private static String withField(String id, String field) {
    return "GET /" + id + " HTTP/1.1\r\n" + PUB + field + "\r\n";
  }
}
