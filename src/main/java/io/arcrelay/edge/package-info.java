/**
 * Who may connect and upgrade: connection caps, rates, origins, tokens, trusted proxies, TLS files
 * and the refusal table, from accept to the upgrade; and how the relay closes a connection it ends
 * ({@link io.arcrelay.edge.LingeringClose}).
 *
 * <p>Depends on {@code seams}, {@code config} and the node's memory ({@code splice.MemoryBudget})
 * only: nothing about pairs, tunnels or nodes.
 */
package io.arcrelay.edge;
