package io.arcrelay.cluster;

import io.arcrelay.cli.RelayProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy (Debian package, installed by .ci/run) in front of relay processes, configured
 * from {@code conf/haproxy.cfg} with its balance line replaced and one server line per node.
 */
public final class Haproxy implements AutoCloseable {

  private final Process process;
  private final int port;

  private Haproxy(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts HAProxy on a free port. {@code balance}: what replaces {@code balance url_param pair}
   * (several lines allowed); {@code serverOptions}: appended to each server line (health checks).
   */
  public static Haproxy start(Path dir, List<RelayProcess> nodes, String balance, String serverOptions) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    StringBuilder cfg = new StringBuilder(Files.readString(Path.of("conf", "haproxy.cfg"))
        .replace("    balance url_param pair", "    balance " + balance));
    for (int i = 0; i < nodes.size(); i++) {
      cfg.append("    server node").append(i).append(" 127.0.0.1:").append(nodes.get(i).port())
          .append(serverOptions.isEmpty() ? "" : " " + serverOptions).append('\n');
    }
    Path file = dir.resolve("haproxy.cfg");
    Files.writeString(file, cfg);
    ProcessBuilder pb = new ProcessBuilder("haproxy", "-f", file.toString(), "-db")
        .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile());
    pb.environment().put("ARC_RELAY_LB_PORT", Integer.toString(port));
    return new Haproxy(pb.start(), port);
  }

  /** {@code ws://127.0.0.1:<port>}, no trailing slash. */
  public String url() {
    return "ws://127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }
}
