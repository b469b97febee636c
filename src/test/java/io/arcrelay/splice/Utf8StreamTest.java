package io.arcrelay.splice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8StreamTest {

  private final Utf8Stream stream = new Utf8Stream();

  @Test
  void acceptsValidTextSplitAtEveryByte() {
    byte[] text = "a\u00e9\u20ac\ud834\udd1e\u07ff\uffff\udbff\udfffz".getBytes(StandardCharsets.UTF_8);
    for (int split = 0; split <= text.length; split++) {
      assertTrue(stream.accept(Buffer.buffer(Arrays.copyOfRange(text, 0, split))), "first part, split at " + split);
      assertTrue(stream.accept(Buffer.buffer(Arrays.copyOfRange(text, split, text.length))), "second part, split at " + split);
      assertTrue(stream.end(), "split at " + split);
    }
  }

  @Test
  void acceptsEmptyMessagesAndEmptyFragments() {
    assertTrue(stream.end());
    assertTrue(stream.accept(Buffer.buffer()));
    assertTrue(stream.end());
  }

  @Test
  void acceptsTheEdgesOfEachRange() {
    for (String hex : new String[] {"00", "7f", "c280", "dfbf", "e0a080", "ed9fbf", "ee8080", "efbfbf", "f0908080",
        "f48fbfbf", "f3bfbfbf"}) {
      assertTrue(stream.accept(bytes(hex)), hex);
      assertTrue(stream.end(), hex);
    }
  }

  @Test
  void rejectsEachInvalidClassAtTheFirstBadByte() {
    String[][] cases = {
        // {why, valid prefix, the byte that makes it invalid}
        {"stray continuation", "", "80"},
        {"stray continuation after a character", "c3a9", "bf"},
        {"overlong two-byte lead", "", "c0"},
        {"overlong two-byte lead", "", "c1"},
        {"overlong three-byte", "e0", "9f"},
        {"overlong four-byte", "f0", "8f"},
        {"surrogate", "ed", "a0"},
        {"surrogate", "ed", "bf"},
        {"past U+10FFFF", "f4", "90"},
        {"past U+10FFFF lead", "", "f5"},
        {"past U+10FFFF lead", "", "ff"},
        {"ASCII where a continuation belongs", "c3", "28"},
        {"ASCII where a second continuation belongs", "e282", "28"},
        {"ASCII where a third continuation belongs", "f09f98", "41"},
        {"lead where a continuation belongs", "e2", "e2"},
    };
    for (String[] c : cases) {
      assertTrue(stream.accept(bytes(c[1])), c[0] + ": prefix " + c[1]);
      assertFalse(stream.accept(bytes(c[2])), c[0] + ": " + c[1] + c[2]);
      assertFalse(stream.accept(bytes("41")), c[0] + ": stays invalid for the rest of the message");
      assertFalse(stream.end(), c[0]);
      assertTrue(stream.accept(bytes("41")), "the next message starts afresh");
      assertTrue(stream.end());
    }
  }

  @Test
  void rejectsAMessageEndingInsideACharacter() {
    for (String hex : new String[] {"c3", "e282", "f09f98", "41f0"}) {
      assertTrue(stream.accept(bytes(hex)), hex);
      assertFalse(stream.end(), hex);
      assertFalse(stream.accept(bytes("a9")), "the next message does not continue the cut character");
      assertFalse(stream.end());
    }
  }

  /**
   * Compares with the JDK's decoder on random byte strings, made mostly of valid characters with
   * stray bytes mixed in so that both outcomes are common, fed in up to four fragments. After each
   * fragment the stream must accept exactly when some continuation could still make the message
   * valid, and at the end exactly when the JDK decodes the whole message.
   */
  @Test
  void agreesWithTheJdkDecoderOnRandomText() {
    Random random = new Random(20240611);
    int valid = 0;
    for (int n = 0; n < 5000; n++) {
      byte[] message = randomText(random);
      int[] cuts = random.ints(random.nextInt(4), 0, message.length + 1).sorted().toArray();
      int from = 0;
      for (int i = 0; i <= cuts.length; i++) {
        int to = i < cuts.length ? cuts[i] : message.length;
        boolean canContinue = canStartValidText(Arrays.copyOf(message, to));
        assertEquals(canContinue, stream.accept(Buffer.buffer(Arrays.copyOfRange(message, from, to))),
            () -> HexFormat.of().formatHex(message) + " up to " + to);
        from = to;
      }
      boolean decodes = decodes(message);
      assertEquals(decodes, stream.end(), () -> HexFormat.of().formatHex(message));
      if (decodes) valid++;
    }
    assertTrue(valid > 500 && valid < 4500, "both outcomes are exercised: " + valid + " valid of 5000");
  }

  private static byte[] randomText(Random random) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int pieces = random.nextInt(12); pieces > 0; pieces--) {
      int kind = random.nextInt(20);
      if (kind == 0) {
        out.write(random.nextInt(256));
      } else if (kind == 1) {
        // Bytes at the edges of the ranges, where off-by-one mistakes live.
        int[] edges = {0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5};
        out.write(edges[random.nextInt(edges.length)]);
      } else if (kind == 2) {
        // Any lead with continuation bytes: overlongs, surrogates and code points past U+10FFFF.
        out.write(0xc0 + random.nextInt(0x40));
        for (int more = random.nextInt(4); more > 0; more--) out.write(0x80 + random.nextInt(0x40));
      } else {
        int codePoint = randomCodePoint(random);
        out.writeBytes(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toByteArray();
  }

  private static int randomCodePoint(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> random.nextInt(0x80);
      case 1 -> 0x80 + random.nextInt(0x800 - 0x80);
      case 2 -> {
        int bmp = 0x800 + random.nextInt(0x10000 - 0x800 - 0x800);
        yield bmp < 0xD800 ? bmp : bmp + 0x800;
      }
      default -> 0x10000 + random.nextInt(0x110000 - 0x10000);
    };
  }

  /** Whether the JDK decodes the bytes, with errors reported rather than replaced. */
  private static boolean decodes(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /**
   * Whether some continuation makes {@code prefix} valid. A cut character needs at most three more
   * bytes; if any next byte works, one of 0x80, 0x90 or 0xA0 does (a lead narrows the range to
   * 80-8F, 80-9F, 90-BF or A0-BF), and 0x80 does for the bytes after it.
   */
  private static boolean canStartValidText(byte[] prefix) {
    if (decodes(prefix)) return true;
    for (int second : new int[] {0x80, 0x90, 0xa0}) {
      for (int more = 1; more <= 3; more++) {
        byte[] completed = Arrays.copyOf(prefix, prefix.length + more);
        completed[prefix.length] = (byte) second;
        for (int i = prefix.length + 1; i < completed.length; i++) completed[i] = (byte) 0x80;
        if (decodes(completed)) return true;
      }
    }
    return false;
  }

  private static Buffer bytes(String hex) {
    return Buffer.buffer(HexFormat.of().parseHex(hex));
  }
}
