package io.arcrelay.cli;

/** A mistake in how a command was called: its message is the one line the user sees, and the exit code is 2. */
final class UsageError extends RuntimeException {
  UsageError(String message) {
    super(message, null, false, false);
  }
}
