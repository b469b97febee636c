package io.arcrelay.tunnel.agent;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.impl.WebSocketImplBase;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * How the agent masks what it sends on a data link.
 *
 * <p>RFC 6455 has a client mask every frame with a fresh random key (§5.3) so that a script cannot
 * make it put bytes of its choosing on the wire, where an intermediary reading plaintext (a
 * transparent proxy, a cache) could take them for HTTP (§10.3). The agent sends what its local
 * service answered, which a visitor may influence, so it masks as the RFC says wherever such an
 * intermediary can be: on plain {@code ws://} to another host.
 *
 * <p>Over TLS, or to a relay on this host's loopback, no intermediary sees the bytes. There the
 * agent masks with the key 0: still a valid masked frame, which both sides then pass without the
 * XOR pass over every byte (and, on the agent, without the copy the XOR is written into). That pass
 * was 40 % of the agent's CPU on a download (docs/benchmarks.md, session 11).
 */
final class LinkMasking {

  private LinkMasking() {}

  /**
   * Gives the just-connected data link {@code ws} the zero key where no intermediary can read it.
   * Call before anything is written on it. Returns whether it did.
   */
  static boolean relax(WebSocket ws) {
    if (!(ws instanceof WebSocketImplBase<?> impl)) return false;
    Channel channel = impl.channelHandlerContext().channel();
    if (!unobserved(ws.isSsl(), channel.remoteAddress())) return false;
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get(WebSocketFrameEncoder.class) == null) return false;
    pipeline.replace(WebSocketFrameEncoder.class, "ws-encoder", new WebSocket13FrameEncoder(() -> 0));
    return true;
  }

  /** True when no third party can read the link's bytes: it runs over TLS, or to this host's loopback. */
  static boolean unobserved(boolean tls, SocketAddress relay) {
    return tls || relay instanceof InetSocketAddress address && address.getAddress() != null
        && address.getAddress().isLoopbackAddress();
  }
}
