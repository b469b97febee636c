package io.arcrelay.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * The clustered map of who holds each code, one round trip per decision. Each operation runs as a
 * Hazelcast entry processor on the key's partition owner and answers asynchronously, on the Vert.x
 * context that asked. Why not Vert.x's {@code AsyncMap}: it runs every call as a blocking Hazelcast
 * call on a worker thread (four thread hand-offs each), and a side B needed two calls to join
 * (put-if-absent, then replace) and a leaving side up to three to remove its entry (remove the
 * value it knew, read, remove what names it). Churn across two nodes spent most of its time there
 * (docs/benchmarks.md, session 10).
 */
final class PairMap {

  private final Vertx vertx;
  private final IMap<String, String> map;
  /** Operations sent to the map so far: what a pair costs in round trips ({@code ClaimRoundTripsTest}). */
  private final LongAdder operations = new LongAdder();

  PairMap(Vertx vertx, IMap<String, String> map) {
    this.vertx = vertx;
    this.map = map;
  }

  /**
   * Claims a code for the side of {@code wantedA} (an encoded waiting {@link PairEntry}): the entry
   * becomes {@code wantedA} if there was none, or that side is written in as side B of a waiting
   * entry. Answers the entry as it is afterwards; an entry for a whole pair is left as it was.
   */
  Future<String> claim(String key, String wantedA) {
    return run(key, new Operation(Operation.CLAIM, wantedA, null));
  }

  /** As {@link #claim}, but never creates an entry: null when there is none. */
  Future<String> join(String key, String wantedA) {
    return run(key, new Operation(Operation.JOIN, wantedA, null));
  }

  Future<String> get(String key) {
    operations.increment();
    return answer(map.getAsync(key));
  }

  /** Puts {@code value} if the code has no entry; answers the entry that was there, or null. */
  Future<String> putIfAbsent(String key, String value) {
    return run(key, new Operation(Operation.PUT_IF_ABSENT, value, null));
  }

  /** Replaces the entry with {@code wanted} if it is still {@code expected}; whether it did. */
  Future<Boolean> replace(String key, String expected, String wanted) {
    return run(key, new Operation(Operation.REPLACE, expected, wanted)).map(wanted::equals);
  }

  /** Removes the entry if it names connection {@code conn} (as side A or side B). */
  Future<Void> removeNamed(String key, String conn) {
    return run(key, new Operation(Operation.REMOVE_NAMED, conn, null)).mapEmpty();
  }

  private Future<String> run(String key, Operation operation) {
    operations.increment();
    return answer(map.submitToKey(key, operation));
  }

  long operations() {
    return operations.sum();
  }

  /**
   * Completes on the asking context, handed over by the Hazelcast thread that got the answer.
   * Not {@code Future.fromCompletionStage}: its plain {@code whenComplete} makes Hazelcast run the
   * callback on its default executor, which starts a new thread per call where the common fork-join
   * pool has a parallelism of 1 (two cores).
   */
  private <T> Future<T> answer(CompletionStage<T> stage) {
    Context context = vertx.getOrCreateContext();
    Promise<T> promise = Promise.promise();
    stage.whenCompleteAsync((value, failure) -> context.runOnContext(v -> {
      if (failure != null) promise.fail(failure); else promise.complete(value);
    }), Runnable::run);
    return promise.future();
  }

  /**
   * One decision about one entry, run where the entry lives (and again on its backups, which hold
   * the same value and so decide the same). {@code DataSerializable}: every node runs the same jar.
   */
  public static final class Operation implements EntryProcessor<String, String, String>, DataSerializable {
    static final byte CLAIM = 1;
    static final byte JOIN = 2;
    static final byte PUT_IF_ABSENT = 3;
    static final byte REPLACE = 4;
    static final byte REMOVE_NAMED = 5;

    private byte kind;
    private String first;
    private String second;

    /** For Hazelcast's deserialization. */
    public Operation() {
    }

    Operation(byte kind, String first, String second) {
      this.kind = kind;
      this.first = first;
      this.second = second;
    }

    @Override
    public String process(Map.Entry<String, String> entry) {
      String current = entry.getValue();
      switch (kind) {
        case CLAIM, JOIN -> {
          if (current == null) {
            if (kind == JOIN) return null;
            entry.setValue(first);
            return first;
          }
          PairEntry found = PairEntry.decode(current);
          if (found.complete() || current.equals(first)) return current;
          PairEntry claimant = PairEntry.decode(first);
          String joined = found.withB(claimant.nodeA(), claimant.connA()).encode();
          entry.setValue(joined);
          return joined;
        }
        case PUT_IF_ABSENT -> {
          if (current == null) entry.setValue(first);
          return current;
        }
        case REPLACE -> {
          if (!first.equals(current)) return current;
          entry.setValue(second);
          return second;
        }
        case REMOVE_NAMED -> {
          if (current != null && PairEntry.decode(current).names(first)) entry.setValue(null);
          return null;
        }
        default -> throw new IllegalStateException("unknown pair-map operation " + kind);
      }
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeByte(kind);
      out.writeString(first);
      out.writeString(second);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      kind = in.readByte();
      first = in.readString();
      second = in.readString();
    }
  }
}
