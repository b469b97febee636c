package io.arcrelay.pair;

import static io.arcrelay.TestClient.join;
import static io.arcrelay.TestClient.refused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arcrelay.Await;
import io.arcrelay.FramePump;
import io.arcrelay.RawWebSocket;
import io.arcrelay.SequenceCheck;
import io.arcrelay.TestClient;
import io.arcrelay.TestRelays;
import io.arcrelay.config.RelayConfig;
import io.arcrelay.config.Setting;
import io.arcrelay.splice.FramePayloads;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pair protocol as a client sees it. Subclasses decide where the relay runs and which endpoint
 * each side connects to (one node, or A and B on different cluster nodes); the assertions are the
 * same everywhere.
 */
public abstract class PairProtocolSuite {

  protected Vertx clientVertx;
  protected WebSocketClient client;
  /** Shared by every test: a code is never reused, even while a stopped relay's pair is being removed. */
  private static final AtomicInteger CODES = new AtomicInteger();
  private long payloadsBefore;

  /** Starts the relay (or relays) with {@code config}, replacing any running one. */
  protected abstract void startRelay(RelayConfig config);

  protected abstract void stopRelay();

  /** Payload bytes the relay (every node of it) holds for its clients now, as its memory budget counts them. */
  protected abstract long relayMemory();

  /** Where side A (the first to arrive) connects for {@code code}. */
  protected abstract String uriA(String code);

  /** Where side B and any later arrival connect for {@code code}. */
  protected abstract String uriB(String code);

  /**
   * Whether the bytes of a pair take a path of their own here, so that the heavy-data tests (200 MiB
   * to a stopped reader, 6 and 4 frames of 16 MiB, 64 MiB under back-pressure) prove something the
   * other suites do not. There are two such paths: the splice between two {@code RelaySocket}s of one
   * node ({@link SingleNodePairProtocolTest}) and the credit window of a {@code RemotePeer} between
   * nodes ({@code ClusteredPairProtocolTest}). Both sides on one node of a cluster take the first path
   * again, so that suite answers false and skips them.
   */
  protected boolean ownDataPath() {
    return true;
  }

  /** Skips a heavy-data test where {@link #ownDataPath()} says another suite already proves it. */
  private void heavyData() {
    assumeTrue(ownDataPath(), "the same data path as SingleNodePairProtocolTest, which runs this test");
  }

  @BeforeEach
  void startDefaultRelay() {
    payloadsBefore = FramePayloads.inUse();
    clientVertx = Vertx.vertx();
    client = TestClient.newClient(clientVertx);
    startRelay(TestRelays.config());
  }

  @AfterEach
  void stopEverything() {
    // Clients first: a raw socket that never answers the relay's close frame would otherwise hold
    // the relay's stop for its whole shutdown grace (5 s).
    clientVertx.close().await();
    stopRelay();
    // Every test is also a check that the relay frees each frame payload it took (FramePayloads),
    // whether written, dropped, held and discarded, or lost with a closing socket.
    // Compared with the start of the test, so that a leak fails the test that made it, not every later one.
    Await.until("frame payload memory back to where it was", () -> FramePayloads.inUse() <= payloadsBefore);
  }

  protected String newCode() {
    return "code-" + getClass().getSimpleName() + "-" + CODES.incrementAndGet();
  }

  protected TestClient[] pair(String code) {
    TestClient a = join(client, uriA(code));
    TestClient b = join(client, uriB(code));
    return new TestClient[] {a, b};
  }

