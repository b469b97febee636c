package io.arcrelay.bench;

import io.vertx.core.buffer.Buffer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * Upgrade requests for the fuzz: the valid one a WebSocket client sends, and mutations of it
 * (methods, request lines, versions, keys, headers missing, duplicated or huge, smuggling-style
 * framing headers, pair codes no decoder should accept, truncation, junk after the head).
 */
final class FuzzRequests {

  /** Query values for {@code pair} that are wrongly encoded, too long, doubled or otherwise odd. */
  private static final String[] BAD_CODES = {"", "%", "%z", "%zz", "%00", "%0d%0aX-Injected:%20y", "%C3%28", "%FF%FE",
      "%ED%A0%80", "a&pair=b", "a&pair=", "%E2%82%AC", "+", "%2B%2F", "a b", "\u00e9", "a#frag", "a;b", "%25",
      "x".repeat(257), "%41".repeat(300), "\t"};

  private static final String[] METHODS = {"POST", "PUT", "HEAD", "OPTIONS", "DELETE", "CONNECT", "TRACE", "get",
      "G E T", "GETT", "\u0000GET", "PRI"};

  private static final String[] VERSIONS = {"HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/1.2", "HTTP/9.9", "HTTP/1.1x",
      "http/1.1", "HTTP/1", "", "HTTP/1.1 extra"};

  private static final String[] WS_VERSIONS = {"0", "7", "8", "12", "14", "13, 8", "", "abc", "-13", "99999999999"};

  private static final String[] KEYS = {"", "short", "not base64 at all!", "AAAAAAAAAAAAAAAAAAAAAA==",
      "dGhlIHNhbXBsZSBub25jZQ==dGhlIHNhbXBsZSBub25jZQ==", "====", "\u00ff\u00fe"};

  /** One request: every part is open to mutation before it is written out. */
  private static final class Request {
    String method = "GET";
    String target;
    String version = "HTTP/1.1";
    final List<String> headers = new ArrayList<>();
    Buffer body = Buffer.buffer();
    String eol = "\r\n";

    Request(Random random, String code) {
      target = "/?pair=" + URLEncoder.encode(code, StandardCharsets.UTF_8);
      byte[] nonce = new byte[16];
      random.nextBytes(nonce);
      headers.add("Host: relay");
      headers.add("Upgrade: websocket");
      headers.add("Connection: Upgrade");
      headers.add("Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce));
      headers.add("Sec-WebSocket-Version: 13");
    }

    /** Drops every {@code name} header, then adds {@code line} unless it is null. */
    void replace(String name, String line) {
      headers.removeIf(h -> h.regionMatches(true, 0, name + ":", 0, name.length() + 1));
      if (line != null) headers.add(line);
    }

    Buffer bytes() {
      StringBuilder head = new StringBuilder(method).append(' ').append(target);
      if (!version.isEmpty()) head.append(' ').append(version);
      head.append(eol);
      headers.forEach(h -> head.append(h).append(eol));
      // ISO-8859-1 keeps each char one byte: the odd ones above are bytes a client may send as they are.
      return Buffer.buffer(head.append(eol).toString().getBytes(StandardCharsets.ISO_8859_1)).appendBuffer(body);
    }
  }

  private FuzzRequests() {}

  /** The upgrade request a well-behaved client sends for {@code code}. */
  static Buffer valid(Random random, String code) {
    return new Request(random, code).bytes();
  }

  /** A request for {@code code} with one to three mutations; one in five is then truncated. */
  static Buffer mutated(Random random, String code) {
    Request request = new Request(random, code);
    for (int i = 1 + random.nextInt(3); i > 0; i--) mutate(random, request);
    Buffer bytes = request.bytes();
    if (random.nextInt(5) == 0) return bytes.getBuffer(0, random.nextInt(bytes.length()));
    return bytes;
  }

