package io.arcrelay.bench;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The fuzz's cases, drawn from a seeded {@link Random}: the same seed gives the same cases in the
 * same order, so a failing run can be replayed. A third of the connections send a mutated upgrade
 * request ({@link FuzzRequests}), half of those followed by frames in case it was taken anyway; the
 * rest upgrade properly and send a random frame stream ({@link FuzzFrames}).
 */
public final class FuzzCases {

  private FuzzCases() {}

  /**
   * The next case. Its pair code is {@code codePrefix} plus one of {@code codes} numbers, so
   * connections running at the same time collide: pairs form (their frames are relayed to another
   * fuzz connection) and third comers are refused with 409.
   */
  public static FuzzCase next(Random random, String codePrefix, int codes) {
    String code = codePrefix + random.nextInt(codes);
    Buffer bytes;
    boolean mutated = random.nextInt(3) == 0;
    if (mutated) {
      bytes = FuzzRequests.mutated(random, code);
      if (random.nextBoolean()) bytes.appendBuffer(FuzzFrames.stream(random));
    } else {
      bytes = FuzzRequests.valid(random, code).appendBuffer(FuzzFrames.stream(random));
    }
    boolean hangUp = random.nextInt(5) == 0;
    if (hangUp && random.nextBoolean() && bytes.length() > 1) {
      bytes = bytes.getBuffer(0, 1 + random.nextInt(bytes.length() - 1)); // gone mid-request or mid-frame
    }
    return new FuzzCase(split(random, bytes), hangUp, !mutated && !hangUp);
  }

  /** Cuts {@code bytes} at up to five random points. */
  private static List<Buffer> split(Random random, Buffer bytes) {
    int[] cuts = random.ints(random.nextInt(6), 0, bytes.length() + 1).sorted().toArray();
    List<Buffer> writes = new ArrayList<>();
    int from = 0;
    for (int cut : cuts) {
      if (cut > from) writes.add(bytes.getBuffer(from, cut));
      from = Math.max(from, cut);
    }
    if (from < bytes.length()) writes.add(bytes.getBuffer(from, bytes.length()));
    return writes;
  }
}
