package io.arcrelay.tunnel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The agent's status line on a fake terminal and a fake clock: what is printed, and when. */
class StatusLineTest {

  private static final URI TARGET = URI.create("http://127.0.0.1:3000");
  private static final String URL = "http://myapp.localhost:8765/";

  private final StringBuilder screen = new StringBuilder();
  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final TrafficCounters traffic = new TrafficCounters();

  private StatusLine line(boolean terminal) {
    return new StatusLine(terminal, screen::append, clock::get, traffic, TARGET);
  }

  /** What a terminal would show: each {@code \r ESC[2K} wipes the line written so far. */
  private String shown() {
    String text = screen.toString();
    int lastLine = text.lastIndexOf('\n') + 1;
    int wiped = text.lastIndexOf(StatusLine.CLEAR_LINE);
    return wiped >= lastLine ? text.substring(wiped + StatusLine.CLEAR_LINE.length()) : text.substring(lastLine);
  }

  private void goOnline(StatusLine status) {
    status.changed(TunnelAgent.State.CONNECTING, "connecting to ws://relay:8765");
    status.registered(URL);
    status.changed(TunnelAgent.State.ONLINE, "online: " + URL + " -> " + TARGET);
  }

  @Test
  void onATerminalOneLineIsRedrawnWithStateUrlAndCounters() {
    StatusLine status = line(true);
    goOnline(status);
    assertTrue(screen.toString().contains("arc-relay tunnel: online: " + URL + " -> " + TARGET + "\n"),
        "going online is kept above the line");
    assertEquals("● online  " + URL + " → 127.0.0.1:3000  │ 0 req  0 open  ↑0 B ↓0 B", shown());

    traffic.linkOpened();
    traffic.linkOpened();
    traffic.linkClosed();
    for (int i = 0; i < 128; i++) traffic.request();
    traffic.sent(1_234_567);
    traffic.received(48_000_000);
    status.tick();
    assertEquals("● online  " + URL + " → 127.0.0.1:3000  │ 128 req  1 open  ↑1.2 MB ↓48.0 MB", shown());
    assertTrue(screen.toString().endsWith(StatusLine.CLEAR_LINE + shown()), "redrawn in place");
    assertEquals(1, screen.chars().filter(c -> c == '\n').count(), "a redraw adds no line");

    status.retryAt(clock.get() + 2_500);
    status.changed(TunnelAgent.State.RECONNECTING, "control connection closed: 1006 (connection lost)");
    assertEquals("○ reconnecting in 3 s  │ 128 req  1 open  ↑1.2 MB ↓48.0 MB", shown());
    assertTrue(screen.toString().contains("arc-relay tunnel: control connection closed: 1006 (connection lost)\n"),
        "why is kept above the line");
    assertEquals(2, screen.chars().filter(c -> c == '\n').count(), "once");
    clock.addAndGet(1_000);
    status.tick();
    assertTrue(shown().contains("reconnecting in 2 s"), "the wait counts down: " + shown());
    status.retryAt(clock.get() + 5_000);
    status.changed(TunnelAgent.State.RECONNECTING, "control connection closed: 1006 (connection lost)");
    assertEquals(2, screen.chars().filter(c -> c == '\n').count(), "the same reason again is not repeated above");
    clock.addAndGet(5_600);
    status.tick();
    assertTrue(shown().contains("reconnecting now"), shown());

    status.above(() -> screen.append(URL).append('\n'));
    assertTrue(screen.toString().contains(StatusLine.CLEAR_LINE + URL + "\n"), "lines of others go above a cleared line");
    assertTrue(shown().startsWith("○ reconnecting"), "and the line comes back under them");

    status.changed(TunnelAgent.State.STOPPED, "stopped after 128 requests");
    assertTrue(screen.toString().endsWith(StatusLine.CLEAR_LINE + "arc-relay tunnel: stopped after 128 requests\n"));
    int length = screen.length();
    status.tick();
    assertEquals(length, screen.length(), "nothing is drawn after the stop");
  }

  @Test
  void theRedrawnLineNeverWrapsOnANarrowTerminal() {
    StatusLine status = new StatusLine(true, screen::append, clock::get, traffic, TARGET, 40);
    goOnline(status);
    assertEquals(39, status.render().length(), status.render());
    assertTrue(status.render().endsWith("…"));
  }

  @Test
  void plainLinesSayWhenTheNextAttemptIsAndASharedNameIsTold() {
    StatusLine status = line(false);
    goOnline(status);
    status.shared(1);
    assertTrue(screen.toString().endsWith("arc-relay tunnel: 1 other agent with this token serves " + URL
        + " too: visitors are spread over all of them\n"), screen.toString());
    status.retryAt(clock.get() + 2_500);
    status.changed(TunnelAgent.State.RECONNECTING, "cannot reach the relay at ws://relay:8765: connection refused");
    assertTrue(screen.toString().endsWith(
        "arc-relay tunnel: cannot reach the relay at ws://relay:8765: connection refused; retrying in 2.5 s\n"), screen.toString());
  }

  @Test
  void elsewherePlainLinesPerStateAndASummaryEveryMinute() {
    StatusLine status = line(false);
    goOnline(status);
    assertEquals("arc-relay tunnel: connecting to ws://relay:8765\n"
        + "arc-relay tunnel: online: " + URL + " -> " + TARGET + "\n", screen.toString());

    traffic.request();
    traffic.received(999);
    traffic.sent(1000);
    clock.addAndGet(StatusLine.SUMMARY_MS - 1);
    status.tick();
    assertEquals(2, screen.chars().filter(c -> c == '\n').count(), "no summary before a minute has passed");
    assertTrue(!screen.toString().contains("\033"), "no escapes in plain output");

    clock.addAndGet(1);
    status.tick();
    assertTrue(screen.toString().endsWith("arc-relay tunnel: online: 1 req  0 open  ↑1.0 kB ↓999 B\n"), screen.toString());
    status.tick();
    assertEquals(3, screen.chars().filter(c -> c == '\n').count(), "one summary a minute");
    clock.addAndGet(StatusLine.SUMMARY_MS);
    status.tick();
    assertEquals(4, screen.chars().filter(c -> c == '\n').count());
  }

  @Test
  void byteCountsInDecimalUnits() {
    assertEquals("0 B", StatusLine.bytes(0));
    assertEquals("999 B", StatusLine.bytes(999));
    assertEquals("1.0 kB", StatusLine.bytes(1000));
    assertEquals("1.0 MB", StatusLine.bytes(999_999), "never 1000.0 kB");
    assertEquals("48.0 MB", StatusLine.bytes(48_000_000));
    assertEquals("3.2 GB", StatusLine.bytes(3_210_000_000L));
  }
}
