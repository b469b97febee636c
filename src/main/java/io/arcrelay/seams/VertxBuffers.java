package io.arcrelay.seams;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.BufferImpl;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.impl.ws.WebSocketFrameInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty buffers under Vert.x's buffers and frames (Vert.x 5.0.10's {@code BufferImpl} and
 * {@code WebSocketFrameInternal}).
 *
 * <p>Why: a relayed payload is handed on and freed by the relay without a copy (relay CPU per GB
 * -20 to -25 % for 64 KiB messages, docs/benchmarks.md, session 9), and a cluster link record grows
 * to exactly its size instead of the next power of two. {@code VertxBuffersTest} fails when either
 * stops reaching its buffer. Callers treat null as "not ours": a payload is then never freed by the
 * relay (FramePayloads' direct memory leaks), a record grows as Vert.x grows it; the first miss is
 * logged at WARN.
 */
public final class VertxBuffers {

  private static final Logger log = LoggerFactory.getLogger(VertxBuffers.class);
  private static volatile boolean warned;

  private VertxBuffers() {}

  /** The Netty buffer under {@code frame}'s payload, as Netty decoded it; null if not reachable. */
  public static ByteBuf payload(WebSocketFrame frame) {
    if (frame instanceof WebSocketFrameInternal internal) return internal.getBinaryData().unwrap();
    missed(frame);
    return null;
  }

  /** The Netty buffer {@code buffer} writes into; null if not reachable. */
  public static ByteBuf of(Buffer buffer) {
    if (buffer instanceof BufferImpl impl) return impl.byteBuf();
    missed(buffer);
    return null;
  }

  private static void missed(Object what) {
    if (warned || what == null) return;
    warned = true;
    log.warn("a {} hides its Netty buffer: relayed payloads are not freed when written, link records grow as Vert.x grows them",
        what.getClass().getName());
  }
}
