package io.arcrelay;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What this JVM logs at ERROR (or another level) while it is open: a client must never be able to make the relay do so. */
public final class LoggedErrors implements AutoCloseable {

  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();

  private LoggedErrors() {
    events.start();
    root.addAppender(events);
  }

  public static LoggedErrors capture() {
    return new LoggedErrors();
  }

  /** What was logged at ERROR. */
  public List<String> messages() {
    return messages(Level.ERROR);
  }

  /** What was logged at {@code level} or above. */
  public List<String> messages(Level level) {
    List<ILoggingEvent> logged;
    synchronized (events) { // logback appends under this lock (AppenderBase.doAppend), from any thread
      logged = List.copyOf(events.list);
    }
    return logged.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(level))
        .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
        .toList();
  }

  @Override
  public void close() {
    root.detachAppender(events);
  }
}
