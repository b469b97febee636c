package io.arcrelay.tunnel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TunnelPagesTest {

  @Test
  void pagesNameTheTunnelEscaped() {
    assertTrue(TunnelPages.offline("myapp").contains("<code>myapp</code> is not online"));
    String page = TunnelPages.badGateway("app", "<script>alert(1)</script> & co");
    assertFalse(page.contains("<script>"), page);
    assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"), page);
  }
}
