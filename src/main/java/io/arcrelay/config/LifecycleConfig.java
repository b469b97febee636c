package io.arcrelay.config;

import java.time.Duration;

/**
 * How the node runs and stops: its event loops, and how it drains and waits on a stop. Each
 * component is the setting it links to, described there.
 *
 * @param eventLoops    {@link Setting#EVENT_LOOPS}
 * @param drainDelay    {@link Setting#DRAIN_DELAY}
 * @param shutdownGrace {@link Setting#SHUTDOWN_GRACE}
 */
public record LifecycleConfig(int eventLoops, Duration drainDelay, Duration shutdownGrace) {

  public LifecycleConfig {
    Checks.positive("shutdown-grace", shutdownGrace);
    if (drainDelay == null || drainDelay.isNegative()) throw new ConfigException("drain-delay: must not be negative");
    if (eventLoops <= 0) throw new ConfigException("event-loops: must be positive");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Sets each component by name; every one must be set. */
  public static final class Builder {
    private Integer eventLoops;
    private Duration drainDelay;
    private Duration shutdownGrace;

    private Builder() {}

    public Builder eventLoops(int eventLoops) { this.eventLoops = eventLoops; return this; }
    public Builder drainDelay(Duration drainDelay) { this.drainDelay = drainDelay; return this; }
    public Builder shutdownGrace(Duration shutdownGrace) { this.shutdownGrace = shutdownGrace; return this; }

    public LifecycleConfig build() {
      return new LifecycleConfig(Checks.required("eventLoops", eventLoops), drainDelay, shutdownGrace);
    }
  }
}
