package io.arcrelay.tunnel.differential;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A strict HTTP/1.1 request reader after RFC 9112, taking nginx's choice where the RFC leaves one.
 * The recording origin reads what a proxy forwarded with it, and the test reads each case's raw
 * bytes with it: how a careful server frames them is the reference both proxies are held to.
 *
 * <p>Framing is strict (the part request smuggling lives in): {@code Transfer-Encoding} must be
 * exactly {@code chunked}, and is refused in HTTP/1.0 and beside {@code Content-Length} (RFC 9112
 * §6.1 allows either refusing or ignoring the length; nginx refuses); one
 * {@code Content-Length} of digits only; chunk sizes of hex digits that fit 60 bits, whitespace
 * after them allowed (as nginx does), extensions only after {@code ;}. Where the RFC lets a reader
 * be lenient and a proxy's re-written request cannot carry the leniency on, this one is, with a note
 * on the request: lines ending in a bare LF, empty lines before the request line, SP or HTAB runs
 * between the request line's words (RFC 9112 §2.2, §3). Field syntax: whitespace before the
 * colon, obs-fold, NUL and bare CR are refused (§5.1, §5.2, RFC 9110 §5.5); a name with other
 * non-token characters is ignored, as nginx's {@code ignore_invalid_headers} does.
 */
final class Http1Parser {

  /** Bodies are kept up to this size (the cases' are tiny); longer ones are counted, not kept. */
  private static final int BODY_KEPT = 1024 * 1024;
  private static final int LINE_LIMIT = 16 * 1024;
  private static final int HEAD_LIMIT = 64 * 1024;
  private static final Pattern HOST = Pattern.compile(
      "(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9\\-._~!$&'()*+,;=%]*)(:[0-9]*)?");
  private static final Pattern ABSOLUTE = Pattern.compile("(?i)https?://([^/?#]*)(.*)");

  /** The request is malformed: a strict server answers 400 (or 501, 505) and closes. */
  static final class Rejected extends Exception {
    Rejected(String reason) {
      super(reason, null, false, false);
    }
  }

  /** The input ended inside a request; {@code partial} is the request so far, {@code null} within its head. */
  static final class Truncated extends Exception {
    final Request partial;

    Truncated(Request partial) {
      super(partial == null ? "input ended within a request head" : "input ended within a body", null, false, false);
      this.partial = partial;
    }
  }

  record Field(String name, String value) {}

  /** How the body is delimited: {@code length} bytes, or chunked ({@code length} -1), or none (0). */
  record Head(String method, String target, String version, List<Field> fields, long length, List<String> notes) {

    boolean chunked() {
      return length < 0;
    }

    List<String> values(String name) {
      return fields.stream().filter(f -> f.name().equalsIgnoreCase(name)).map(Field::value).toList();
    }

    /** The host the request is for: an absolute-form target's authority, else {@code Host}. */
    String effectiveHost() {
      var absolute = ABSOLUTE.matcher(target);
      if (absolute.matches()) return absolute.group(1);
      List<String> hosts = values("Host");
      return hosts.isEmpty() ? null : hosts.get(0);
    }

    /** The target as an origin server is given it: path and query of an absolute-form target. */
    String originFormTarget() {
      var absolute = ABSOLUTE.matcher(target);
      if (!absolute.matches()) return target;
      String rest = absolute.group(2);
      return rest.startsWith("/") ? rest : "/" + rest;
    }

    /** {@code Connection} lists {@code upgrade} and there is an {@code Upgrade}: the protocol asked for, else null. */
    String upgrade() {
      boolean asked = values("Connection").stream()
          .flatMap(v -> List.of(v.split(",")).stream())
          .anyMatch(token -> token.strip().equalsIgnoreCase("upgrade"));
      List<String> upgrade = values("Upgrade");
      return asked && !upgrade.isEmpty() ? upgrade.get(0) : null;
    }
  }

