package io.arcrelay.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network of its own for each node: one Linux network namespace per node, joined by a bridge in
 * this test's namespace (which reaches every node at {@code .254}), so a test can cut one node off
 * from the others with iptables rules inside that node's namespace, and heal it again, while this
 * test keeps talking to every node. Needs root (or CAP_NET_ADMIN) and the {@code ip} and
 * {@code iptables} commands; {@link #create} fails otherwise.
 */
final class NetworkLab implements AutoCloseable {

  private final String id;
  private final String subnet;
  private final int nodes;
  private final List<String> created = new ArrayList<>();

  private NetworkLab(int nodes) {
    int n = ThreadLocalRandom.current().nextInt(1 << 16);
    this.id = Integer.toHexString(n);
    this.subnet = "10.77." + (20 + n % 200) + ".";
    this.nodes = nodes;
  }

  /** A bridge and {@code nodes} namespaces, node i (from 1) at {@link #address}(i). */
  static NetworkLab create(int nodes) throws IOException, InterruptedException {
    NetworkLab lab = new NetworkLab(nodes);
    try {
      lab.build();
      return lab;
    } catch (IOException | RuntimeException e) {
      lab.close();
      throw e;
    }
  }

  private void build() throws IOException, InterruptedException {
    String bridge = "arcb" + id;
    run("ip", "link", "add", bridge, "type", "bridge");
    created.add("link:" + bridge);
    run("ip", "addr", "add", subnet + "254/24", "dev", bridge);
    run("ip", "link", "set", bridge, "up");
    for (int i = 1; i <= nodes; i++) {
      String ns = namespace(i);
      String veth = "arcv" + id + i;
      run("ip", "netns", "add", ns);
      created.add("netns:" + ns);
      run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
      run("ip", "link", "set", veth, "master", bridge, "up");
      run("ip", "-n", ns, "addr", "add", address(i) + "/24", "dev", "eth0");
      run("ip", "-n", ns, "link", "set", "eth0", "up");
      run("ip", "-n", ns, "link", "set", "lo", "up");
      run("ip", "netns", "exec", ns, "iptables", "-L", "-n"); // iptables must work in there
    }
  }

  String address(int node) {
    return subnet + node;
  }

  /** The command prefix that runs a command inside node {@code node}'s namespace. */
  List<String> launcher(int node) {
    return List.of("ip", "netns", "exec", namespace(node));
  }

  /** Cuts node {@code node} off from every other node (both ways); this test still reaches it. */
  void isolate(int node) throws IOException, InterruptedException {
    for (int other = 1; other <= nodes; other++) {
      if (other == node) continue;
      run("ip", "netns", "exec", namespace(node), "iptables", "-A", "INPUT", "-s", address(other), "-j", "DROP");
      run("ip", "netns", "exec", namespace(node), "iptables", "-A", "OUTPUT", "-d", address(other), "-j", "DROP");
    }
  }

  /** Lifts every rule {@link #isolate} set on node {@code node}. */
  void heal(int node) throws IOException, InterruptedException {
    run("ip", "netns", "exec", namespace(node), "iptables", "-F");
  }

  private String namespace(int node) {
    return "arc" + id + "-" + node;
  }

  @Override
  public void close() {
    for (int i = created.size() - 1; i >= 0; i--) {
      String[] kind = created.get(i).split(":", 2);
      try {
        if (kind[0].equals("netns")) run("ip", "netns", "del", kind[1]); else run("ip", "link", "del", kind[1]);
      } catch (IOException | InterruptedException | RuntimeException e) {
        // best effort: the rest is still removed
      }
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output.trim());
    }
  }
}
