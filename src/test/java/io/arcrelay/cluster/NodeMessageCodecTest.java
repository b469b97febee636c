package io.arcrelay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** Every kind of link message comes back from the wire as it was sent, wherever its body starts. */
class NodeMessageCodecTest {

  private final NodeMessage.Codec codec = new NodeMessage.Codec();

  @Test
  void everyKindRoundTrips() {
    Buffer payload = Buffer.buffer("payload bytes, ünïcode too");
    for (NodeMessage sent : new NodeMessage[] {
        NodeMessage.frame(42, 7, NodeMessage.FINAL | NodeMessage.CONTINUATION, payload),
        NodeMessage.credit(42, 1L << 40),
        NodeMessage.join(42, "node-b", "router-b/9"),
        NodeMessage.close(42, 8, 1011, "peer link lost")}) {
      Buffer wire = Buffer.buffer("what the event bus writes before the body");
      int bodyAt = wire.length();
      codec.encodeToWire(wire, sent);
      NodeMessage received = codec.decodeFromWire(bodyAt, wire);
      assertEquals(sent.kind(), received.kind());
      assertEquals(sent.conn(), received.conn());
      assertEquals(sent.number(), received.number());
      assertEquals(sent.small(), received.small());
      assertEquals(sent.first(), received.first());
      assertEquals(sent.second(), received.second());
      assertEquals(sent.payload(), received.payload());
    }
  }
}
