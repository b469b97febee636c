package io.arcrelay.tunnel.differential;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The web app behind a proxy, on raw TCP so that what arrives is recorded as it arrived, not as an
 * HTTP library would tidy it: each connection's requests, read with {@link Http1Parser} (keep-alive
 * and pipelined ones included, so a smuggled request shows up as one more), and what it could not
 * read. Answers each request {@code 200} with a body naming it, {@code 100 Continue} first when
 * asked; {@code 101} to any upgrade but a hixie-76 WebSocket (which no current server speaks), after
 * which it goes on reading HTTP: a proxy that spliced the connection raw then shows what it let
 * through unchecked. A {@code CONNECT} gets {@code 405}, what it cannot read {@code 400}. Every answer has an {@code X-Origin-Request} header, so a visitor can
 * tell the origin's answers from a proxy's own.
 */
final class RecordingOrigin implements AutoCloseable {

  /** What marks a connection's bytes as a case's: its id, {@code case07}, in a target or an {@code X-Case}. */
  static final Pattern CASE_MARK = Pattern.compile("case\\d{2}");
  /** The connection's side goes quiet this long: it is closed (no case waits longer). */
  private static final int IDLE_MS = 5_000;
  private static final int RAW_KEPT = 256 * 1024;

  /**
   * One thing the origin read on a connection: a whole request; bytes it refused ({@code refusal},
   * {@code request} null); or, {@code cut}, what the input ended within (a request whose body was
   * cut, or a head: {@code request} null). All but cut ones were answered. {@code switchedTo}: the
   * protocol the connection had been switched to before (101), or null.
   */
  record Received(Http1Parser.Request request, String refusal, boolean cut, String switchedTo) {}

  /** One TCP connection a proxy opened to the origin. */
  static final class Connection {
    final int id;
    final List<Received> received = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private volatile boolean open = true;

    Connection(int id) {
      this.id = id;
    }

    /** The case whose id came first in the connection's bytes, or null. */
    synchronized String caseId() {
      Matcher mark = CASE_MARK.matcher(raw.toString(StandardCharsets.ISO_8859_1));
      return mark.find() ? mark.group() : null;
    }

    synchronized void captured(byte[] bytes, int from, int length) {
      raw.write(bytes, from, Math.min(length, Math.max(0, RAW_KEPT - raw.size())));
    }
  }

  private final ServerSocket server;
  private final List<Connection> connections = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();

  private RecordingOrigin(ServerSocket server) {
    this.server = server;
  }

  static RecordingOrigin start(String name) throws IOException {
    RecordingOrigin origin = new RecordingOrigin(new ServerSocket(0, 200, InetAddress.getLoopbackAddress()));
    Thread acceptor = new Thread(origin::accept, name + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return origin;
  }

  int port() {
    return server.getLocalPort();
  }

  List<Connection> connections() {
    return List.copyOf(connections);
  }

  /** No connection is open: everything the proxies sent has been read. */
  boolean idle() {
    return connections.stream().noneMatch(c -> c.open);
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException closed) {
        return;
      }
      Connection connection = new Connection(ids.incrementAndGet());
      connections.add(connection);
      Thread serving = new Thread(() -> serve(socket, connection), "origin-connection-" + connection.id);
      serving.setDaemon(true);
      serving.start();
    }
  }

  private static void serve(Socket socket, Connection connection) {
    try (socket) {
      socket.setSoTimeout(IDLE_MS);
      OutputStream out = socket.getOutputStream();
      Http1Parser parser = new Http1Parser(new BufferedInputStream(new Recorded(socket.getInputStream(), connection)));
      String switchedTo = null;
      for (int n = 1; ; n++) {
        Http1Parser.Head head;
        Http1Parser.Request request;
        try {
          head = parser.readHead();
          if (head == null) return;
          if (head.length() != 0 && head.values("Expect").stream().anyMatch("100-continue"::equalsIgnoreCase)) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          }
          request = parser.readBody(head);
        } catch (Http1Parser.Rejected rejected) {
          connection.received.add(new Received(null, rejected.getMessage(), false, switchedTo));
          answer(out, "400 Bad Request", "origin refused: " + rejected.getMessage(),
              List.of("X-Origin-Request: " + connection.id + "." + n, "Connection: close"));
          return;
        } catch (Http1Parser.Truncated cut) {
          if (cut.partial != null) {
            connection.received.add(new Received(cut.partial, null, true, switchedTo));
          } else {
            connection.received.add(new Received(null, cut.getMessage(), true, switchedTo));
          }
          return;
        }
        connection.received.add(new Received(request, null, false, switchedTo));
        String upgrade = head.upgrade();
        List<String> headers = new ArrayList<>();
        headers.add("X-Origin-Request: " + connection.id + "." + n);
        if (head.method().equals("CONNECT")) {
          headers.add("Connection: close");
          answer(out, "405 Method Not Allowed", "origin request " + n + ": no CONNECT here", headers);
          return;
        }
        boolean hixie76 = !head.values("Sec-WebSocket-Key1").isEmpty();
        if (upgrade != null && head.method().equals("GET") && !hixie76) {
          headers.add("Connection: Upgrade");
          headers.add("Upgrade: " + upgrade);
          List<String> key = head.values("Sec-WebSocket-Key");
          if (!key.isEmpty()) headers.add("Sec-WebSocket-Accept: " + webSocketAccept(key.get(0)));
          out.write(("HTTP/1.1 101 Switching Protocols\r\n" + String.join("\r\n", headers) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
          switchedTo = upgrade;
          continue;
        }
        boolean close = head.values("Connection").stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("close"))
            || head.version().equals("HTTP/1.0") && head.values("Connection").stream().noneMatch(v -> v.toLowerCase(Locale.ROOT).contains("keep-alive"));
        if (close) headers.add("Connection: close");
        answer(out, "200 OK", head.method().equals("HEAD") ? null : "origin request " + n + "\n", headers);
        if (close) return;
      }
    } catch (IOException ended) {
      // reset, or idle past IDLE_MS: the connection ends with what was recorded
    } finally {
      connection.open = false;
    }
  }

  /** A response; {@code body} null: none (the answer to a HEAD). */
  private static void answer(OutputStream out, String status, String body, List<String> headers) throws IOException {
    String text = body == null ? "" : body;
    String head = "HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: " + text.length() + "\r\n"
        + String.join("", headers.stream().map(h -> h + "\r\n").toList()) + "\r\n";
    out.write((head + (body == null ? "" : text)).getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static String webSocketAccept(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1")
          .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  /** The socket's input, every byte also kept on the connection (for the case's mark). */
  private static final class Recorded extends FilterInputStream {
    private final Connection connection;

    Recorded(InputStream in, Connection connection) {
      super(in);
      this.connection = connection;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int read = super.read(b, off, len);
      if (read > 0) connection.captured(b, off, read);
      return read;
    }
  }
}
