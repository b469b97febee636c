package io.arcrelay.tunnel;

import io.arcrelay.tunnel.protocol.LinkMessages;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

import static io.arcrelay.tunnel.VisitorPolicy.Verdict.ALLOW;
import static io.arcrelay.tunnel.VisitorPolicy.Verdict.FORBIDDEN;
import static io.arcrelay.tunnel.VisitorPolicy.Verdict.UNAUTHORIZED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Visitor restrictions as a table: what a hello asks for, what is stored, what each request gets. */
class VisitorPolicyTest {

  private static String basic(String credentials) {
    return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject hello(String basicAuth, String... allow) {
    JsonObject hello = new JsonObject().put("type", "hello").put("v", LinkMessages.VERSION);
    if (basicAuth != null) hello.put("basicAuth", basicAuth);
    if (allow.length > 0) hello.put("allow", new JsonArray(java.util.List.of(allow)));
    return hello;
  }

  @Test
  void aHelloWithoutRestrictionsLetsEveryoneIn() {
    VisitorPolicy open = VisitorPolicy.fromHello(hello(null));
    assertSame(VisitorPolicy.OPEN, open);
    assertEquals(ALLOW, open.decide(null, "198.51.100.1"));
    assertEquals(ALLOW, open.decide("Bearer anything", "::1"));
    assertFalse(open.basicAuth());
    assertEquals(new JsonObject(), open.toJson());
  }

  @Test
  void basicAuthIsCheckedOnEveryRequest() {
    VisitorPolicy policy = VisitorPolicy.fromHello(hello("alice:s3cret:with:colons"));
    assertTrue(policy.basicAuth());
    Object[][] table = {
        {null, UNAUTHORIZED},
        {"", UNAUTHORIZED},
        {basic("alice:s3cret:with:colons"), ALLOW},
        {"basic " + basic("alice:s3cret:with:colons").substring(6), ALLOW}, // the scheme is case-insensitive
        {"BASIC  " + basic("alice:s3cret:with:colons").substring(6) + " ", ALLOW},
        {basic("alice:s3cret"), UNAUTHORIZED},
        {basic("bob:s3cret:with:colons"), UNAUTHORIZED},
        {basic("alice:s3cret:with:colonsX"), UNAUTHORIZED},
        {"Basic not base64!", UNAUTHORIZED},
        {"Bearer " + basic("alice:s3cret:with:colons").substring(6), UNAUTHORIZED},
    };
    for (Object[] row : table) {
      assertEquals(row[1], policy.decide((String) row[0], "203.0.113.7"), String.valueOf(row[0]));
    }
  }

  @Test
  void theAllowlistIsCheckedBeforeTheCredentials() {
    VisitorPolicy policy = VisitorPolicy.fromHello(hello("u:p", "203.0.113.0/24", "2001:db8::/32", "127.0.0.1"));
    Object[][] table = {
        {"203.0.113.7", basic("u:p"), ALLOW},
        {"203.0.113.7", null, UNAUTHORIZED},
        {"203.0.114.1", basic("u:p"), FORBIDDEN},
        {"203.0.114.1", null, FORBIDDEN}, // not asked for a password it could not use
        {"::ffff:203.0.113.9", basic("u:p"), ALLOW}, // an IPv4 client of a dual-stack socket
        {"2001:db8:1::5", basic("u:p"), ALLOW},
        {"2001:db9::5", basic("u:p"), FORBIDDEN},
        {"127.0.0.1", basic("u:p"), ALLOW},
        {"127.0.0.2", basic("u:p"), FORBIDDEN},
        {"not-an-address", basic("u:p"), FORBIDDEN},
    };
    for (Object[] row : table) {
      assertEquals(row[2], policy.decide((String) row[1], (String) row[0]), row[0] + " with " + row[1]);
    }
    VisitorPolicy allowOnly = VisitorPolicy.fromHello(hello(null, "10.1.0.0/16"));
    assertEquals(ALLOW, allowOnly.decide(null, "10.1.200.3"));
    assertEquals(FORBIDDEN, allowOnly.decide(null, "10.2.0.1"));
  }

  @Test
  void badHellosAreRefusedWithAReason() {
    Object[][] table = {
        {hello("nocolon"), "basicAuth must be"},
        {hello(":pass"), "basicAuth must be"},
        {hello("user:"), "basicAuth must be"},
        {hello("us\ner:pass"), "basicAuth must be"},
        {hello("u:" + "p".repeat(VisitorPolicy.MAX_CREDENTIALS_LENGTH)), "basicAuth must be"},
        {hello(null).put("basicAuth", 42), "basicAuth must be"},
        {hello(null, "10.0.0.1/8"), "allow entry '10.0.0.1/8' is not an IP address or CIDR range"},
        {hello(null, "10.0.0.0/33"), "allow entry '10.0.0.0/33'"},
        {hello(null, "example.com"), "allow entry 'example.com'"},
        {hello(null, "010.0.0.1"), "allow entry '010.0.0.1'"},
        {hello(null).put("allow", "10.0.0.0/8"), "allow must be a list"},
        {hello(null).put("allow", new JsonArray().add(7)), "allow entry 7 is not"},
        {hello(null).put("allow", new JsonArray(java.util.Collections.nCopies(VisitorPolicy.MAX_ALLOW_ENTRIES + 1, "10.0.0.0/8"))),
            "allow has more than " + VisitorPolicy.MAX_ALLOW_ENTRIES},
    };
    for (Object[] row : table) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> VisitorPolicy.fromHello((JsonObject) row[0]), row[0].toString());
      assertTrue(refused.getMessage().startsWith((String) row[1]), refused.getMessage());
    }
  }

  @Test
  void theStoredFormKeepsAHashNeverThePasswordAndWorksOnAnyNode() {
    VisitorPolicy policy = VisitorPolicy.fromHello(hello("alice:wonderland", "203.0.113.0/24"));
    JsonObject stored = policy.toJson();
    assertFalse(stored.encode().contains("wonderland"), stored.encode());
    assertFalse(policy.toString().contains(stored.getString("basic").split(":")[1]), "toString shows no hash");
    assertTrue(stored.getString("basic").matches("[A-Za-z0-9_-]{22}:[0-9a-f]{64}"), stored.encode());
    assertEquals(new JsonArray().add("203.0.113.0/24"), stored.getJsonArray("allow"));

    // Read back, as another node would from the tunnel's lease (whose other fields it ignores).
    VisitorPolicy copy = VisitorPolicy.fromJson(stored.copy().put("owner", "abc").put("sessions", new JsonArray()));
    assertEquals(ALLOW, copy.decide(basic("alice:wonderland"), "203.0.113.1"));
    assertEquals(UNAUTHORIZED, copy.decide(basic("alice:wrong"), "203.0.113.1"));
    assertEquals(FORBIDDEN, copy.decide(basic("alice:wonderland"), "198.51.100.1"));
    assertEquals(stored, copy.toJson());
    assertSame(VisitorPolicy.OPEN, VisitorPolicy.fromJson(new JsonObject().put("owner", "abc")));

    // Each hello salts afresh: the same password never gives the same stored hash twice.
    assertNotEquals(stored.getString("basic"), VisitorPolicy.fromHello(hello("alice:wonderland")).toJson().getString("basic"));
    assertThrows(IllegalArgumentException.class, () -> VisitorPolicy.fromJson(new JsonObject().put("basic", "no-colon")));
  }
}
