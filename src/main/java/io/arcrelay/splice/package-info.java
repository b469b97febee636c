/**
 * The splice: two sides joined so that each frame one sends is written to the other, with flow
 * control ({@link io.arcrelay.splice.ReadGate}, {@link io.arcrelay.splice.OutboundQueue}), held
 * frames before the peer joins, keepalive, the node's memory accounting
 * ({@link io.arcrelay.splice.MemoryBudget}) and the close vocabulary
 * ({@link io.arcrelay.splice.PairEnd}). {@code pair} and {@code tunnel} both build on it; where the
 * peer lives is behind {@link io.arcrelay.splice.Peer} and {@link io.arcrelay.splice.Seat}.
 *
 * <p>Depends on {@code seams} and {@code config} only; knows nothing of codes, registries, endpoints
 * or nodes.
 */
package io.arcrelay.splice;
