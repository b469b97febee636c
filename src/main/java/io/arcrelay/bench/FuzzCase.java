package io.arcrelay.bench;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * What one fuzz connection does: sends {@code writes} one after the other (each its own TCP write,
 * so the relay sees the bytes split where they are split), then either closes at once
 * ({@code hangUp}, often in the middle of a frame) or reads until the relay closes it.
 * {@code validUpgrade}: it sends a whole, valid upgrade request, so the relay owes it a 101 and a
 * close frame, or a refusal.
 */
public record FuzzCase(List<Buffer> writes, boolean hangUp, boolean validUpgrade) {}
