/**
 * Every reach into Vert.x's or Netty's internals that the relay's memory and throughput rest on,
 * each with why it exists, what it saves, a test that fails when it stops working and a WARN with
 * the reason when it falls back:
 *
 * <ul>
 *   <li>{@link io.arcrelay.seams.DirectWrites}: no multi-producer write queue per WebSocket,
 *       ~4.8 KB of an idle socket (docs/benchmarks.md, session 8: 8,000 idle pairs 306 → 246 MB);
 *   <li>{@link io.arcrelay.seams.UpgradeLeftovers}: the upgrade's request let go, 3.1 KB of an idle
 *       socket's 7.6 KB of heap (session 14);
 *   <li>{@link io.arcrelay.seams.VertxBuffers}: the Netty buffers under frames and buffers, for
 *       payloads relayed without a copy (relay CPU per GB -20 to -25 % for 64 KiB messages,
 *       session 9) and cluster link records of their exact size;
 *   <li>{@link io.arcrelay.seams.VertxChannels}: the channel under a connection and Vert.x's
 *       handlers by name, where the read gate, one flush per read and the strict HTTP/1.x check go;
 *   <li>{@link io.arcrelay.seams.NettyDirectMemory}: Netty's own count of its direct memory, the
 *       figure a node dies at, for the metric {@code arc_relay_direct_memory_bytes};
 *   <li>{@link io.arcrelay.seams.VertxClusters}: the Hazelcast cluster manager under a clustered
 *       Vert.x, for pair-map claims of one operation each (Vert.x's {@code AsyncMap} needs two or
 *       three blocking calls, session 10) and Hazelcast's membership and merge events;
 *   <li>{@link io.arcrelay.seams.LinkMasking}: the tunnel agent's data links masked with the zero key
 *       where nobody else reads them, 40 % of the agent's CPU on a download (session 11).
 * </ul>
 *
 * <p>Imports nothing else of arc-relay's; any package may use it.
 */
package io.arcrelay.seams;
