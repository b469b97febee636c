package io.arcrelay.seams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Fails when Vert.x's buffers or frames stop showing the Netty buffer under them. */
class VertxBuffersTest {

  @Test
  void aBufferShowsTheByteBufItWritesInto() {
    Buffer buffer = Buffer.buffer(16).appendString("abc");
    ByteBuf under = VertxBuffers.of(buffer);
    assertNotNull(under);
    assertEquals(3, under.writerIndex());
  }

  @Test
  void aFrameShowsItsPayload() {
    WebSocketFrame frame = WebSocketFrame.binaryFrame(Buffer.buffer("payload"), true);
    ByteBuf payload = VertxBuffers.payload(frame);
    assertNotNull(payload);
    assertEquals("payload", payload.toString(StandardCharsets.UTF_8));
  }
}
