package io.arcrelay.config;

/** A setting that cannot be used; its message is one line meant for the person who wrote it. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
