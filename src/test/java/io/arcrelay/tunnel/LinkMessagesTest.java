package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
  void aHeadCarriesItsBodyAndItsEndInOneMessage() {
    JsonObject head = new JsonObject().put("s", 200).put("h", new JsonArray());
    List<WebSocketFrame> frames = new ArrayList<>();
    LinkMessages.head(head, Buffer.buffer("hello"), true, frames::add);
    assertEquals(1, frames.size());
    Buffer message = frames.get(0).binaryData();
    assertEquals(LinkMessages.HEAD, LinkMessages.tag(message));
    assertTrue(LinkMessages.ends(message));
    assertEquals(head, LinkMessages.headJson(message));
    assertEquals(Buffer.buffer("hello"), LinkMessages.headBody(message));

    frames.clear();
    LinkMessages.head(head, null, false, frames::add);
    Buffer plain = frames.get(0).binaryData();
    assertFalse(LinkMessages.ends(plain));
    assertEquals(head, LinkMessages.headJson(plain));
    assertEquals(null, LinkMessages.headBody(plain));
  }

  @Test
  void aHeadTooLongToCarryItsBodyIsFollowedByBodyAndEndMessages() {
    JsonObject head = new JsonObject().put("s", 200).put("h", new JsonArray().add(new JsonArray().add("x-big").add("v".repeat(70_000))));
    List<WebSocketFrame> frames = new ArrayList<>();
    LinkMessages.head(head, Buffer.buffer("body"), true, frames::add);
    assertEquals(List.of(LinkMessages.HEAD, LinkMessages.BODY, LinkMessages.END),
        frames.stream().map(f -> LinkMessages.tag(f.binaryData())).toList());
    assertFalse(LinkMessages.ends(frames.get(0).binaryData()), "the end comes in its own message");
    assertEquals(head, LinkMessages.headJson(frames.get(0).binaryData()));
  }

  @Test
  void hopByHopHeadersStayOnTheirConnection() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Connection", "Upgrade").add("Upgrade", "websocket").add("Transfer-Encoding", "chunked")
        .add("Keep-Alive", "timeout=5").add("Content-Type", "text/plain").add("Set-Cookie", "a=1").add("Set-Cookie", "b=2");
    JsonArray plain = LinkMessages.headers(headers, false);
    assertEquals(3, plain.size());
    MultiMap back = MultiMap.caseInsensitiveMultiMap();
    LinkMessages.addHeaders(plain, back, false);
    assertEquals(List.of("a=1", "b=2"), back.getAll("set-cookie"));
    assertFalse(back.contains("connection"));
    MultiMap upgrade = MultiMap.caseInsensitiveMultiMap();
    LinkMessages.addHeaders(LinkMessages.headers(headers, true), upgrade, true);
    assertTrue(LinkMessages.isUpgrade(upgrade), "an upgrade keeps Upgrade and Connection");
  }

  @Test
  void aVisitorsOwnForwardedHeadersAreReplaced() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Host", "app.localhost:8765")
        .add("X-Forwarded-For", "203.0.113.9").add("X-Forwarded-Proto", "https").add("X-Forwarded-Host", "bank.example");
    LinkMessages.forwarded(headers, "198.51.100.7", false, false);
    assertEquals("198.51.100.7", headers.get("X-Forwarded-For"));
    assertEquals("http", headers.get("X-Forwarded-Proto"));
    assertEquals("app.localhost:8765", headers.get("X-Forwarded-Host"));
  }

  @Test
  void aTrustedProxysForwardedHeadersAreKeptAndExtended() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Host", "app.tunnels.example.com")
        .add("X-Forwarded-For", "203.0.113.9").add("X-Forwarded-Proto", "https");
    LinkMessages.forwarded(headers, "10.0.0.5", true, false);
    assertEquals("203.0.113.9, 10.0.0.5", headers.get("X-Forwarded-For"));
    assertEquals("https", headers.get("X-Forwarded-Proto"));
    assertEquals("app.tunnels.example.com", headers.get("X-Forwarded-Host"));
  }
}
