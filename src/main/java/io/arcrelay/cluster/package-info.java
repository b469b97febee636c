/**
 * The pair registry and the splice's {@code Peer} across nodes: claims in a Hazelcast map, a peer
 * on another node reached over the event bus with credit flow control, node loss and merges.
 *
 * <p>Depends on {@code pair}, {@code splice} and {@code config}.
 */
package io.arcrelay.cluster;
