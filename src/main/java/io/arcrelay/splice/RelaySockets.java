package io.arcrelay.splice;

import io.arcrelay.config.LimitsConfig;
import io.arcrelay.seams.VertxChannels;
import io.netty.channel.Channel;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Where an upgrade becomes a {@link RelaySocket}: the pair endpoint and the tunnel's agent endpoint
 * build theirs here, each with its own memory, metrics and largest message.
 */
public final class RelaySockets {

  private final Keepalive keepalive;
  private final LimitsConfig limits;
  private final int maxMessageSize;
  private final MemoryBudget budget;
  private final PairMetrics metrics;

  /** {@code maxMessageSize}: the largest message a socket may send, {@code limits}' or less. */
  public RelaySockets(Keepalive keepalive, LimitsConfig limits, int maxMessageSize, MemoryBudget budget, PairMetrics metrics) {
    this.keepalive = keepalive;
    this.limits = limits;
    this.maxMessageSize = maxMessageSize;
    this.budget = budget;
    this.metrics = metrics;
  }

  /**
   * Pauses the request of {@code rc} while its seat is claimed (a clustered claim is asynchronous:
   * the request must stay upgradable until it answers), keeping what the socket needs of it.
   */
  public Upgrade pause(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    Context context = rc.vertx().getOrCreateContext();
    // The connection object changes with the upgrade; its channel does not.
    Channel channel = VertxChannels.of(request.connection());
    request.pause();
    return new Upgrade(request, context, channel);
  }

  /** A paused upgrade, waiting for its seat. */
  public final class Upgrade {

    private final HttpServerRequest request;
    private final Context context;
    private final Channel channel;

    private Upgrade(HttpServerRequest request, Context context, Channel channel) {
      this.request = request;
      this.context = context;
      this.channel = channel;
    }

    /** Upgrades the request and starts its socket on {@code seat}; a failed upgrade leaves the seat. */
    public void to(Seat seat) {
      ProtocolViolations.install(channel); // before the upgrade: bytes sent with the request are decoded during it
      request.toWebSocket().onComplete(upgraded -> {
        if (upgraded.succeeded()) {
          new RelaySocket(upgraded.result(), channel, context, seat, keepalive, limits, maxMessageSize, budget, metrics).start();
        } else {
          ProtocolViolations.uninstall(channel);
          seat.leave(PairEnd.CLOSED);
        }
      });
    }
  }
}
