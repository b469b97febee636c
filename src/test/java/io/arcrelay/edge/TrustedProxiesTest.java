package io.arcrelay.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

  private final TrustedProxies proxies = TrustedProxies.parse(List.of("10.0.0.0/8", " 127.0.0.1 ", "::1", "fd00::/8"));

  @Test
  void matchesAddressesAndRanges() {
    assertTrue(proxies.trusts("10.0.0.0"));
    assertTrue(proxies.trusts("10.255.255.255"));
    assertFalse(proxies.trusts("11.0.0.0"));
    assertFalse(proxies.trusts("9.255.255.255"));
    assertTrue(proxies.trusts("127.0.0.1"));
    assertFalse(proxies.trusts("127.0.0.2"));
    assertTrue(proxies.trusts("::1"));
    assertTrue(proxies.trusts("0:0:0:0:0:0:0:1"), "IPv6 text is compared as an address");
    assertFalse(proxies.trusts("::2"));
    assertTrue(proxies.trusts("fd00::1"));
    assertTrue(proxies.trusts("FDFF:FFFF::FFFF"));
    assertFalse(proxies.trusts("fe00::"));
    assertTrue(proxies.trusts("::ffff:10.1.2.3"), "IPv4-mapped is its IPv4 address");
    assertFalse(proxies.trusts("not-an-ip"));
    assertFalse(proxies.trusts(""));
  }

  @Test
  void ignoresAnIpv6Zone() {
    assertTrue(TrustedProxies.parse(List.of("fe80::/10")).trusts("fe80::1%eth0"));
    assertEquals("fe80::1", proxies.clientIp("fe80::1%eth0", null));
  }

  @Test
  void prefixesCutInsideAByte() {
    TrustedProxies narrow = TrustedProxies.parse(List.of("192.168.4.0/22", "2001:db8:8000::/33", "0.0.0.0/0"));
    assertTrue(narrow.trusts("1.2.3.4"), "/0 is every IPv4 address");
    assertFalse(narrow.trusts("2001:db8::1"), "and no IPv6 one");
    assertTrue(narrow.trusts("2001:db8:ffff::1"));
    assertFalse(narrow.trusts("2001:db8:7fff::1"));
    TrustedProxies v4 = TrustedProxies.parse(List.of("192.168.4.0/22"));
    assertTrue(v4.trusts("192.168.7.255"));
    assertFalse(v4.trusts("192.168.8.0"));
    assertFalse(v4.trusts("192.168.3.255"));
  }

  @Test
  void refusesEntriesThatAreNotLiteralsNamingThem() {
    List<String> bad = List.of("localhost", "example.com", "", "10.0.0.0/33", "::1/129", "10.0.0.0/", "/8",
        "10.0.0.0/-1", "10.0.0.0/8/8", "1.2.3", "1.2.3.4.5", "256.0.0.1", "010.0.0.1", "1.2.3.4:80", "[::1]",
        "1::2::3", ":::", "1:2:3:4:5:6:7:8:9", "12345::", "g::", "1.2.3.4::", "::1.2.3", "１.2.3.4");
    for (String entry : bad) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TrustedProxies.parse(List.of("127.0.0.1", entry)), entry);
      assertTrue(e.getMessage().contains("'" + entry + "'"), e.getMessage());
    }
    IllegalArgumentException hostBits = assertThrows(IllegalArgumentException.class,
        () -> TrustedProxies.parse(List.of("10.0.0.1/8")));
    assertTrue(hostBits.getMessage().contains("past its prefix"), hostBits.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse(List.of("fd00::1/8")));
  }

  @Test
  void acceptsEveryIpv6TextForm() {
    TrustedProxies forms = TrustedProxies.parse(List.of("::", "1:2:3:4:5:6:7:8", "1::", "::ffff:0:0:1",
        "1:2:3:4:5:6:1.2.3.4", "64:ff9b::192.0.2.1", "2001:DB8::/32"));
    assertTrue(forms.trusts("0:0:0:0:0:0:0:0"));
    assertTrue(forms.trusts("1:2:3:4:5:6:7:8"));
    assertTrue(forms.trusts("1:0::0"));
    assertTrue(forms.trusts("1:2:3:4:5:6:102:304"));
    assertTrue(forms.trusts("64:ff9b::c000:201"));
    assertTrue(forms.trusts("2001:db8:1::"));
  }

  @Test
  void anUntrustedPeerIsTheClientWhateverItForwards() {
    assertEquals("203.0.113.9", proxies.clientIp("203.0.113.9", "198.51.100.7"));
    assertEquals("203.0.113.9", proxies.clientIp("203.0.113.9", null));
    assertEquals("2001:db8::1", proxies.clientIp("2001:0DB8:0:0:0:0:0:1", "198.51.100.7"), "in canonical text");
    assertEquals("1.2.3.4", proxies.clientIp("::ffff:1.2.3.4", "198.51.100.7"));
    assertEquals("unix:/run/relay.sock", proxies.clientIp("unix:/run/relay.sock", "198.51.100.7"), "not an IP: as is");
  }

  @Test
  void aTrustedPeerWithoutForwardingIsTheClient() {
    assertEquals("10.0.0.2", proxies.clientIp("10.0.0.2", null));
    assertEquals("::1", proxies.clientIp("0:0:0:0:0:0:0:1", null));
    assertEquals("10.0.0.2", proxies.clientIp("10.0.0.2", ""));
  }

  @Test
  void walksTrustedProxiesFromTheRight() {
    assertEquals("198.51.100.7", proxies.clientIp("10.0.0.2", "198.51.100.7"));
    assertEquals("198.51.100.7", proxies.clientIp("10.0.0.2", "198.51.100.7, 10.0.0.1"));
    assertEquals("198.51.100.7", proxies.clientIp("127.0.0.1", "198.51.100.7,10.9.9.9 ,  ::1"));
    assertEquals("10.0.0.5", proxies.clientIp("10.0.0.2", "10.0.0.5, 10.0.0.1"), "all trusted: the leftmost");
  }

  @Test
  void ignoresWhatTheClientWroteBeforeTheFirstTrustedProxy() {
    assertEquals("198.51.100.7", proxies.clientIp("10.0.0.2", "6.6.6.6, 10.0.0.9, 198.51.100.7, 10.0.0.1"));
    assertEquals("198.51.100.7", proxies.clientIp("10.0.0.2", "garbage, 198.51.100.7"));
  }

  @Test
  void readsSeveralHeadersJoined() {
    String joined = String.join(",", List.of("6.6.6.6, 198.51.100.7", "10.0.0.1"));
    assertEquals("198.51.100.7", proxies.clientIp("10.0.0.2", joined));
  }

  @Test
  void readsPortsBracketsAndIpv6() {
    assertEquals("198.51.100.7", proxies.clientIp("10.0.0.2", "198.51.100.7:5678"));
    assertEquals("2001:db8::7", proxies.clientIp("10.0.0.2", "[2001:db8::7]:443"));
    assertEquals("2001:db8::7", proxies.clientIp("::1", " [2001:DB8:0:0::7] , [fd00::1]:80"));
    assertEquals("2001:db8::7", proxies.clientIp("fd12::3", "2001:db8:0:0:0:0:0:7"));
    assertEquals("198.51.100.7", proxies.clientIp("10.0.0.2", "\t198.51.100.7\t"));
    assertEquals("198.51.100.7", proxies.clientIp("10.0.0.2", "[::ffff:198.51.100.7]:1"));
  }

  @Test
  void stopsAtMalformedEntriesKeepingTheLastAddressBelieved() {
    assertEquals("10.0.0.1", proxies.clientIp("10.0.0.2", "198.51.100.7, garbage, 10.0.0.1"));
    assertEquals("10.0.0.1", proxies.clientIp("10.0.0.2", "198.51.100.7,,10.0.0.1"));
    assertEquals("10.0.0.2", proxies.clientIp("10.0.0.2", "198.51.100.7, unknown"));
    assertEquals("10.0.0.2", proxies.clientIp("10.0.0.2", "198.51.100.7, "));
    assertEquals("10.0.0.2", proxies.clientIp("10.0.0.2", ","));
    for (String bad : List.of("1.2.3.4:", "1.2.3.4:123456", "1.2.3.4:80x", "[::1", "[::1]x", "[::1]:", "::1]:80",
        "example.com", "example.com:80", "01.2.3.4", "1.2.3.4 5.6.7.8")) {
      assertEquals("10.0.0.2", proxies.clientIp("10.0.0.2", bad), bad);
    }
  }

  @Test
  void readsAtMost32EntriesOfAHugeHeader() {
    String trustedHops = String.join(", ", Collections.nCopies(31, "10.0.0.1"));
    assertEquals("198.51.100.7", proxies.clientIp("10.0.0.2", "198.51.100.7, " + trustedHops));
    assertEquals("10.0.0.1", proxies.clientIp("10.0.0.2", "198.51.100.7, 10.0.0.1, " + trustedHops),
        "the 33rd entry is not read");

    String flood = String.join(",", Collections.nCopies(200_000, "10.0.0.1"));
    assertEquals("10.0.0.1", proxies.clientIp("10.0.0.2", "198.51.100.7," + flood));
    assertEquals("10.0.0.2", proxies.clientIp("10.0.0.2", "1".repeat(1_000_000)));
    assertEquals("1.2.3.4", proxies.clientIp("10.0.0.2", "1.2.3.4" + " ".repeat(100_000)), "spaces are not the entry");
  }
}