  /** A whole request; {@code body} is all of it up to {@link #BODY_KEPT}, {@code bodyLength} counts every byte. */
  record Request(Head head, byte[] body, long bodyLength) {}

  /**
   * The requests a strict server frames in {@code bytes}, and how the input ends after them:
   * {@code end} says how; {@code partial} is a last request the input cut short, or null.
   */
  record Framing(List<Request> requests, String end, Request partial) {}

  private final InputStream in;
  private boolean bareLf;

  Http1Parser(InputStream in) {
    this.in = in;
  }

  /** Reads {@code bytes} as a strict server would, request after request, until the input ends or one is rejected. */
  static Framing frame(byte[] bytes) {
    Http1Parser parser = new Http1Parser(new ByteArrayInputStream(bytes));
    List<Request> requests = new ArrayList<>();
    try {
      for (Head head; (head = parser.readHead()) != null; ) requests.add(parser.readBody(head));
      return new Framing(requests, "end", null);
    } catch (Rejected rejected) {
      return new Framing(requests, "rejected: " + rejected.getMessage(), null);
    } catch (Truncated truncated) {
      return new Framing(requests, truncated.getMessage(), truncated.partial);
    } catch (IOException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  /** The next request's head, or {@code null} when the input ends cleanly between requests. */
  Head readHead() throws IOException, Rejected, Truncated {
    bareLf = false;
    String line;
    int emptyLines = 0;
    do {
      line = readLine(true);
      if (line == null) return null;
    } while (line.isEmpty() && ++emptyLines <= 8); // RFC 9112 §2.2: empty lines before a request are ignored
    List<String> notes = new ArrayList<>();
    if (emptyLines > 0) notes.add("empty line before the request line");
    String[] words = requestLine(line, notes);
    String method = words[0];
    String target = words[1];
    String version = words[2];
    List<Field> fields = new ArrayList<>();
    int headBytes = line.length();
    for (boolean first = true; !(line = readLine(false)).isEmpty(); first = false) {
      headBytes += line.length();
      if (headBytes > HEAD_LIMIT) throw new Rejected("head longer than " + HEAD_LIMIT + " bytes");
      Field field = fieldLine(line, first);
      if (isToken(field.name())) {
        fields.add(field);
      } else {
        notes.add("ignored a field with an invalid name: " + printable(field.name()));
      }
    }
    if (bareLf) notes.add("bare LF line endings");
    Head head = new Head(method, target, version, List.copyOf(fields), 0, notes); // its body's length comes from it
    checkHost(head);
    return new Head(method, target, version, head.fields(), bodyLength(head), List.copyOf(notes));
  }

  /** The body {@code head} announces. */
  Request readBody(Head head) throws IOException, Rejected, Truncated {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    long[] count = {0};
    if (!head.chunked()) {
      readExactly(head.length(), body, count, head);
      return new Request(head, body.toByteArray(), count[0]);
    }
    while (true) {
      String line = readLineIn(head, body, count);
      long size = chunkSize(line);
      if (size == 0) break;
      readExactly(size, body, count, head);
      String end = readLineIn(head, body, count);
      if (!end.isEmpty()) throw new Rejected("chunk data not followed by CRLF: " + printable(end));
    }
    for (String trailer; !(trailer = readLineIn(head, body, count)).isEmpty(); ) fieldLine(trailer, false); // checked, not used
    return new Request(head, body.toByteArray(), count[0]);
  }

  private static String[] requestLine(String line, List<String> notes) throws Rejected {
    if (line.indexOf('\r') >= 0) throw new Rejected("bare CR in the request line");
    for (char c : line.toCharArray()) {
      if (c < 0x20 && c != '\t' || c == 0x7f) throw new Rejected("control character in the request line");
    }
    if (line.startsWith(" ") || line.startsWith("\t")) throw new Rejected("request line starts with whitespace");
    String[] words = line.split("[ \t]+");
    if (line.contains("\t")) notes.add("tabs in the request line");
    if (line.contains("  ") || line.endsWith(" ")) notes.add("extra spaces in the request line");
    if (words.length == 2) throw new Rejected("HTTP/0.9 request (no version)");
    if (words.length != 3) throw new Rejected("request line is not method, target, version");
    if (!isToken(words[0])) throw new Rejected("method is not a token");
    if (!words[2].equals("HTTP/1.1") && !words[2].equals("HTTP/1.0")) throw new Rejected("version " + words[2] + " not supported");
    String target = words[1];
    for (char c : target.toCharArray()) {
      if (c <= 0x20 || c >= 0x7f) throw new Rejected("invalid character in the target");
    }
    var absolute = ABSOLUTE.matcher(target);
    boolean valid = target.startsWith("/")
        || target.equals("*") && words[0].equals("OPTIONS")
        || words[0].equals("CONNECT") && target.matches("[A-Za-z0-9.\\-]+:[0-9]+")
        || absolute.matches() && !absolute.group(1).isEmpty();
    if (!valid) throw new Rejected("target " + printable(target) + " is in no form " + words[0] + " may use");
    if (absolute.matches() && absolute.group(1).contains("@")) throw new Rejected("userinfo in the target");
    return words;
  }

  private static Field fieldLine(String line, boolean first) throws Rejected {
    char lead = line.charAt(0);
    if (lead == ' ' || lead == '\t') {
      throw new Rejected(first ? "whitespace-led line right after the request line" : "obs-fold (a field continued on the next line)");
    }
    int colon = line.indexOf(':');
    if (colon < 0) throw new Rejected("field line without a colon: " + printable(line));
    String name = line.substring(0, colon);
    if (name.isEmpty()) throw new Rejected("empty field name");
    char last = name.charAt(name.length() - 1);
    if (last == ' ' || last == '\t') throw new Rejected("whitespace between a field name and the colon");
    for (char c : name.toCharArray()) {
      if (c <= 0x20 || c == 0x7f) throw new Rejected("space or control character in a field name");
    }
    String value = line.substring(colon + 1).replaceAll("^[ \t]+|[ \t]+$", "");
    if (value.indexOf('\0') >= 0) throw new Rejected("NUL in a field value");
    if (value.indexOf('\r') >= 0) throw new Rejected("bare CR in a field value");
    return new Field(name, value);
  }

  private static void checkHost(Head head) throws Rejected {
    List<String> hosts = head.values("Host");
    if (hosts.size() > 1) throw new Rejected("more than one Host");
    if (hosts.isEmpty() && head.version().equals("HTTP/1.1")) throw new Rejected("no Host in an HTTP/1.1 request");
    if (!hosts.isEmpty() && !HOST.matcher(hosts.get(0)).matches()) throw new Rejected("invalid Host " + printable(hosts.get(0)));
  }

  /** The body's length ({@code -1}: chunked) by RFC 9112 §6.3. */
  private static long bodyLength(Head head) throws Rejected {
    List<String> transferEncodings = head.values("Transfer-Encoding");
    List<String> lengths = elements(head.values("Content-Length"));
    if (!transferEncodings.isEmpty()) {
      if (head.version().equals("HTTP/1.0")) throw new Rejected("Transfer-Encoding in an HTTP/1.0 request");
      List<String> codings = elements(transferEncodings);
      if (codings.isEmpty() || !codings.get(codings.size() - 1).equalsIgnoreCase("chunked")) {
        throw new Rejected("chunked is not the final transfer coding: " + printable(String.join(", ", transferEncodings)));
      }
      if (codings.size() > 1) throw new Rejected("transfer codings not supported: " + printable(String.join(", ", codings)));
      if (!head.values("Content-Length").isEmpty()) throw new Rejected("both Transfer-Encoding and Content-Length");
      return -1;
    }
    if (head.values("Content-Length").isEmpty()) return 0;
    if (lengths.isEmpty()) throw new Rejected("empty Content-Length");
    if (lengths.size() > 1) throw new Rejected("several Content-Length values");
    String digits = lengths.get(0);
    if (!digits.matches("[0-9]+")) throw new Rejected("invalid Content-Length " + printable(digits));
    String significant = digits.replaceFirst("^0+(?=.)", "");
    if (significant.length() > 18) throw new Rejected("Content-Length too large");
    return Long.parseLong(significant);
  }

  /** The elements of comma-separated lists, empty ones dropped (RFC 9110 §5.6.1). */
  private static List<String> elements(List<String> values) {
    List<String> elements = new ArrayList<>();
    for (String value : values) {
      for (String element : value.split(",")) {
        String trimmed = element.replaceAll("^[ \t]+|[ \t]+$", ""); // OWS only: a vertical tab is part of the value
        if (!trimmed.isEmpty()) elements.add(trimmed.toLowerCase(Locale.ROOT));
      }
    }
    return elements;
  }

  private static long chunkSize(String line) throws Rejected {
    int digits = 0;
    while (digits < line.length() && Character.digit(line.charAt(digits), 16) >= 0) digits++;
    if (digits == 0) throw new Rejected("invalid chunk size line " + printable(line));
    String significant = line.substring(0, digits).replaceFirst("^0+(?=.)", "");
    if (significant.length() > 15) throw new Rejected("chunk size overflows: " + printable(line.substring(0, digits)));
    String rest = line.substring(digits).replaceFirst("^[ \t]+", "");
    if (!rest.isEmpty() && !rest.startsWith(";")) throw new Rejected("invalid chunk size line " + printable(line));
    for (char c : rest.toCharArray()) {
      if (c < 0x20 && c != '\t' || c == 0x7f) throw new Rejected("control character in a chunk extension");
    }
    return Long.parseLong(significant, 16);
  }

  private void readExactly(long length, ByteArrayOutputStream body, long[] count, Head head) throws IOException, Truncated {
    byte[] buffer = new byte[8192];
    for (long left = length; left > 0; ) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (read < 0) throw new Truncated(new Request(head, body.toByteArray(), count[0]));
      if (body.size() < BODY_KEPT) body.write(buffer, 0, Math.min(read, BODY_KEPT - body.size()));
      count[0] += read;
      left -= read;
    }
  }

  /** A line within a body: the input ending there cuts the request at what was read of it. */
  private String readLineIn(Head head, ByteArrayOutputStream body, long[] count) throws IOException, Rejected, Truncated {
    try {
      return readLine(false);
    } catch (Truncated cut) {
      throw new Truncated(new Request(head, body.toByteArray(), count[0]));
    }
  }

  /**
   * One line without its CRLF or bare LF (ISO-8859-1: one char per byte); {@code null} when
   * {@code mayEnd} and the input ends before its first byte.
   */
  private String readLine(boolean mayEnd) throws IOException, Rejected, Truncated {
    StringBuilder line = new StringBuilder();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) {
        if (mayEnd && line.isEmpty()) return null;
        throw new Truncated(null);
      }
      if (line.length() >= LINE_LIMIT) throw new Rejected("line longer than " + LINE_LIMIT + " bytes");
      line.append((char) b);
    }
    int end = line.length();
    if (end > 0 && line.charAt(end - 1) == '\r') {
      line.setLength(end - 1);
    } else {
      bareLf = true;
    }
    return line.toString();
  }

  static boolean isToken(String s) {
    if (s.isEmpty()) return false;
    for (char c : s.toCharArray()) {
      boolean tchar = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!tchar) return false;
    }
    return true;
  }

  /** {@code s} with control and non-ASCII characters escaped, shortened to 60 characters: for reports. */
  static String printable(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (out.length() >= 60) return out.append('…').toString();
      switch (c) {
        case '\r' -> out.append("\\r");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c >= 0x7f) out.append(String.format("\\x%02x", (int) c)); else out.append(c);
        }
      }
    }
    return out.toString();
  }

  static String printable(byte[] bytes) {
    return printable(new String(bytes, StandardCharsets.ISO_8859_1));
  }
}
