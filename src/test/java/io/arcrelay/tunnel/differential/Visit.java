package io.arcrelay.tunnel.differential;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One case's bytes written to a proxy in one go on a new connection (and its second part once the
 * first response came), and what came back read as HTTP/1.1 responses, until the proxy closes,
 * {@link #QUIET_MS} pass without a byte after a complete answer, or {@link #ANSWER_MS} while one is
 * awaited or under way.
 */
final class Visit {

  static final int ANSWER_MS = 3_000;
  static final int QUIET_MS = 1_000;
  private static final Pattern STATUS_LINE = Pattern.compile("(HTTP/\\d\\.\\d) (\\d{3})( .*)?");
  /** The start of an answer without a status line (HTTP/0.9 style: nginx answers a 0.9 request so). */
  static final String NO_STATUS_LINE = "answered without a status line: ";

  /**
   * A response's status; {@code fromOrigin}: it carries the origin's mark, so the proxy forwarded
   * it; {@code version}: the status line's, when it is not HTTP/1.x.
   */
  record Response(int status, boolean fromOrigin, String version) {
    @Override
    public String toString() {
      return status + (fromOrigin ? "*" : "") + (version == null ? "" : " in " + version);
    }
  }

  /** The responses in order, and how the connection ended. */
  record Outcome(List<Response> responses, String ending) {

    /** Final responses the origin made (the proxy forwarded the request), up to a 101: what follows it is not the proxy's HTTP. */
    long fromOrigin() {
      long count = 0;
      for (Response response : responses) {
        if (response.fromOrigin() && (response.status() >= 200 || response.status() == 101)) count++;
        if (response.status() == 101) break;
      }
      return count;
    }

    /** Only the proxy's own answers, at least one a 4xx or 5xx (or one without a status line), or closed without a word. */
    boolean refused() {
      if (fromOrigin() > 0) return false;
      if (responses.isEmpty()) return ending.startsWith("closed") || ending.startsWith("reset") || ending.startsWith(NO_STATUS_LINE);
      return responses.stream().anyMatch(r -> r.status() >= 400);
    }

    @Override
    public String toString() {
      if (responses.isEmpty()) return ending;
      return String.join(" ", responses.stream().map(Response::toString).toList()) + " (" + ending + ")";
    }
  }

  private Visit() {}

  /**
   * {@code afterFirstAnswer}: written once the first response (interim ones included) is read, if
   * not empty; reading goes on after a {@code 101} then. {@code methods}: the methods of the requests
   * in order (a HEAD's or CONNECT's answer is read differently).
   */
  static Outcome send(int port, byte[] bytes, byte[] afterFirstAnswer, List<String> methods) throws IOException {
    List<Response> responses = new ArrayList<>();
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setTcpNoDelay(true);
      write(socket, bytes);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      int finals = 0;
      while (true) {
        socket.setSoTimeout(finals > 0 ? QUIET_MS : ANSWER_MS);
        String statusLine;
        try {
          statusLine = line(in, true);
        } catch (SocketTimeoutException quiet) {
          return new Outcome(responses, finals > 0 ? "kept open" : "no answer in " + ANSWER_MS / 1000 + " s");
        }
        if (statusLine == null) return new Outcome(responses, responses.isEmpty() ? "closed without response" : "closed");
        socket.setSoTimeout(ANSWER_MS);
        Matcher status = STATUS_LINE.matcher(statusLine);
        if (!status.matches()) return new Outcome(responses, NO_STATUS_LINE + Http1Parser.printable(statusLine));
        int code = Integer.parseInt(status.group(2));
        String version = status.group(1).startsWith("HTTP/1.") ? null : status.group(1);
        boolean fromOrigin = false;
        boolean chunked = false;
        long length = -1;
        for (String header; !(header = line(in, false)).isEmpty(); ) {
          String name = header.substring(0, Math.max(0, header.indexOf(':'))).strip().toLowerCase(Locale.ROOT);
          String value = header.substring(header.indexOf(':') + 1).strip();
          switch (name) {
            case "x-origin-request" -> fromOrigin = true;
            case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
            case "content-length" -> length = Long.parseLong(value);
            default -> { }
          }
        }
        responses.add(new Response(code, fromOrigin, version));
        if (responses.size() == 1 && afterFirstAnswer.length > 0) {
          write(socket, afterFirstAnswer);
        } else if (code == 101) {
          return new Outcome(responses, "switched protocols");
        }
        if (code < 200) continue;
        String method = finals < methods.size() ? methods.get(finals) : "GET";
        finals++;
        if (method.equals("CONNECT") && code < 300) return new Outcome(responses, "tunnel opened");
        if (method.equals("HEAD") || code == 204 || code == 304) continue;
        if (chunked) {
          skipChunked(in);
        } else if (length >= 0) {
          skip(in, length);
        } else {
          while (in.read() >= 0) { } // delimited by the close
          return new Outcome(responses, "closed");
        }
      }
    } catch (SocketTimeoutException stalled) {
      return new Outcome(responses, "response cut: nothing more in " + ANSWER_MS / 1000 + " s");
    } catch (EOFException cut) {
      return new Outcome(responses, "closed within a response");
    } catch (IOException reset) { // a reset: the proxy closed with bytes of the request unread
      return new Outcome(responses, responses.isEmpty() ? "reset without response" : "reset");
    }
  }

  private static void write(Socket socket, byte[] bytes) {
    try {
      socket.getOutputStream().write(bytes);
    } catch (IOException closedEarly) {
      // the proxy answered and closed before reading it all: what it answered still counts
    }
  }

  private static void skipChunked(InputStream in) throws IOException {
    while (true) {
      String sizeLine = line(in, false);
      long size = Long.parseLong(sizeLine.split(";")[0].strip(), 16);
      if (size == 0) break;
      skip(in, size);
      line(in, false);
    }
    while (!line(in, false).isEmpty()) { } // trailers
  }

  private static void skip(InputStream in, long length) throws IOException {
    for (long left = length; left > 0; left--) {
      if (in.read() < 0) throw new EOFException();
    }
  }

  /** A line without its line end; {@code null} when {@code mayEnd} and the input ends before it. */
  private static String line(InputStream in, boolean mayEnd) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) {
        if (mayEnd && line.isEmpty()) return null;
        throw new EOFException();
      }
      line.append((char) b);
    }
    if (!line.isEmpty() && line.charAt(line.length() - 1) == '\r') line.setLength(line.length() - 1);
    return line.toString();
  }
}
