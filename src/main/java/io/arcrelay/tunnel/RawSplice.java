package io.arcrelay.tunnel;

import io.arcrelay.tunnel.protocol.LinkMessages;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * After the local server's {@code 101}: the visitor's connection handed over raw ({@code
 * toNetSocket}), its bytes spliced with the link's both ways. What the agent sends before the
 * hand-over completes waits, counted, in {@link #early}.
 */
final class RawSplice implements LinkTraffic {

  private final VisitorLink link;
  private final Queue<WebSocketFrame> early = new ArrayDeque<>();
  private NetSocket socket; // once the hand-over completed

  private RawSplice(VisitorLink link) {
    this.link = link;
  }

  /**
   * Takes over {@code request}'s connection for {@code link}: {@code toNetSocket} writes the 101 with
   * exactly the headers the response has (the local server's {@code Sec-WebSocket-Accept}).
   */
  static void start(VisitorLink link, HttpServerRequest request) {
    RawSplice raw = new RawSplice(link);
    link.spliceRaw(raw);
    request.toNetSocket().onComplete(upgraded -> {
      if (upgraded.failed()) {
        link.endWithConnection();
      } else {
        raw.handOver(upgraded.result());
      }
    });
  }

  private void handOver(NetSocket raw) {
    socket = raw;
    raw.handler(bytes -> {
      link.tunnels().metrics().toAgent(bytes.length());
      LinkMessages.chunks((byte) 0, bytes, link::toAgent);
      link.pauseIfAgentBusy(raw::pause);
    });
    for (WebSocketFrame frame; (frame = early.poll()) != null; ) write(frame, frame.binaryData().length());
  }

  @Override
  public void fromAgent(WebSocketFrame frame, int bytes) {
    link.tunnels().metrics().toVisitor(frame.binaryData().length());
    write(frame, bytes);
  }

  private void write(WebSocketFrame frame, int counted) {
    if (socket == null) {
      early.add(frame); // counted until written
      return;
    }
    socket.write(frame.binaryData()).onComplete(written -> link.done(frame, counted));
  }

  @Override
  public void resumeReading() {
    if (socket != null) socket.resume();
  }

  @Override
  public void linkEnded() {
    for (WebSocketFrame frame; (frame = early.poll()) != null; ) link.done(frame, frame.binaryData().length());
  }

  @Override
  public void linkLost(boolean agentCame) {
    link.channel().close();
  }
}
