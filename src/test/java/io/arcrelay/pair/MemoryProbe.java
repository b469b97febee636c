package io.arcrelay.pair;

import io.netty.util.internal.PlatformDependent;
import java.lang.management.ManagementFactory;

/** Heap in use after a full collection, plus Netty's direct memory: what a relay in this JVM holds. */
final class MemoryProbe {

  private MemoryProbe() {}

  static long usedAfterGc() {
    System.gc();
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long direct = Math.max(0, PlatformDependent.usedDirectMemory());
    return heap + direct;
  }
}
