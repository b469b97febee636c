package io.arcrelay.tunnel.differential;

import io.arcrelay.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (Debian's, installed by .ci/run) as the reference reverse proxy: one worker, its
 * own prefix directory, configured as a site behind nginx typically is (HTTP/1.1 upstream, forwarded
 * headers, WebSocket upgrades passed on), with streaming both ways as the relay does. Server
 * {@code pub.localhost} proxies to the origin, {@code admin.localhost} too behind basic auth, and any
 * other host gets 404, as the relay answers a name no tunnel serves.
 */
final class Nginx implements AutoCloseable {

  static final String ADMIN_CREDENTIALS = "alice:wonderland";
  private static final Path[] BINARIES = {Path.of("/usr/sbin/nginx"), Path.of("/usr/bin/nginx")};

  private final Process process;
  private final int port;
  private final Path dir;

  private Nginx(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** The nginx binary, or null when it is not installed. */
  static Path binary() {
    for (Path binary : BINARIES) {
      if (Files.isExecutable(binary)) return binary;
    }
    return null;
  }

  static Nginx start(Path dir, int originPort) throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String[] credentials = ADMIN_CREDENTIALS.split(":");
    Files.writeString(dir.resolve("htpasswd"), credentials[0] + ":{PLAIN}" + credentials[1] + "\n");
    String proxy = "location / { proxy_pass http://127.0.0.1:" + originPort + "; }";
    Files.writeString(dir.resolve("nginx.conf"), """
        # The worker runs as the test's user: as root nginx would switch to 'nobody', who cannot read this directory.
        user %1$s;
        worker_processes 1;
        daemon off;
        pid %2$s/nginx.pid;
        error_log %2$s/error.log info;
        events { worker_connections 1024; }
        http {
          access_log %2$s/access.log;
          client_body_temp_path %2$s/client_body;
          proxy_temp_path %2$s/proxy;
          fastcgi_temp_path %2$s/fastcgi;
          uwsgi_temp_path %2$s/uwsgi;
          scgi_temp_path %2$s/scgi;
          map $http_upgrade $connection_upgrade { default upgrade; '' close; }
          proxy_http_version 1.1;
          proxy_request_buffering off;
          proxy_buffering off;
          proxy_set_header Host $host;
          proxy_set_header X-Real-IP $remote_addr;
          proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
          proxy_set_header X-Forwarded-Proto $scheme;
          proxy_set_header X-Forwarded-Host $host;
          proxy_set_header Upgrade $http_upgrade;
          proxy_set_header Connection $connection_upgrade;
          server { listen 127.0.0.1:%3$d default_server; server_name _; return 404; }
          server { listen 127.0.0.1:%3$d; server_name pub.localhost; %4$s }
          server {
            listen 127.0.0.1:%3$d; server_name admin.localhost;
            auth_basic "admin"; auth_basic_user_file %2$s/htpasswd;
            %4$s
          }
        }
        """.formatted(System.getProperty("user.name"), dir.toAbsolutePath(), port, proxy));
    Process process = new ProcessBuilder(binary().toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
        "-e", dir.resolve("error.log").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
    Nginx nginx = new Nginx(process, port, dir);
    Await.eventually(() -> {
      if (!process.isAlive()) throw new AssertionError("nginx exited: " + nginx.errorLog());
      try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return probe.isConnected();
      } catch (IOException notYet) {
        throw new IllegalStateException(notYet);
      }
    });
    return nginx;
  }

  int port() {
    return port;
  }

  String errorLog() {
    try {
      return Files.readString(dir.resolve("error.log"));
    } catch (IOException e) {
      return "(no error log: " + e + ")";
    }
  }

  /** SIGTERM: the master stops its worker; one that does not stop in time is killed with its worker. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
