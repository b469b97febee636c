package io.arcrelay.bench;

import picocli.CommandLine.Command;

@Command(name = "bench", description = "Load generator (see docs/benchmarks.md).")
public final class LoadGenerator implements Runnable {
  @Override
  public void run() {
  }
}
