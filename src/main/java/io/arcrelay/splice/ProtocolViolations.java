package io.arcrelay.splice;

import io.arcrelay.seams.VertxChannels;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a frame that breaks RFC 6455 with the close frame the RFC asks for (1002, 1007, 1009),
 * right behind the frame decoder.
 *
 * <p>Why here: Vert.x configures the decoder not to answer violations and closes the channel right
 * after any decoder exception; the socket's exception handler runs first only when the bad frame
 * came in a read of its own. So the close frame is written in the pipeline, before Vert.x sees the
 * exception.
 *
 * <p>Why from the upgrade on: bytes a client sent with its upgrade request reach the frame decoder
 * the moment Netty puts it in place of the HTTP decoder, before the 101 answer is written. A
 * violation among them is held until the socket has started, then answered after the 101, as one
 * in a later read would be; until then the client would have got neither the 101 nor a close frame.
 */
final class ProtocolViolations extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ProtocolViolations.class);
  private static final String NAME = "arc-relay-violations";
  private static volatile boolean warned;

  private ChannelHandlerContext ctx;
  private boolean started;
  private Throwable early; // a violation found before the socket started

  private ProtocolViolations() {}

  /**
   * Puts the handler where the frame decoder will be: after the HTTP decoder of {@code channel},
   * whose upgrade is about to be accepted. Without one by Vert.x's name, it goes after the frame
   * decoder when the socket starts, and bad frames sent with the upgrade request get no answer.
   */
  static void install(Channel channel) {
    if (channel.pipeline().get(VertxChannels.HTTP_DECODER) != null) {
      channel.pipeline().addAfter(VertxChannels.HTTP_DECODER, NAME, new ProtocolViolations());
    } else if (!warned) {
      warned = true;
      log.warn("no '{}' handler to upgrade from: bad frames sent with an upgrade request close it without a 101 or a close frame",
          VertxChannels.HTTP_DECODER);
    }
  }

  /** Takes the handler out of a connection whose upgrade failed. */
  static void uninstall(Channel channel) {
    if (channel.pipeline().get(NAME) != null) channel.pipeline().remove(NAME);
  }

  /**
   * The upgraded socket of {@code channel} has its handlers: a violation held until now is answered.
   * Call on its event loop.
   */
  static void started(Channel channel) {
    if (channel.pipeline().get(NAME) instanceof ProtocolViolations violations) {
      violations.start();
    } else {
      ChannelHandlerContext decoder = channel.pipeline().context(WebSocketFrameDecoder.class);
      if (decoder == null) throw new IllegalStateException("no WebSocket frame decoder in the pipeline");
      ProtocolViolations late = new ProtocolViolations();
      channel.pipeline().addAfter(decoder.name(), NAME, late);
      late.start();
    }
  }

  private void start() {
    started = true;
    Throwable held = early;
    early = null;
    if (held != null) answer(held);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof CorruptedWebSocketFrameException)) {
      ctx.fireExceptionCaught(cause);
    } else if (started) {
      answer(cause);
    } else if (early == null) {
      early = cause; // the decoder drops everything after its first violation: there is no second
    }
  }

  private void answer(Throwable cause) {
    if (ctx.channel().isActive()) {
      PairEnd.Close close = PairEnd.failure(cause).self();
      // From the channel, not this handler: the encoder comes after the decoder in the pipeline.
      ctx.channel().writeAndFlush(new CloseWebSocketFrame(close.code(), close.reason()));
    }
    ctx.fireExceptionCaught(cause);
  }
}