  private static Buffer randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return Buffer.buffer(bytes);
  }

  @Test
  void binaryMessagesOfEverySizeRoundTripVerbatim() {
    TestClient[] p = pair(newCode());
    int[] sizes = {0, 1, 125, 126, 65535, 65536, 4 * 1024 * 1024};
    for (int size : sizes) {
      Buffer toB = randomBytes(size, size);
      Buffer toA = randomBytes(size, -size);
      p[0].send(toB);
      p[1].send(toA);
      assertArrayEquals(toB.getBytes(), p[1].next().getBytes(), "A->B " + size + " bytes");
      assertArrayEquals(toA.getBytes(), p[0].next().getBytes(), "B->A " + size + " bytes");
    }
  }

  @Test
  void aMessageFragmentedIntoSixtyFourFramesIsForwardedFrameByFrame() {
    TestClient[] p = pair(newCode());
    Buffer big = randomBytes(4 * 1024 * 1024, 7);
    int frameSize = 64 * 1024;
    for (int offset = 0; offset < big.length(); offset += frameSize) {
      Buffer part = big.slice(offset, offset + frameSize);
      boolean last = offset + frameSize == big.length();
      p[0].ws().writeFrame(offset == 0
          ? WebSocketFrame.binaryFrame(part, last)
          : WebSocketFrame.continuationFrame(part, last));
    }
    assertArrayEquals(big.getBytes(), p[1].next().getBytes());
  }

  @Test
  void textIsDroppedWholeAndBinaryAfterItFlows() {
    TestClient[] p = pair(newCode());
    p[0].ws().writeTextMessage("dropped").await();
    p[0].ws().writeTextMessage("x".repeat(64 * 1024)).await(); // a large one too: its payload is freed, not forwarded
    p[0].ws().writeFrame(WebSocketFrame.textFrame("split ", false)).await();
    p[0].ws().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("text"), true)).await();
    p[0].ws().writeFrame(WebSocketFrame.binaryFrame(Buffer.buffer("bin-"), false)).await();
    p[0].ws().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("ary"), true)).await();
    assertEquals("bin-ary", p[1].next().toString());
    assertTrue(p[1].hasNoMessages());
    assertTrue(p[0].isOpen());
    p[1].assertReaches(p[0], "still open");
  }

  @Test
  void aThirdConnectionGets409BeforeTheUpgrade() {
    String code = newCode();
    TestClient[] p = pair(code);
    UpgradeRejectedException e = refused(client, uriB(code));
    assertEquals(409, e.getStatus());
    assertEquals("pair is full", e.getBody().toString().trim());
    p[0].assertReaches(p[1], "unaffected");
  }

  @Test
  void malformedCodesGet400BeforeTheUpgrade() {
    String base = uriA("x").substring(0, uriA("x").indexOf('?'));
    String[] queries = {"", "?other=1", "?pair=", "?pair=" + "x".repeat(257), "?pair=%01ctl", "?pair=a&pair=b"};
    for (String query : queries) {
      UpgradeRejectedException e = refused(client, base + query);
      assertEquals(400, e.getStatus(), "status for '" + query + "'");
      assertTrue(e.getBody().length() > 0, "a reason for '" + query + "'");
    }
    // A URI library refuses to send a broken escape; a raw request gets the same answer.
    RawWebSocket broken = RawWebSocket.open(clientVertx, base, "127.0.0.1");
    broken.upgrade(base + "?pair=%zz", "");
    assertTrue(broken.answer().startsWith("HTTP/1.1 400"), broken.answer());
    TestClient[] longest = pair("x".repeat(256));
    longest[0].assertReaches(longest[1], "the longest code pairs");
  }

  @Test
  void fiftyRacingConnectionsMakeExactlyOnePair() {
    String code = newCode();
    List<Future<TestClient>> attempts = new ArrayList<>();
    for (int i = 0; i < 50; i++) attempts.add(TestClient.connect(client, i % 2 == 0 ? uriA(code) : uriB(code)));
    Future.join(attempts).otherwiseEmpty().await();
    List<TestClient> accepted = new ArrayList<>();
    int full = 0;
    for (Future<TestClient> f : attempts) {
      if (f.succeeded()) {
        accepted.add(f.result());
      } else if (f.cause() instanceof UpgradeRejectedException e && e.getStatus() == 409) {
        full++;
      }
    }
    assertEquals(2, accepted.size(), "accepted");
    assertEquals(48, full, "409s");
    accepted.get(0).assertReaches(accepted.get(1), "the one pair works");
  }

  @Test
  void aSideBThatHangsUpDuringItsUpgradeEndsThePair() {
    String code = newCode();
    TestClient a = join(client, uriA(code));
    RawWebSocket hangingUp = RawWebSocket.open(clientVertx, uriB(code), "127.0.0.1");
    hangingUp.upgrade(uriB(code), "").await();
    hangingUp.close().await(); // without waiting for the answer
    // 1000 if the relay saw B's close, 1011 if it saw a reset: either way A is not left waiting.
    int closeCode = a.awaitClose().code();
    assertTrue(closeCode == 1000 || closeCode == 1011, "A closed as its peer left, with " + closeCode);
    TestClient[] again = pair(code);
    again[0].assertReaches(again[1], "the code is free again");
  }

  @Test
  void twentyThousandMessagesArriveInOrder() {
    TestClient[] p = pair(newCode());
    int count = 20_000;
    SequenceCheck check = new SequenceCheck(8);
    p[1].ws().binaryMessageHandler(check::accept);
    clientVertx.runOnContext(v -> sendSequence(p[0], 0, count));
    Await.until("all " + count + " messages arrive", () -> check.messages() == count);
    assertEquals(0, check.outOfOrder(), "messages out of order");
  }

  /** Sends numbered messages from..count, respecting the socket's back-pressure. */
  private static void sendSequence(TestClient sender, int from, int count) {
    int i = from;
    while (i < count && !sender.ws().writeQueueFull()) sender.ws().writeBinaryMessage(SequenceCheck.numbered(i++, 8));
    if (i < count) {
      int next = i;
      sender.ws().drainHandler(v -> sendSequence(sender, next, count));
    }
  }

  @Test
  void framesSentBeforeThePeerJoinsAreHeldAndDeliveredInOrder() {
    String code = newCode();
    TestClient a = join(client, uriA(code));
    for (int i = 0; i < 3; i++) a.send(Buffer.buffer("early-" + i));
    TestClient b = join(client, uriB(code));
    for (int i = 0; i < 3; i++) assertEquals("early-" + i, b.next().toString());
    a.assertReaches(b, "live");
  }

  @Test
  void moreThanTheHoldLimitBeforeThePeerJoinsIsDeliveredWhole() {
    startRelay(TestRelays.config(Setting.HOLD_LIMIT, "64KiB"));
    String code = newCode();
    TestClient a = join(client, uriA(code));
    int messages = 80; // 80 x 64 KiB = 5 MiB against a 64 KiB hold limit
    for (int i = 0; i < messages; i++) a.ws().writeBinaryMessage(randomBytes(65536, i));
    TestClient b = join(client, uriB(code));
    for (int i = 0; i < messages; i++) assertArrayEquals(randomBytes(65536, i).getBytes(), b.next().getBytes());
  }

  @Test
  void closingOneSideClosesThePeerWith1000AndFreesTheCode() {
    closingSideClosesThePeerWith1000AndFreesTheCode(0);
  }

  /** Across nodes, side B's node removes the pair's entry whichever side ends it. */
  @Test
  void closingSideBClosesSideAWith1000AndFreesTheCode() {
    closingSideClosesThePeerWith1000AndFreesTheCode(1);
  }

  private void closingSideClosesThePeerWith1000AndFreesTheCode(int leaving) {
    String code = newCode();
    TestClient[] p = pair(code);
    p[leaving].close();
    p[1 - leaving].assertClosedWith(1000, "peer disconnected");
    // Across nodes the close reaches the peer's client while B's node is still removing the pair's
    // entry from the cluster map (one operation, after the side left): a claim may see 409 until then.
    TestClient[] again = Await.eventually(() -> pair(code));
    again[1 - leaving].assertReaches(again[leaving], "reused");
  }

  @Test
  void aWaitingSideThatLeavesFreesTheCode() {
    // At once, several times: a clustered node may still be releasing the entry of the side that left.
    for (int i = 0; i < 10; i++) {
      String code = newCode();
      join(client, uriA(code)).close();
      TestClient[] p = pair(code);
      p[0].assertReaches(p[1], "fresh pair " + i);
      p[0].close();
      p[1].close();
    }
  }

  @Test
  void aWaitingSideLeavesAtItsCloseFrameNotAtTheEndOfItsConnection() throws IOException {
    String code = newCode();
    URI uri = URI.create(uriA(code));
    // A plain socket: unlike a Vert.x one it stays open after the relay's close frame and FIN, so the
    // relay lingers on the connection; the code must be free all the same.
    try (Socket leaving = new Socket(uri.getHost(), uri.getPort())) {
      leaving.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestClient.WAIT_SECONDS));
      leaving.getOutputStream().write(RawWebSocket.upgradeRequest(uriA(code), "").getBytes());
      readUntil(leaving.getInputStream(), "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      leaving.getOutputStream().write(RawWebSocket.frame(0x82, Buffer.buffer(new byte[4096])).getBytes());
      Await.until("a frame held for the peer", () -> relayMemory() == 4096);
      leaving.getOutputStream().write(RawWebSocket.frame(0x88, Buffer.buffer().appendShort((short) 1000)).getBytes());
      readUntil(leaving.getInputStream(), new byte[] {(byte) 0x88}); // the relay's close frame
      Await.until("what it held freed while its connection lingers", () -> relayMemory() == 0);
      TestClient[] p = pair(code);
      p[0].assertReaches(p[1], "a fresh pair, not the side that left");
    }
  }

  /** Reads {@code in} up to and including {@code marker}. */
  private static void readUntil(InputStream in, byte[] marker) throws IOException {
    int matched = 0;
    while (matched < marker.length) {
      int b = in.read();
      if (b < 0) throw new AssertionError("connection ended before " + Arrays.toString(marker));
      matched = b == (marker[matched] & 0xff) ? matched + 1 : (b == (marker[0] & 0xff) ? 1 : 0);
    }
  }

  @Test
  void aWaitingSideThatLeavesTakesWhatItHeldWithIt() {
    String code = newCode();
    TestClient a = join(client, uriA(code));
    for (int i = 0; i < 3; i++) a.ws().writeBinaryMessage(randomBytes(65536, i));
    Await.until("3 frames held for the peer", () -> relayMemory() == 3 * 65536);
    a.close();
    Await.until("the held frames freed", () -> relayMemory() == 0);
    TestClient[] p = pair(code);
    p[0].assertReaches(p[1], "fresh pair, nothing of the old one");
  }

  @Test
  void aSideWaitingLongerThanTheTtlIsClosedWith1001() {
    startRelay(TestRelays.config(Setting.PAIR_TTL, "300ms"));
    String code = newCode();
    TestClient a = join(client, uriA(code));
    a.assertClosedWith(1001, "pair expired");
    TestClient[] p = pair(code);
    p[0].assertReaches(p[1], "code free again");
  }

  @Test
  void aCompletePairDoesNotExpire() {
    startRelay(TestRelays.config(Setting.PAIR_TTL, "300ms"));
    TestClient[] p = pair(newCode());
    TestClient lonely = join(client, uriA(newCode()));
    lonely.assertClosedWith(1001, "pair expired"); // the TTL has passed for the complete pair too
    p[0].assertReaches(p[1], "still paired");
  }

  @Test
  void anOversizeMessageClosesItsSenderWith1009AndThePeerWith1000() {
    startRelay(TestRelays.config(Setting.MAX_MESSAGE_SIZE, "1MiB"));
    String code = newCode();
    TestClient[] p = pair(code);
    p[0].send(randomBytes(1024 * 1024, 1)); // exactly the limit is fine
    assertEquals(1024 * 1024, p[1].next().length());
    p[0].ws().writeBinaryMessage(randomBytes(1024 * 1024 + 1, 2)); // sent as 17 frames of at most 64 KiB
    p[0].assertClosedWith(1009, "message too big");
    p[1].assertClosedWith(1000, "peer disconnected");
    TestClient[] again = pair(code);
    again[0].assertReaches(again[1], "code reusable");
  }

  @Test
  void aReaderThatStopsReadingBoundsTheRelayAndSparesOtherPairs() {
    heavyData();
    long total = 200L * 1024 * 1024;
    int messageSize = 64 * 1024;
    TestClient[] stalled = pair(newCode());
    TestClient[] other = pair(newCode());
    SequenceCheck check = new SequenceCheck(messageSize);
    stalled[1].ws().binaryMessageHandler(check::accept);
    stalled[1].ws().pause();
    long baseline = MemoryProbe.usedAfterGc();

    Pump pump = new Pump(stalled[0], messageSize, total);
    clientVertx.runOnContext(v -> pump.run());
    // The sender stalls once the relay and the kernel buffers are full; meanwhile the other pair
    // keeps its round trips, and the stalled sender gains nothing over many of them.
    Await.until("the sender is held back", pump::blocked);
    long acceptedWhileStalled = pump.sent();
    for (int i = 0; i < 50; i++) other[0].assertReaches(other[1], "round trip " + i);
    assertTrue(pump.blocked(), "sender still held back");
    long grown = MemoryProbe.usedAfterGc() - baseline;
    System.out.printf("stalled reader: sender got %d MiB through, then %d MiB after 50 round trips; memory grew %d MiB%n",
        acceptedWhileStalled >> 20, pump.sent() >> 20, grown >> 20);
    assertTrue(pump.sent() < 64L * 1024 * 1024, "relay accepted " + pump.sent() + " bytes from a sender whose reader stopped");
    assertTrue(grown < 64L * 1024 * 1024, "memory grew by " + grown + " bytes");

    stalled[1].ws().resume(); // nothing was lost: every byte arrives, in order
    Await.until("all " + total + " bytes arrive", () -> check.bytes() == total);
    assertEquals(0, check.outOfOrder());
  }

  private static final int SIXTEEN_MIB = 16 << 20; // the largest frame the defaults accept

  /**
   * Browsers send each message as one frame, up to the 16 MiB {@code maxFrameSize} allows. A reader
   * that stops must hold its relay to about one such frame per node it crosses, not to a number of
   * frames (Vert.x's own queues would take 24 of them).
   */
  @Test
  void aReaderThatStopsReadingSixteenMebibyteFramesHoldsTheRelayToAboutOneFrame() {
    heavyData();
    int frames = 6;
    String code = newCode();
    RawWebSocket sender = RawWebSocket.connect(clientVertx, uriA(code));
    RawWebSocket reader = RawWebSocket.connect(clientVertx, uriB(code));
    reader.pause();
    TestClient[] other = pair(newCode());
    long baseline = MemoryProbe.usedAfterGc();

    FramePump pump = FramePump.start(clientVertx, sender, SIXTEEN_MIB, frames);
    Await.until("the relay holds a frame for the stopped reader", () -> relayMemory() >= SIXTEEN_MIB);
    long peak = 0;
    for (int i = 0; i < 30; i++) {
      other[0].assertReaches(other[1], "round trip " + i);
      peak = Math.max(peak, relayMemory());
    }
    long grown = MemoryProbe.usedAfterGc() - baseline;
    System.out.printf("stopped reader, 16 MiB frames: sender wrote %d frames, relay held at most %d MiB, heap grew %d MiB%n",
        pump.written(), peak >> 20, grown >> 20);
    assertTrue(pump.written() < frames, "the sender was held back, having written " + pump.written());
    assertTrue(peak <= 2L * SIXTEEN_MIB + (1 << 20), "the relay held " + peak + " bytes");
    assertTrue(grown < 6L * SIXTEEN_MIB, "memory grew by " + grown + " bytes");

    reader.resume(); // nothing was lost: every frame arrives, in order
    Await.until("every frame arrives", () -> reader.payloadBytes() == pump.bytes());
    assertEquals(0, reader.outOfOrder());
    Await.until("the relay holds nothing once the reader has read", () -> relayMemory() == 0);
  }

  @Test
  void aLoneSideSendingSixteenMebibyteFramesIsHeldToOneFrameAndItsPeerGetsThemAll() {
    heavyData();
    int frames = 4;
    String code = newCode();
    RawWebSocket sender = RawWebSocket.connect(clientVertx, uriA(code));
    TestClient[] other = pair(newCode());
    FramePump pump = FramePump.start(clientVertx, sender, SIXTEEN_MIB, frames);
    Await.until("the relay holds a frame for the missing peer", () -> relayMemory() >= SIXTEEN_MIB);
    long peak = 0;
    for (int i = 0; i < 30; i++) {
      other[0].assertReaches(other[1], "round trip " + i);
      peak = Math.max(peak, relayMemory());
    }
    assertTrue(pump.written() < frames, "the sender was held back, having written " + pump.written());
    assertTrue(peak <= SIXTEEN_MIB + (2 << 20), "the relay held " + peak + " bytes for a lone side");

    RawWebSocket peer = RawWebSocket.connect(clientVertx, uriB(code));
    Await.until("every frame arrives", () -> peer.payloadBytes() == pump.bytes());
    assertEquals(0, peer.outOfOrder());
    Await.until("the relay holds nothing", () -> relayMemory() == 0);
  }

  @Test
  void stoppingTheRelayClosesBothSidesWith1001() {
    TestClient[] p = pair(newCode());
    TestClient waiting = join(client, uriA(newCode()));
    stopRelay();
    p[0].assertClosedWith(1001, "relay stopping");
    p[1].assertClosedWith(1001, "relay stopping");
    waiting.assertClosedWith(1001, "relay stopping");
  }

  /**
   * Back-pressure over many ping intervals: the sender, which the relay stops reading, cannot show
   * its pongs; the reader's pings wait behind the bytes queued for it. Neither is taken for silent.
   */
  @Test
  void sidesHeldByBackPressureAreNotTakenForSilent() {
    heavyData();
    // An interval the kernel buffers fill well within: until they do, the paused reader's pings are
    // not yet behind queued bytes, and a reader that answers nothing then is silent indeed.
    startRelay(TestRelays.config(Setting.PING_INTERVAL, "1s"));
    long total = 64L * 1024 * 1024;
    int messageSize = 64 * 1024;
    TestClient[] p = pair(newCode());
    SequenceCheck check = new SequenceCheck(messageSize);
    p[1].ws().binaryMessageHandler(check::accept);
    p[1].ws().pause();
    // The relay pings the sender at every keepalive tick, pongs heard or not: its pings count the
    // ticks that judged both sides (one ping interval, the same timer for both).
    AtomicInteger senderPings = new AtomicInteger();
    p[0].ws().frameHandler(frame -> {
      if (frame.type() == WebSocketFrameType.PING) senderPings.incrementAndGet();
    });
    Pump pump = new Pump(p[0], messageSize, total);
    clientVertx.runOnContext(v -> pump.run());
    Await.until("the sender is held back", pump::blocked);
    // Two silent ticks close a socket: three ticks of back-pressure give keepalive room to misjudge.
    int ticksBefore = senderPings.get();
    Await.until("three keepalive ticks under back-pressure", () -> senderPings.get() >= ticksBefore + 3);
    assertTrue(p[0].isOpen() && p[1].isOpen(), "both sides still open after 3 ping intervals of back-pressure");
    p[1].ws().resume();
    Await.until("all " + total + " bytes arrive", () -> check.bytes() == total);
    assertEquals(0, check.outOfOrder());
    assertTrue(p[0].isOpen() && p[1].isOpen());
  }

  @Test
  void aSilentSocketIsClosedAndItsPeerToldWhileALivePairStaysOpen() {
    startRelay(TestRelays.config(Setting.PING_INTERVAL, "200ms"));
    String code = newCode();
    TestClient[] alive = pair(newCode());
    RawWebSocket dead = RawWebSocket.connect(clientVertx, uriA(code));
    TestClient peer = join(client, uriB(code));
    Await.until("the relay pinged the silent socket", () -> dead.pingsReceived() >= 1);
    peer.assertClosedWith(1000, "peer disconnected");
    // The relay's close frame, not the end of the TCP connection: a client that never answers it is
    // cut only after Vert.x's closing timeout (10 s), which is not the relay's keepalive at work.
    assertEquals(1001, dead.closeCode(), "the silent socket is closed for keepalive timeout");
    alive[0].assertReaches(alive[1], "alive pairs answer pings and stay");
    assertTrue(alive[0].isOpen() && alive[1].isOpen());
  }
}
