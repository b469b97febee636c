package io.arcrelay.tunnel.agent;

import io.vertx.core.Vertx;
import java.net.URI;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * What {@code arc-relay tunnel} shows while it runs.
 *
 * <p>On a terminal: one line, redrawn in place every 500 ms, e.g.
 * {@code ● online  http://myapp.localhost:8765/ → 127.0.0.1:3000  │ 128 req  3 open  ↑1.2 MB ↓48.0 MB}
 * (↑ what the agent sent up to the relay, ↓ what it received; see {@link TrafficCounters}). Lines
 * worth keeping (going online, a refusal, the stop) are also printed above it, once.
 *
 * <p>Elsewhere (a log file, a container, a test's pipe), where a redrawn line would be noise: one
 * plain line per change of state, and a summary of the counters every 60 s.
 *
 * <p>The output and the clock are given, so a test can drive it with a fake terminal and fake time:
 * the timer only calls {@link #tick()}.
 */
public final class StatusLine implements TunnelAgent.Listener {

  /** How often the terminal line is redrawn. */
  static final long REDRAW_MS = 500;
  /** How often a plain output gets a summary. */
  static final long SUMMARY_MS = 60_000;
  /** Moves to the start of the line and clears it. */
  static final String CLEAR_LINE = "\r\033[2K";

  private final boolean terminal;
  private final Consumer<String> out;
  private final LongSupplier clockMs;
  private final TrafficCounters traffic;
  private final String target;
  private volatile TunnelAgent.State state = TunnelAgent.State.CONNECTING;
  private volatile String detail = "";
  private volatile String url;
  private volatile long retryAtMs;
  private boolean connectingShown;
  private String lastReason; // the reconnection reason last kept above the line
  private final int columns;
  private long lastSummaryMs;

  /**
   * @param terminal true for the redrawn line, false for plain lines
   * @param out where the text goes, exactly as given (it carries its own line ends and escapes)
   * @param clockMs milliseconds, for the summaries' spacing
   * @param target the local service, as shown after the arrow
   */
  public StatusLine(boolean terminal, Consumer<String> out, LongSupplier clockMs, TrafficCounters traffic, URI target) {
    this(terminal, out, clockMs, traffic, target, 120);
  }

  /** {@code columns}: the terminal's width, which the redrawn line is kept within. */
  public StatusLine(boolean terminal, Consumer<String> out, LongSupplier clockMs, TrafficCounters traffic, URI target, int columns) {
    this.columns = columns;
    this.terminal = terminal;
    this.out = out;
    this.clockMs = clockMs;
    this.traffic = traffic;
    this.target = target.getAuthority();
    this.lastSummaryMs = clockMs.getAsLong();
  }

  /** For the CLI: on stderr, redrawn when stderr is a terminal ({@code System.console()} exists). */
  public static StatusLine onStderr(TrafficCounters traffic, URI target) {
    boolean terminal = System.console() != null;
    return new StatusLine(terminal, text -> {
      System.err.print(text);
      System.err.flush();
    }, System::currentTimeMillis, traffic, target, terminal ? terminalColumns() : 120);
  }

  /** The terminal's width as {@code stty} reports it (80 when it cannot tell). */
  static int terminalColumns() {
    try {
      Process stty = new ProcessBuilder("sh", "-c", "stty size < /dev/tty").redirectErrorStream(true).start();
      String size = new String(stty.getInputStream().readAllBytes()).trim();
      if (stty.waitFor() == 0 && size.matches("\\d+ \\d+")) return Math.max(20, Integer.parseInt(size.split(" ")[1]));
    } catch (java.io.IOException e) {
      // no stty: the default below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 80;
  }

  /** Starts the timer that redraws the line or prints the summaries; returns its id. */
  public long start(Vertx vertx) {
    return vertx.setPeriodic(terminal ? REDRAW_MS : SUMMARY_MS, id -> tick());
  }

  @Override
  public void registered(String url) {
    this.url = url;
  }

  @Override
  public void retryAt(long atMillis) {
    this.retryAtMs = atMillis;
  }

  @Override
  public synchronized void shared(int others) {
    String line = others + (others == 1 ? " other agent" : " other agents") + " with this token serve"
        + (others == 1 ? "s " : " ") + (url == null ? "this tunnel" : url) + " too: visitors are spread over all of them";
    out.accept((terminal ? CLEAR_LINE : "") + prefixed(line) + "\n" + (terminal && state != TunnelAgent.State.STOPPED ? render() : ""));
  }

  @Override
  public synchronized void changed(TunnelAgent.State state, String line) {
    this.state = state;
    this.detail = line;
    if (!terminal) {
      // After a failed attempt, the next one is announced by its "retrying in" already.
      if (state == TunnelAgent.State.CONNECTING && connectingShown) return;
      if (state == TunnelAgent.State.CONNECTING) connectingShown = true;
      long left = retryAtMs - clockMs.getAsLong();
      String retry = state != TunnelAgent.State.RECONNECTING ? ""
          : left < 100 ? "; retrying now" : String.format(Locale.ROOT, "; retrying in %.1f s", left / 1000.0);
      out.accept(prefixed(line + retry) + "\n");
      return;
    }
    // Connecting shows on the line only; why a reconnection is needed is kept above it, once for
    // each new reason (the line itself stays short enough never to wrap); the rest is kept too.
    boolean keep = state != TunnelAgent.State.CONNECTING
        && (state != TunnelAgent.State.RECONNECTING || !line.equals(lastReason));
    if (state == TunnelAgent.State.RECONNECTING) lastReason = line;
    if (state == TunnelAgent.State.ONLINE) lastReason = null;
    out.accept(CLEAR_LINE + (keep ? prefixed(line) + "\n" : "") + (state == TunnelAgent.State.STOPPED ? "" : render()));
  }

  /**
   * Runs {@code print}, which writes lines of its own (to stdout, say), above the status line: on a
   * terminal the line is cleared first and redrawn after, so the two never mix on one line.
   */
  public synchronized void above(Runnable print) {
    if (terminal) out.accept(CLEAR_LINE);
    print.run();
    if (terminal && state != TunnelAgent.State.STOPPED) out.accept(render());
  }

  /** Redraws the line (terminal) or prints a summary when one is due (plain). The timer calls it. */
  public synchronized void tick() {
    if (state == TunnelAgent.State.STOPPED) return;
    if (terminal) {
      out.accept(CLEAR_LINE + render());
      return;
    }
    long now = clockMs.getAsLong();
    if (now - lastSummaryMs < SUMMARY_MS) return;
    lastSummaryMs = now;
    out.accept(prefixed(state.name().toLowerCase(Locale.ROOT) + ": " + counters()) + "\n");
  }

  /** The terminal line, without escapes, cut to the terminal's width: a wrapped line could not be redrawn in place. */
  String render() {
    String line = full();
    return line.length() < columns ? line : line.substring(0, Math.max(1, columns - 2)) + "…";
  }

  private String full() {
    String where = (url == null ? "…" : url) + " → " + target;
    return switch (state) {
      case ONLINE -> "● online  " + where + "  │ " + counters();
      case CONNECTING -> "○ " + detail + "  │ " + counters();
      case RECONNECTING -> "○ reconnecting " + countdown() + "  │ " + counters();
      case STOPPED -> "■ " + detail;
    };
  }

  /** Whole seconds left before the next attempt, counted down at each redraw: {@code in 3 s}, then {@code now}. */
  private String countdown() {
    long left = retryAtMs - clockMs.getAsLong();
    return left <= 0 ? "now" : "in " + (left + 999) / 1000 + " s";
  }

  private String counters() {
    return traffic.requests() + " req  " + traffic.openLinks() + " open  ↑" + bytes(traffic.bytesUp())
        + " ↓" + bytes(traffic.bytesDown());
  }

  private static String prefixed(String line) {
    return "arc-relay tunnel: " + line;
  }

  /** Decimal units, one decimal place from kB on: {@code 999 B}, {@code 1.2 kB}, {@code 48.0 MB}. */
  static String bytes(long count) {
    if (count < 1000) return count + " B";
    String[] units = {"kB", "MB", "GB", "TB"};
    double value = count;
    int unit = -1;
    while (value >= 999.95 && unit < units.length - 1) { // what would print as 1000.0 moves up a unit
      value /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
