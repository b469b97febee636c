package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

/** The headers the relay owns on a forwarded request, set on a request's own header map. */
class ForwardedHeadersTest {

  @Test
  void aVisitorsOwnForwardingHeadersAreReplacedInEverySpelling() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Host", "app.localhost:8765")
        .add("X-Forwarded-For", "203.0.113.9").add("x-forwarded-proto", "https").add("X-Forwarded-Host", "bank.example")
        .add("X_Forwarded_For", "6.6.6.6").add("X-Forwarded-Port", "443").add("Forwarded", "for=6.6.6.6")
        .add("X-Real-IP", "6.6.6.6").add("Accept", "*/*");
    assertFalse(ForwardedHeaders.set(headers, true, "198.51.100.7", "198.51.100.7", false, false, "app.localhost:8765"));
    assertEquals("198.51.100.7", headers.get("X-Forwarded-For"));
    assertEquals("http", headers.get("X-Forwarded-Proto"));
    assertEquals("app.localhost:8765", headers.get("X-Forwarded-Host"));
    assertNull(headers.get("X_Forwarded_For"), "names with an underscore are dropped, as nginx does");
    assertNull(headers.get("X-Forwarded-Port"));
    assertEquals("for=198.51.100.7;host=\"app.localhost:8765\";proto=http", headers.get("Forwarded"));
    assertEquals("198.51.100.7", headers.get("X-Real-IP"));
    assertEquals("*/*", headers.get("Accept"));
    assertEquals(1, headers.getAll("X-Forwarded-For").size());
  }

  @Test
  void aTrustedProxysForwardingHeadersAreKeptAndExtended() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Host", "app.tunnels.example.com")
        .add("X-Forwarded-For", "203.0.113.9").add("X-Forwarded-Proto", "https").add("Forwarded", "for=203.0.113.9");
    ForwardedHeaders.set(headers, true, "10.0.0.5", "203.0.113.9", true, false, "app.tunnels.example.com");
    assertEquals("203.0.113.9, 10.0.0.5", headers.get("X-Forwarded-For"));
    assertEquals("https", headers.get("X-Forwarded-Proto"));
    assertEquals("app.tunnels.example.com", headers.get("X-Forwarded-Host"));
    assertEquals("for=203.0.113.9, for=10.0.0.5;host=\"app.tunnels.example.com\";proto=http", headers.get("Forwarded"));
    assertEquals("203.0.113.9", headers.get("X-Real-IP"));
  }

  @Test
  void hostIsTheAuthorityTheRequestWasRoutedBy() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Host", "pub.localhost");
    ForwardedHeaders.set(headers, true, "::1", "::1", false, false, "admin.localhost");
    assertEquals("admin.localhost", headers.get("Host"));
    assertTrue(headers.get("Forwarded").startsWith("for=\"[::1]\";"));
  }

  @Test
  void onlyAWebSocketUpgradeSwitchesProtocols() {
    MultiMap h2c = MultiMap.caseInsensitiveMultiMap().add("Connection", "Upgrade, HTTP2-Settings").add("Upgrade", "h2c")
        .add("HTTP2-Settings", "AAMAAABkAAQAAP__");
    assertFalse(ForwardedHeaders.set(h2c, true, "198.51.100.7", "198.51.100.7", false, false, "a.localhost"));
    assertNull(h2c.get("Upgrade"));
    assertNull(h2c.get("HTTP2-Settings"));

    MultiMap webSocket = MultiMap.caseInsensitiveMultiMap().add("Connection", "keep-alive, Upgrade").add("Upgrade", "WebSocket");
    assertTrue(ForwardedHeaders.set(webSocket, true, "198.51.100.7", "198.51.100.7", false, false, "a.localhost"));
    assertEquals("WebSocket", webSocket.get("Upgrade"));

    MultiMap post = MultiMap.caseInsensitiveMultiMap().add("Connection", "Upgrade").add("Upgrade", "websocket");
    assertFalse(ForwardedHeaders.set(post, false, "198.51.100.7", "198.51.100.7", false, false, "a.localhost"),
        "only a GET upgrades");
    assertNull(post.get("Upgrade"));
  }

  @Test
  void headersTheConnectionNamesStayOnIt() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Connection", "close, X-Secret").add("X-Secret", "1")
        .add("Connection", "X-Forwarded-For");
    ForwardedHeaders.set(headers, true, "198.51.100.7", "198.51.100.7", false, false, "a.localhost");
    assertNull(headers.get("X-Secret"));
    assertEquals("198.51.100.7", headers.get("X-Forwarded-For"), "a visitor cannot have the relay's own header dropped");
  }
}
