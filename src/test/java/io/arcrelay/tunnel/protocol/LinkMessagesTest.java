package io.arcrelay.tunnel.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinkMessagesTest {

  @Test
  void aTaggedFrameCarriesItsPayloadUnchanged() {
    WebSocketFrame frame = LinkMessages.frame(LinkMessages.BODY, Buffer.buffer(new byte[] {0, 1, 2, (byte) 255}));
    assertTrue(frame.isBinary() && frame.isFinal());
    assertEquals(LinkMessages.BODY, LinkMessages.tag(frame.binaryData()));
    assertEquals(Buffer.buffer(new byte[] {0, 1, 2, (byte) 255}), LinkMessages.payload(frame.binaryData()));
  }

  @Test
  void largeBuffersAreCutIntoBoundedFrames() {
    List<WebSocketFrame> frames = new ArrayList<>();
    LinkMessages.chunks(LinkMessages.BODY, Buffer.buffer(new byte[LinkMessages.MAX_CHUNK * 2 + 1]), frames::add);
    assertEquals(List.of(LinkMessages.MAX_CHUNK + 1, LinkMessages.MAX_CHUNK + 1, 2),
        frames.stream().map(f -> f.binaryData().length()).toList());
    frames.clear();
    LinkMessages.chunks((byte) 0, Buffer.buffer("raw"), frames::add);
    assertEquals(Buffer.buffer("raw"), frames.get(0).binaryData(), "raw mode: no tag");
  }

  @Test
  void aResponseHeadCarriesItsBodyAndItsEndInOneMessage() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "text/plain; charset=utf-8")
        .add("Set-Cookie", "a=1").add("Set-Cookie", "b=2").add("X-Name", "caf\u00e9");
    List<WebSocketFrame> frames = new ArrayList<>();
    LinkMessages.response(200, headers, false, Buffer.buffer("hello"), true, frames::add);
    assertEquals(1, frames.size());
    Buffer message = frames.get(0).binaryData();
    assertEquals(LinkMessages.HEAD, LinkMessages.tag(message));
    assertTrue(LinkMessages.ends(message));
    LinkMessages.ResponseHead head = LinkMessages.readResponse(message);
    assertEquals(200, head.status());
    MultiMap back = head.into(MultiMap.caseInsensitiveMultiMap(), false);
    assertEquals(List.of("a=1", "b=2"), back.getAll("set-cookie"));
    assertEquals("caf\u00e9", back.get("x-name"), "values are UTF-8");
    assertEquals(Buffer.buffer("hello"), LinkMessages.headBody(message));

    frames.clear();
    LinkMessages.response(204, MultiMap.caseInsensitiveMultiMap(), false, null, false, frames::add);
    Buffer plain = frames.get(0).binaryData();
    assertFalse(LinkMessages.ends(plain));
    assertEquals(new LinkMessages.ResponseHead(204, List.of()), LinkMessages.readResponse(plain));
    assertEquals(null, LinkMessages.headBody(plain));
  }

  @Test
  void aRequestHeadCrossesWhole() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Host", "app.localhost").add("X-Big", "v".repeat(70_000));
    Buffer message = LinkMessages.request("POST", "/upload?x=1", headers, false, true, false).binaryData();
    assertFalse(LinkMessages.ends(message));
    assertEquals(new LinkMessages.RequestHead("POST", "/upload?x=1", List.of("Host", "app.localhost", "X-Big", "v".repeat(70_000)), true),
        LinkMessages.readRequest(message));
    assertEquals(null, LinkMessages.headBody(message));
    assertTrue(LinkMessages.ends(LinkMessages.request("GET", "/", headers, false, false, true).binaryData()));
  }

  @Test
  void aBodyTooLargeToRideWithItsHeadFollowsInBodyAndEndMessages() {
    List<WebSocketFrame> frames = new ArrayList<>();
    LinkMessages.response(200, MultiMap.caseInsensitiveMultiMap(), false, Buffer.buffer(new byte[LinkMessages.MAX_CHUNK + 1]), true, frames::add);
    assertEquals(List.of(LinkMessages.HEAD, LinkMessages.BODY, LinkMessages.BODY, LinkMessages.END),
        frames.stream().map(f -> LinkMessages.tag(f.binaryData())).toList());
    assertFalse(LinkMessages.ends(frames.get(0).binaryData()), "the end comes in its own message");
  }

  @Test
  void aMalformedHeadIsRefusedNotMisread() {
    Buffer good = LinkMessages.request("GET", "/", MultiMap.caseInsensitiveMultiMap().add("A", "b"), false, false, true).binaryData();
    for (int cut = 0; cut < good.length(); cut++) {
      Buffer shorter = good.getBuffer(0, cut);
      if (shorter.length() >= 5) shorter.setInt(1, Math.min(shorter.getInt(1), shorter.length() - 5));
      assertThrows(IllegalArgumentException.class, () -> LinkMessages.readRequest(shorter), "cut at " + cut);
    }
    Buffer lying = good.copy().setInt(5, Integer.MAX_VALUE); // the method's length
    assertThrows(IllegalArgumentException.class, () -> LinkMessages.readRequest(lying));
    Buffer manyHeaders = good.copy().setUnsignedShort(5 + (4 + 3) + (4 + 1) + 1, 0xFFFF); // after GET, / and the body flag
    assertThrows(IllegalArgumentException.class, () -> LinkMessages.readRequest(manyHeaders));
  }

  @Test
  void hopByHopHeadersStayOnTheirConnection() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Connection", "Upgrade").add("Upgrade", "websocket").add("Transfer-Encoding", "chunked")
        .add("Keep-Alive", "timeout=5").add("Content-Type", "text/plain").add("Set-Cookie", "a=1").add("Set-Cookie", "b=2");
    LinkMessages.RequestHead plain = LinkMessages.readRequest(LinkMessages.request("GET", "/", headers, false, false, true).binaryData());
    assertEquals(6, plain.headers().size(), "three headers cross: " + plain.headers());
    assertFalse(plain.upgrade());
    MultiMap back = plain.into(MultiMap.caseInsensitiveMultiMap(), false);
    assertEquals(List.of("a=1", "b=2"), back.getAll("set-cookie"));
    assertFalse(back.contains("connection"));
    LinkMessages.RequestHead upgrade = LinkMessages.readRequest(LinkMessages.request("GET", "/", headers, true, false, false).binaryData());
    assertTrue(upgrade.upgrade(), "an upgrade keeps Upgrade and Connection");
    assertEquals("websocket", upgrade.into(MultiMap.caseInsensitiveMultiMap(), true).get("upgrade"));
  }
}
