package io.arcrelay.edge;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes a connection the relay ends so that what it wrote last (a close frame, a refusal) reaches
 * the client: everything is flushed, the output is shut down (FIN), and what the client still sends
 * is read and dropped until it closes too or {@link #LINGER} passes; only then is the socket closed.
 *
 * <p>Why: closing a socket with bytes still unread in its receive buffer makes the kernel send a
 * reset instead of a FIN, and a reset makes the client's kernel drop what it has not read yet,
 * the close frame among them. A client that breaks RFC 6455 usually has more bytes in flight
 * after its bad frame: with 4 MiB behind it, nearly every such client lost its close code
 * (docs/benchmarks.md, session 16). Closes the client starts, and connections already gone, close
 * at once.
 *
 * <p>It sits near the head of the pipeline, so it sees every close asked for by the handlers after
 * it (Vert.x's own, after a decoder error or a WebSocket's closing handshake, included). Bytes read
 * while lingering are released at once, never decoded, buffered or logged.
 */
@ChannelHandler.Sharable
public final class LingeringClose extends ChannelOutboundHandlerAdapter {

  /** How long a client has to read what it was sent last and close, after the relay's FIN. */
  static final Duration LINGER = Duration.ofSeconds(2);

  private static final String NAME = "arc-relay-lingering-close";
  private static final LingeringClose INSTANCE = new LingeringClose();
  private static final AtomicLong LINGERING = new AtomicLong();

  private LingeringClose() {}

  /** Makes the relay's closes of {@code channel} linger. Call on its event loop, before it is used. */
  public static void install(Channel channel) {
    channel.pipeline().addFirst(NAME, INSTANCE);
  }

  /** Connections shut for output and waiting for their client to close, node-wide. */
  public static long lingering() {
    return LINGERING.get();
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    Channel channel = ctx.channel();
    if (!(channel instanceof DuplexChannel duplex) || !channel.isActive() || duplex.isInputShutdown()
        || duplex.isOutputShutdown()) {
      ctx.close(promise);
      return;
    }
    Lingering lingering = new Lingering();
    ctx.pipeline().replace(this, NAME, lingering);
    lingering.start(duplex, promise);
  }

  /** One connection's linger: replaces the shared handler when its close begins. */
  private static final class Lingering extends ChannelDuplexHandler {
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> deadline;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    void start(DuplexChannel channel, ChannelPromise promise) {
      LINGERING.incrementAndGet();
      channel.closeFuture().addListener(closed -> {
        LINGERING.decrementAndGet();
        deadline.cancel(false);
      });
      tieToClose(promise);
      deadline = ctx.executor().schedule(() -> ctx.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
      // The shutdown waits for what is written before it: the close frame goes out first.
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(flushed -> {
        if (flushed.isSuccess()) {
          channel.shutdownOutput();
        } else {
          ctx.close();
        }
      });
      // Read on whatever stopped reading before (a read gate, back-pressure): the client's close ends the linger.
      channel.config().setAutoRead(true);
      ctx.read();
    }

    /** The socket's close completes {@code promise}, whoever asked for it. */
    private void tieToClose(ChannelPromise promise) {
      ctx.channel().closeFuture().addListener(closed -> promise.trySuccess());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    /** Only where half-closed input is allowed: elsewhere Netty closes the channel at the client's FIN itself. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof ChannelInputShutdownEvent) ctx.close();
      ReferenceCountUtil.release(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // a reset, most likely: the client is gone, and the connection was over already
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
      tieToClose(promise); // asked again (a closing timeout, a shutdown): the linger already bounds it
    }
  }
}
