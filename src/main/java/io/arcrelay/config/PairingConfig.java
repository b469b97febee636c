package io.arcrelay.config;

import java.time.Duration;

/**
 * How sides pair: how long one may wait alone and how short a code may be. Each component is the
 * setting it links to, described there.
 *
 * @param pairTtl       {@link Setting#PAIR_TTL}
 * @param minCodeLength {@link Setting#MIN_CODE_LENGTH}
 */
public record PairingConfig(Duration pairTtl, int minCodeLength) {

  /** The longest pair code, in characters after URL decoding; {@code PairCode} enforces it. */
  public static final int MAX_CODE_LENGTH = 256;

  public PairingConfig {
    Checks.positive("pair-ttl", pairTtl);
    if (minCodeLength < 1 || minCodeLength > MAX_CODE_LENGTH) {
      throw new ConfigException("min-code-length: must be 1.." + MAX_CODE_LENGTH);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Sets each component by name; every one must be set. */
  public static final class Builder {
    private Duration pairTtl;
    private Integer minCodeLength;

    private Builder() {}

    public Builder pairTtl(Duration pairTtl) { this.pairTtl = pairTtl; return this; }
    public Builder minCodeLength(int minCodeLength) { this.minCodeLength = minCodeLength; return this; }

    public PairingConfig build() {
      return new PairingConfig(pairTtl, Checks.required("minCodeLength", minCodeLength));
    }
  }
}
