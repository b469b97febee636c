package io.arcrelay.cluster;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fault injection between nodes: an inbound event-bus interceptor on one node that loses, or holds
 * back, the n-th message of one kind ({@link #kindOf}) arriving there, as a connection that breaks
 * between two nodes would.
 */
final class BusFault implements Handler<DeliveryContext<Object>>, AutoCloseable {

  private final Vertx node;
  private final String op;
  private final int nth;
  private final boolean hold;
  private final AtomicInteger seen = new AtomicInteger();
  private final AtomicReference<DeliveryContext<Object>> held = new AtomicReference<>();
  private final CountDownLatch struck = new CountDownLatch(1);

  private BusFault(Vertx node, String op, int nth, boolean hold) {
    this.node = node;
    this.op = op;
    this.nth = nth;
    this.hold = hold;
    node.eventBus().addInboundInterceptor(this);
  }

  /** Loses every message of kind {@code op} arriving at {@code node} until closed. */
  static BusFault loseAll(Vertx node, String op) {
    return new BusFault(node, op, 0, false);
  }

  /** Loses the {@code nth} message (from 1) of kind {@code op} arriving at {@code node}. */
  static BusFault lose(Vertx node, String op, int nth) {
    return new BusFault(node, op, nth, false);
  }

  /**
   * Holds the {@code nth} message of kind {@code op} back until the next one of that kind has been
   * handled, so that one overtakes it.
   */
  static BusFault swap(Vertx node, String op, int nth) {
    return new BusFault(node, op, nth, true);
  }

  /** A message's kind: {@code join}, {@code frame}, {@code credit}, {@code close}, or a request's {@code op}. */
  static String kindOf(DeliveryContext<Object> delivery) {
    return delivery.message().body() instanceof NodeMessage m
        ? m.kind().name().toLowerCase(java.util.Locale.ROOT)
        : delivery.message().headers().get("op");
  }

  @Override
  public void handle(DeliveryContext<Object> delivery) {
    if (!op.equals(kindOf(delivery))) {
      delivery.next();
      return;
    }
    int n = seen.incrementAndGet();
    if (nth == 0 || n == nth) {
      if (hold) held.set(delivery);
      struck.countDown();
      return;
    }
    delivery.next();
    DeliveryContext<Object> overtaken = n == nth + 1 ? held.getAndSet(null) : null;
    if (overtaken != null) overtaken.next();
  }

  /** Waits until the chosen message has been lost or held. */
  void awaitStruck() throws InterruptedException {
    if (!struck.await(30, TimeUnit.SECONDS)) throw new AssertionError("no '" + op + "' message #" + nth + " arrived");
  }

  @Override
  public void close() {
    node.eventBus().removeInboundInterceptor(this);
  }
}
