package io.arcrelay.seams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** Fails when Netty's direct-memory counter stops following allocations (the test JVM runs with scripts/jvm-options' Netty flags). */
class NettyDirectMemoryTest {

  @Test
  void theCounterFollowsADirectBufferFromAllocationToRelease() {
    UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true);
    long before = NettyDirectMemory.used();
    assertTrue(before >= 0, "Netty keeps no direct-memory counter in this JVM");
    ByteBuf buffer = allocator.directBuffer(1 << 20);
    try {
      assertTrue(NettyDirectMemory.used() - before >= 1 << 20, "a 1 MiB direct buffer was not counted");
    } finally {
      buffer.release();
    }
    assertEquals(before, NettyDirectMemory.used());
  }
}
