package io.arcrelay.ops;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Liveness and readiness of one node, shared by all its event loops.
 *
 * <p>Live: every event loop serving sockets runs a task within {@link #EVENT_LOOP_TIMEOUT_MS}.
 * Ready: live, not draining, and (when clustered) a member of the cluster, in a half that holds the
 * quorum if the cluster is split (see {@code clusterQuorum}). A draining node
 * stays live, so an orchestrator lets it finish instead of killing it.
 */
public final class NodeHealth {

  private static final long EVENT_LOOP_TIMEOUT_MS = 2_000;

  private final Vertx vertx;
  private final HealthChecks live;
  private final HealthChecks ready;
  private final List<Context> eventLoops = new CopyOnWriteArrayList<>();
  private volatile boolean draining;

  /** @param clusterTrouble why the cluster should send this node no clients now (null if none), or null for a single node */
  public NodeHealth(Vertx vertx, Supplier<String> clusterTrouble) {
    this.vertx = vertx;
    live = HealthChecks.create(vertx).register("event-loops", EVENT_LOOP_TIMEOUT_MS, this::eventLoopsRespond);
    ready = HealthChecks.create(vertx)
        .register("event-loops", EVENT_LOOP_TIMEOUT_MS, this::eventLoopsRespond)
        .register("accepting", promise -> promise.complete(draining
            ? Status.KO(new JsonObject().put("draining", true)) : Status.OK()));
    if (clusterTrouble != null) {
      ready.register("cluster", promise -> {
        String trouble = clusterTrouble.get();
        promise.complete(trouble == null ? Status.OK() : Status.KO(new JsonObject().put("trouble", trouble)));
      });
    }
  }

  /** A verticle serving sockets on {@code context}: liveness now includes it. */
  public void watch(Context context) {
    eventLoops.add(context);
  }

  /** From now on the node is not ready: load balancers stop sending it new connections. */
  public void drain() {
    draining = true;
  }

  HealthChecks live() {
    return live;
  }

  HealthChecks ready() {
    return ready;
  }

  private void eventLoopsRespond(Promise<Status> promise) {
    // Health checks combine their procedures' results unsynchronised: answer on the asking context.
    Context asking = vertx.getOrCreateContext();
    List<Future<Void>> answers = eventLoops.stream().map(context -> {
      Promise<Void> answered = Promise.promise();
      context.runOnContext(v -> answered.complete());
      return answered.future();
    }).toList();
    Future.all(answers).onComplete(all -> asking.runOnContext(v -> promise.tryComplete(Status.OK())));
  }
}
