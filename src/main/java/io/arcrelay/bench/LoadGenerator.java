package io.arcrelay.bench;

import picocli.CommandLine.Command;

/**
 * {@code arc-relay bench}: the load generator behind {@code docs/benchmarks.md}. Every scenario runs
 * against a relay URL, or with {@code --direct} against this tool's own sink/echo server, so the
 * relay's cost is read against a baseline measured the same way on the same machine.
 */
@Command(name = "bench", description = "Load generator (see docs/benchmarks.md and bench/run).",
    subcommands = {Throughput.class, Latency.class, Echo.class, Idle.class, Stall.class, Pairing.class,
        Steady.class, Fuzz.class, BigMessages.class, StoppedReaders.class, Prober.class, Flood.class,
        Slowloris.class, Churn.class})
public final class LoadGenerator {
}
