package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class TunnelHostTest {

  @Test
  void aNameIsOneLabelUnderTheDomain() {
    assertEquals("myapp", TunnelHost.parse("myapp.localhost", "localhost"));
    assertEquals("myapp", TunnelHost.parse("MyApp.LocalHost:8765", "localhost"));
    assertEquals("my-app-2", TunnelHost.parse("my-app-2.tunnels.example.com.", "tunnels.example.com"));
    assertEquals("x".repeat(63), TunnelHost.parse("x".repeat(63) + ".localhost", "localhost"), "as long as a DNS label");
    assertEquals("7", TunnelHost.parse("7.localhost", "localhost"));
  }

  @Test
  void everythingElseStaysWithThePairRelay() {
    assertNull(TunnelHost.parse(null, "localhost"));
    assertNull(TunnelHost.parse("localhost:8765", "localhost"));
    assertNull(TunnelHost.parse("127.0.0.1:8765", "localhost"));
    assertNull(TunnelHost.parse("[::1]:8765", "localhost"));
    assertNull(TunnelHost.parse("a.b.localhost", "localhost"), "two labels");
    assertNull(TunnelHost.parse("-app.localhost", "localhost"));
    assertNull(TunnelHost.parse("app-.localhost", "localhost"));
    assertNull(TunnelHost.parse("my_app.localhost", "localhost"));
    assertNull(TunnelHost.parse("myapp.notlocalhost", "localhost"));
    assertNull(TunnelHost.parse(".localhost", "localhost"), "no name");
    assertNull(TunnelHost.parse("x".repeat(64) + ".localhost", "localhost"), "longer than a DNS label");
  }
}
