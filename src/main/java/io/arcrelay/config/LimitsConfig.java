package io.arcrelay.config;

import java.time.Duration;

/**
 * What one socket and the whole node may hold and how long a socket may be silent or stalled: the
 * limits of the splice. Each component is the setting it links to, described there.
 *
 * @param pingInterval   {@link Setting#PING_INTERVAL}
 * @param holdLimit      {@link Setting#HOLD_LIMIT}, in bytes
 * @param maxMessageSize {@link Setting#MAX_MESSAGE_SIZE}, in bytes
 * @param maxFrameSize   {@link Setting#MAX_FRAME_SIZE}, in bytes
 * @param queueLimit     {@link Setting#QUEUE_LIMIT}, in bytes
 * @param memoryBudget   {@link Setting#MEMORY_BUDGET}, in bytes
 * @param stallTimeout   {@link Setting#STALL_TIMEOUT}
 */
public record LimitsConfig(Duration pingInterval, long holdLimit, int maxMessageSize, int maxFrameSize,
    long queueLimit, long memoryBudget, Duration stallTimeout) {

  public LimitsConfig {
    Checks.positive("ping-interval", pingInterval);
    Checks.positive("stall-timeout", stallTimeout);
    if (queueLimit <= 0) throw new ConfigException("queue-limit: must be positive");
    if (memoryBudget < 2L * maxFrameSize) {
      throw new ConfigException("memory-budget: must be at least twice max-frame-size (" + 2L * maxFrameSize + " bytes)");
    }
    if (holdLimit < 0) throw new ConfigException("hold-limit: must not be negative");
    if (maxMessageSize <= 0) throw new ConfigException("max-message-size: must be positive");
    if (maxFrameSize <= 0) throw new ConfigException("max-frame-size: must be positive");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Sets each component by name; every one must be set. */
  public static final class Builder {
    private Duration pingInterval;
    private Long holdLimit;
    private Integer maxMessageSize;
    private Integer maxFrameSize;
    private Long queueLimit;
    private Long memoryBudget;
    private Duration stallTimeout;

    private Builder() {}

    public Builder pingInterval(Duration pingInterval) { this.pingInterval = pingInterval; return this; }
    public Builder holdLimit(long holdLimit) { this.holdLimit = holdLimit; return this; }
    public Builder maxMessageSize(int maxMessageSize) { this.maxMessageSize = maxMessageSize; return this; }
    public Builder maxFrameSize(int maxFrameSize) { this.maxFrameSize = maxFrameSize; return this; }
    public Builder queueLimit(long queueLimit) { this.queueLimit = queueLimit; return this; }
    public Builder memoryBudget(long memoryBudget) { this.memoryBudget = memoryBudget; return this; }
    public Builder stallTimeout(Duration stallTimeout) { this.stallTimeout = stallTimeout; return this; }

    public LimitsConfig build() {
      return new LimitsConfig(pingInterval, Checks.required("holdLimit", holdLimit),
          Checks.required("maxMessageSize", maxMessageSize), Checks.required("maxFrameSize", maxFrameSize),
          Checks.required("queueLimit", queueLimit), Checks.required("memoryBudget", memoryBudget),
          stallTimeout);
    }
  }
}
