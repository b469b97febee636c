package io.arcrelay.edge;

import io.arcrelay.seams.VertxChannels;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;

/**
 * Checks every request's framing ({@link RequestFraming}) on a connection's raw bytes, in front of
 * Vert.x's HTTP decoder. A request refused there reaches Vert.x as a request whose decoding failed,
 * in its turn after the requests before it, and {@link #answerInvalid} answers it (400, 501 or 505
 * with the reason) and closes the connection; a body found malformed midway ends its request as a
 * decoding failure, which closes the connection (the head already went on; a tunnel answers it 400
 * if no response began).
 *
 * <p>Removes itself after a WebSocket upgrade's head: what follows is frames, not HTTP.
 */
final class StrictHttp1 extends ChannelInboundHandlerAdapter implements RequestFraming.Output {

  /** Its name in the pipeline, right before Vert.x's {@code httpDecoder}. */
  static final String NAME = "arc-relay.strict-http1";
  private static final String DECODER = VertxChannels.HTTP_DECODER;

  private final RequestFraming framing = new RequestFraming();
  private ChannelHandlerContext ctx;
  private boolean refused; // a request was refused: the connection reads nothing more

  /** Puts the check in front of {@code channel}'s HTTP decoder (if it has one: HTTP/1.x). */
  static void install(Channel channel) {
    if (channel.pipeline().get(DECODER) != null) channel.pipeline().addBefore(DECODER, NAME, new StrictHttp1());
  }

  /** True while {@code channel}'s requests are checked: HTTP/1.x, no WebSocket upgrade asked for yet. */
  static boolean checks(Channel channel) {
    return channel.pipeline().get(NAME) != null;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (refused) {
      in.release();
      return;
    }
    try {
      if (framing.read(in, this)) ctx.pipeline().remove(this);
    } catch (MalformedRequest malformed) {
      refused = true;
      ctx.fireChannelRead(failed(malformed));
    } finally {
      in.release();
    }
  }

  /**
   * Answers a request whose body turned out malformed ({@code malformed} reached its exception
   * handler), when no response to it began: the status line and reason are written straight to the
   * socket, since Vert.x closes the connection before it would flush a response of its own.
   */
  static void answerMalformedBody(Channel channel, MalformedRequest malformed) {
    ChannelHandlerContext ctx = channel.pipeline().context(NAME);
    if (ctx == null) return;
    String reason = malformed.getMessage() + "\n";
    String answer = "HTTP/1.1 " + malformed.status() + " " + HttpResponseStatus.valueOf(malformed.status()).reasonPhrase()
        + "\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\ncontent-length: " + reason.length()
        + "\r\n\r\n" + reason;
    ctx.writeAndFlush(Unpooled.copiedBuffer(answer, StandardCharsets.US_ASCII));
  }

  /**
   * What Vert.x is handed for a refused request: a request head that failed to decode (answered by
   * {@link #answerInvalid}), or, in the middle of a body, the body's failed end.
   */
  private HttpObject failed(MalformedRequest malformed) {
    HttpObject failed = !framing.inBody()
        ? new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", Unpooled.EMPTY_BUFFER)
        : new DefaultLastHttpContent();
    failed.setDecoderResult(DecoderResult.failure(malformed));
    return failed;
  }

  @Override
  public void pass(ByteBuf in, int from, int to) {
    ctx.fireChannelRead(in.retainedSlice(from, to - from));
  }

  @Override
  public void insert(ByteBuf bytes) {
    ctx.fireChannelRead(bytes);
  }

  /**
   * The server's handler for requests that could not be decoded: the ones refused here get their
   * status and reason, counted as {@link Refusal#MALFORMED_REQUEST}; Netty's own (too long a line or
   * head) get what Vert.x answers them. Either way the connection closes.
   */
  static Handler<HttpServerRequest> answerInvalid(Admission.Metrics metrics) {
    return request -> {
      metrics.refused(Refusal.MALFORMED_REQUEST);
      if (!(request.decoderResult().cause() instanceof MalformedRequest malformed)) {
        HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(request);
        return;
      }
      PlainAnswer.andClose(request, malformed.status(), malformed.getMessage());
    };
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    this.ctx = null;
  }
}