  private static void mutate(Random random, Request request) {
    switch (random.nextInt(15)) {
      case 0 -> request.method = pick(random, METHODS);
      case 1 -> request.version = pick(random, VERSIONS);
      case 2 -> request.target = "/?pair=" + pick(random, BAD_CODES);
      case 3 -> request.target = otherTarget(random, request.target);
      case 4 -> request.replace("Sec-WebSocket-Version", random.nextInt(4) == 0 ? null
          : "Sec-WebSocket-Version: " + pick(random, WS_VERSIONS));
      case 5 -> request.replace("Sec-WebSocket-Key", random.nextInt(4) == 0 ? null
          : "Sec-WebSocket-Key: " + pick(random, KEYS));
      case 6 -> request.replace("Upgrade", random.nextInt(2) == 0 ? null
          : "Upgrade: " + pick(random, "h2c", "websocket, h2c", "WebSocket", "web socket", ""));
      case 7 -> request.replace("Connection", random.nextInt(2) == 0 ? null
          : "Connection: " + pick(random, "keep-alive", "close", "upgrade, close", "Upgrade, Upgrade"));
      case 8 -> huge(random, request);
      case 9 -> smuggle(random, request);
      case 10 -> hixie76(random, request);
      case 11 -> request.eol = random.nextBoolean() ? "\n" : "\r";
      case 12 -> request.headers.add(random.nextInt(3) == 0 ? " folded: continuation"
          : pick(random, "NoColon", ": no name", "Bad Name: x", "X-Nul: a\u0000b", "X-Empty:"));
      case 13 -> {
        if (!request.headers.isEmpty()) request.headers.remove(random.nextInt(request.headers.size())); // Host too
      }
      default -> request.body = random.nextBoolean() // pipelined after the head: junk, or a second request
          ? Buffer.buffer(junk(random, 1 + random.nextInt(200)))
          : Buffer.buffer("GET /health HTTP/1.1\r\nHost: relay\r\n\r\n");
    }
  }

  private static String otherTarget(Random random, String target) {
    return switch (random.nextInt(6)) {
      case 0 -> "/health" + target.substring(1);
      case 1 -> "/metrics" + target.substring(1);
      case 2 -> "http://relay" + target;
      case 3 -> "*";
      case 4 -> "/../.." + target;
      default -> target.replace("?", "");
    };
  }

  /** A header value or a request line past Vert.x's limits (8 KiB of headers, 4,096-byte lines), or many headers. */
  private static void huge(Random random, Request request) {
    switch (random.nextInt(3)) {
      case 0 -> request.headers.add("X-Huge: " + "v".repeat(4_000 + random.nextInt(20_000)));
      case 1 -> request.target = request.target + "&pad=" + "p".repeat(4_000 + random.nextInt(8_000));
      default -> {
        for (int i = 300 + random.nextInt(300); i > 0; i--) request.headers.add("X-Many-" + i + ": " + i);
      }
    }
  }

  /** Request smuggling's favourites: conflicting body lengths, doubled WebSocket headers. */
  private static void smuggle(Random random, Request request) {
    switch (random.nextInt(5)) {
      case 0 -> {
        request.headers.add("Content-Length: 5");
        request.headers.add("Content-Length: 40");
        request.body = Buffer.buffer("hello");
      }
      case 1 -> {
        request.headers.add("Transfer-Encoding: chunked");
        request.headers.add("Content-Length: 4");
        request.body = Buffer.buffer("0\r\n\r\nGET /?pair=smuggled HTTP/1.1\r\nHost: relay\r\n\r\n");
      }
      case 2 -> request.headers.add("Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(junk(random, 16)));
      case 3 -> request.headers.add("Upgrade: h2c");
      default -> request.headers.add("Host: other");
    }
  }

  /** The pre-RFC 6455 draft (hixie-76) handshake: two number keys, an Origin and 8 bytes after the head. */
  private static void hixie76(Random random, Request request) {
    request.replace("Sec-WebSocket-Version", null);
    request.replace("Sec-WebSocket-Key", null);
    request.headers.add("Origin: http://fuzz");
    request.headers.add("Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5");
    request.headers.add("Sec-WebSocket-Key2: 12998 5 Y3 1  .P00");
    request.body = Buffer.buffer(junk(random, 8));
  }

  private static String pick(Random random, String... choices) {
    return choices[random.nextInt(choices.length)];
  }

  private static byte[] junk(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }
}
