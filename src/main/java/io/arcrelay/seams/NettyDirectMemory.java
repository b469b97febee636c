package io.arcrelay.seams;

import io.netty.util.internal.PlatformDependent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The direct memory Netty holds, from Netty's own counter ({@code PlatformDependent}, internal).
 *
 * <p>Why: it is the one figure that covers every allocator under the relay (pools, reads, frame
 * payloads) against {@code -XX:MaxDirectMemorySize}, the limit a node dies at; the pools' public
 * metrics miss unpooled memory. Netty keeps the counter only when it may build direct buffers itself
 * ({@code scripts/jvm-options}); without it {@link #used()} is -1 and says why at WARN, once.
 * {@code NettyDirectMemoryTest} fails when the counter stops following allocations.
 */
public final class NettyDirectMemory {

  private static final Logger log = LoggerFactory.getLogger(NettyDirectMemory.class);
  private static volatile boolean warned;

  private NettyDirectMemory() {}

  /** Bytes of direct memory Netty has allocated and not freed; -1 when this JVM does not count them. */
  public static long used() {
    long used = PlatformDependent.usedDirectMemory();
    if (used < 0 && !warned) {
      warned = true;
      log.warn("Netty does not count its direct memory in this JVM, so arc_relay_direct_memory_bytes reads -1: "
          + "start the relay with the options of scripts/jvm-options (-Dio.netty.tryReflectionSetAccessible=true "
          + "--add-opens=java.base/java.nio=ALL-UNNAMED)");
    }
    return used;
  }
}
