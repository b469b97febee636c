package io.arcrelay.seams;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.impl.WebSocketImplBase;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the tunnel agent masks what it sends on a data link: with the key 0 where nobody else can
 * read the link, which saves the XOR pass over every byte and the copy it is written into (40 % of
 * the agent's CPU on a download; 277 → 390 MB/s, docs/benchmarks.md, session 11).
 *
 * <p>RFC 6455 has a client mask every frame with a fresh random key (§5.3) so that a script cannot
 * make it put bytes of its choosing on the wire, where an intermediary reading plaintext (a
 * transparent proxy, a cache) could take them for HTTP (§10.3). The agent sends what its local
 * service answered, which a visitor may influence, so it masks as the RFC says wherever such an
 * intermediary can be: on plain {@code ws://} to another host. Over TLS, or to a relay on this
 * host's loopback, the zero key is still a valid masked frame, which both sides pass unchanged.
 *
 * <p>The seam is Vert.x's client WebSocket class ({@code WebSocketImplBase}, Vert.x 5.0.10), for
 * its channel, and Netty's frame encoder in that channel's pipeline, replaced by one with the zero
 * key. Where either is not found, the link keeps random keys: it works the same, only slower.
 */
public final class LinkMasking {

  private static final Logger log = LoggerFactory.getLogger(LinkMasking.class);
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private LinkMasking() {}

  /**
   * Gives the just-connected data link {@code ws} the zero key where no intermediary can read it.
   * Call before anything is written on it. Returns whether it did.
   */
  public static boolean relax(WebSocket ws) {
    if (!(ws instanceof WebSocketImplBase<?> impl)) return fallBack("the client WebSocket is a " + ws.getClass().getName());
    Channel channel = impl.channelHandlerContext().channel();
    if (!unobserved(ws.isSsl(), channel.remoteAddress())) return false;
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get(WebSocketFrameEncoder.class) == null) return fallBack("no WebSocket frame encoder in its pipeline");
    pipeline.replace(WebSocketFrameEncoder.class, "ws-encoder", new WebSocket13FrameEncoder(() -> 0));
    return true;
  }

  /** True when no third party can read the link's bytes: it runs over TLS, or to this host's loopback. */
  static boolean unobserved(boolean tls, SocketAddress relay) {
    return tls || relay instanceof InetSocketAddress address && address.getAddress() != null
        && address.getAddress().isLoopbackAddress();
  }

  private static boolean fallBack(String why) {
    if (WARNED.compareAndSet(false, true)) {
      log.warn("tunnel data links mask every byte with a random key, even where nobody else reads them ({})", why);
    }
    return false;
  }
}
