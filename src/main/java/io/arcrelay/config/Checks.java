package io.arcrelay.config;

import java.time.Duration;

/** The checks several config records share, each with the one-line error the operator sees. */
final class Checks {

  private Checks() {}

  static void positive(String name, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new ConfigException(name + ": must be a positive duration");
    }
  }

  static void port(String name, int port) {
    if (port < 0 || port > 65535) throw new ConfigException(name + ": must be 0..65535, got " + port);
  }

  /** A builder's component that has no default: a caller that forgot it fails here, not with a silent 0. */
  static <T> T required(String component, T value) {
    if (value == null) throw new IllegalStateException(component + " not set");
    return value;
  }
}
