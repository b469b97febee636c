/**
 * Tunnels, the relay's side: names and their sessions across the cluster, the agent's control and
 * data WebSockets, and visitors, each visitor connection one side of a data link spliced to the
 * agent's data WebSocket.
 *
 * <p>Depends on {@code pair}, {@code cluster}, {@code splice}, {@code edge}, {@code config} and
 * {@code tunnel.protocol}; never on {@code tunnel.agent}.
 */
package io.arcrelay.tunnel;
