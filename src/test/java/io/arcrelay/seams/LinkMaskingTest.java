package io.arcrelay.seams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arcrelay.TestClient;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.net.NetServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What the agent puts on the wire of a data link: the zero key only where nobody else can read it. */
class LinkMaskingTest {

  private static final Pattern KEY = Pattern.compile("(?i)sec-websocket-key: *([^\r\n]+)");

  @Test
  void aLinkToThisHostsLoopbackCarriesItsBytesWithTheZeroKey() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Promise<byte[]> firstFrame = Promise.promise();
      // A WebSocket server by hand, to see the frame's bytes as they arrive.
      NetServer server = vertx.createNetServer().connectHandler(socket -> {
        Buffer[] in = {Buffer.buffer()};
        boolean[] upgraded = {false};
        socket.handler(chunk -> {
          in[0].appendBuffer(chunk);
          String text = in[0].toString(StandardCharsets.ISO_8859_1);
          if (!upgraded[0] && text.contains("\r\n\r\n")) {
            Matcher key = KEY.matcher(text);
            if (!key.find()) throw new IllegalStateException("no key in " + text);
            upgraded[0] = true;
            in[0] = Buffer.buffer(); // the client sends nothing more before it has the answer
            socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key.group(1).trim()) + "\r\n\r\n");
          } else if (upgraded[0] && in[0].length() >= 11) {
            firstFrame.tryComplete(in[0].getBytes(0, 11));
          }
        });
      }).listen(0, "127.0.0.1").await();

      WebSocket ws = vertx.createWebSocketClient().connect(server.actualPort(), "127.0.0.1", "/").await();
      assertTrue(LinkMasking.relax(ws));
      ws.writeBinaryMessage(Buffer.buffer("hello")).await();

      byte[] frame = firstFrame.future().await(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);
      // FIN + binary; masked, 5 bytes; key 0; the payload as sent.
      assertArrayEquals(new byte[] {(byte) 0x82, (byte) 0x85, 0, 0, 0, 0, 'h', 'e', 'l', 'l', 'o'}, frame);
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void theZeroKeyOnlyOverTlsOrLoopback() {
    assertTrue(LinkMasking.unobserved(false, new InetSocketAddress("127.0.0.1", 8765)));
    assertTrue(LinkMasking.unobserved(false, new InetSocketAddress("::1", 8765)));
    assertTrue(LinkMasking.unobserved(true, new InetSocketAddress("192.0.2.10", 443)));
    assertFalse(LinkMasking.unobserved(false, new InetSocketAddress("192.0.2.10", 80)), "plain ws:// to another host");
    assertFalse(LinkMasking.unobserved(false, InetSocketAddress.createUnresolved("relay.example", 80)));
  }

  private static String accept(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1")
          .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
