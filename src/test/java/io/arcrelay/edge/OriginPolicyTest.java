package io.arcrelay.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {

  private final OriginPolicy policy = OriginPolicy.parse(List.of(
      "https://app.example.com", "http://localhost:3000", "https://*.example.org", "http://[::1]:8080"));

  @Test
  void allowsListedOriginsExactly() {
    assertTrue(policy.allows("https://app.example.com"));
    assertTrue(policy.allows("HTTPS://App.Example.COM"), "scheme and host compare case-insensitively");
    assertTrue(policy.allows("http://localhost:3000"));
    assertTrue(policy.allows("http://[::1]:8080"));
    assertFalse(policy.allows("http://app.example.com"), "another scheme");
    assertFalse(policy.allows("https://app.example.com:8443"), "another port");
    assertFalse(policy.allows("http://localhost"), "another port");
    assertFalse(policy.allows("http://localhost:3001"));
    assertFalse(policy.allows("https://app.example.com.evil.net"));
    assertFalse(policy.allows("https://evil.net"));
    assertFalse(policy.allows("https://app.example.com/"), "an origin has no path");
    assertFalse(policy.allows("https://user@app.example.com"));
  }

  @Test
  void normalizesDefaultPorts() {
    assertTrue(policy.allows("https://app.example.com:443"));
    OriginPolicy explicit = OriginPolicy.parse(List.of("http://site.test:80", "https://secure.test:443"));
    assertTrue(explicit.allows("http://site.test"));
    assertTrue(explicit.allows("https://secure.test"));
    assertFalse(explicit.allows("http://secure.test"), "443 is https's default only");
    assertFalse(explicit.allows("https://site.test:80"));
  }

  @Test
  void aWildcardStandsForExactlyOneLabel() {
    assertTrue(policy.allows("https://sub.example.org"));
    assertTrue(policy.allows("https://preview-12.example.org:443"));
    assertFalse(policy.allows("https://example.org"), "the parent itself is not below it");
    assertFalse(policy.allows("https://evil-example.org"));
    assertFalse(policy.allows("https://a.b.example.org"));
    assertFalse(policy.allows("http://sub.example.org"), "the scheme still counts");
    assertFalse(policy.allows("https://*.example.org"), "a wildcard in a request matches nothing");
  }

  @Test
  void requestsWithoutOriginAreAllowedButTheOpaqueOriginIsNot() {
    assertTrue(policy.allows(null), "non-browser clients send no Origin");
    assertFalse(policy.allows("null"));
    assertFalse(policy.allows(""));
    assertFalse(policy.allows("file://"));
  }

  @Test
  void anEmptyListAllowsEveryOrigin() {
    OriginPolicy open = OriginPolicy.parse(List.of());
    for (String origin : Arrays.asList("https://anything.test", "null", "", "not an origin", null)) {
      assertTrue(open.allows(origin), String.valueOf(origin));
    }
  }

  @Test
  void refusesEntriesThatAreNotOriginsNamingThem() {
    for (String bad : Arrays.asList("app.example.com", "https://app.example.com/", "https://app.example.com/path",
        "ftp://files.example.com", "https://", "https://*", "https://a.*.example.com", "https://*.*.example.com",
        "*.example.com", "https://app.example.com:0", "https://app.example.com:65536", "https://app.example.com:",
        "https://exa mple.com", "https://-bad.example.com", "https://*.[::1]", "null", "", null)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> OriginPolicy.parse(Arrays.asList("https://fine.example.com", bad)));
      assertTrue(e.getMessage().startsWith("'" + bad + "' is not an origin"), e.getMessage());
    }
  }
}
