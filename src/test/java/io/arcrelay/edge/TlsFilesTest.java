package io.arcrelay.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.arcrelay.Await;
import io.arcrelay.TestCertificate;
import io.arcrelay.TestClient;
import io.arcrelay.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Real TLS: certificates made by openssl, two server instances sharing one port as the relay's
 * verticles do, a WebSocket client per connection that reads the certificate it was served.
 */
class TlsFilesTest {

  private static final Duration INTERVAL = Duration.ofMillis(200);

  @TempDir
  Path dir;

  private Path certificateFile;
  private Path keyFile;
  private TlsFiles files;
  private Vertx vertx;
  private int port;
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final AppenderBase<ILoggingEvent> warningLog = new AppenderBase<>() {
    @Override
    protected void append(ILoggingEvent event) {
      if (event.getLevel() == Level.WARN) warnings.add(event.getFormattedMessage());
    }
  };

  @BeforeEach
  void start() {
    certificateFile = dir.resolve("tls.crt");
    keyFile = dir.resolve("tls.key");
    files = new TlsFiles(certificateFile, keyFile);
    vertx = Vertx.vertx();
    warningLog.start();
    tlsLogger().addAppender(warningLog);
  }

  @AfterEach
  void stop() {
    tlsLogger().detachAppender(warningLog);
    vertx.close().await();
  }

  @Test
  void aRenewedPairReachesNewConnectionsOnEveryInstance() throws IOException {
    TestCertificate first = TestCertificate.generate(dir, "first", "rsa:2048");
    TestCertificate second = TestCertificate.generate(dir, "second", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1");
    install(first);
    startTwoInstances();
    assertEveryInstanceServes(first);

    put(keyFile, second.key()); // as a renewal writes them: one file, then the other
    put(certificateFile, second.certificate());
    Await.until("a new connection is served the second certificate",
        () -> connect().served().equals(second.parsed()));
    assertEveryInstanceServes(second);
  }

  @Test
  void tls12AndTls13AreOffered() throws IOException {
    install(TestCertificate.generate(dir, "first", "rsa:2048"));
    startTwoInstances();
    assertEquals("TLSv1.3", connect(new WebSocketClientOptions()).protocol());
    assertEquals("TLSv1.2", connect(new WebSocketClientOptions().setEnabledSecureTransportProtocols(Set.of("TLSv1.2")))
        .protocol());
  }

  @Test
  void aBrokenKeyKeepsTheOldCertificateServedUntilTheRenewedPairIsWhole() throws IOException {
    TestCertificate first = TestCertificate.generate(dir, "first", "rsa:2048");
    TestCertificate second = TestCertificate.generate(dir, "second", "rsa:2048");
    install(first);
    startTwoInstances();

    put(keyFile, "not a key");
    Await.until("the broken key is reported", () -> warnings.size() == 1);
    assertTrue(warnings.get(0).contains(keyFile + " are not usable: Missing -----BEGIN PRIVATE KEY-----"), warnings.get(0));
    assertEveryInstanceServes(first);
    // Nothing announces that the watch looked again and stayed quiet, so give it a few intervals
    vertx.timer(5 * INTERVAL.toMillis()).await();
    assertEquals(1, warnings.size(), "one warning per change, not one per check: " + warnings);

    put(keyFile, second.key()); // the key renewed first: it does not belong to the certificate still there
    Await.until("the half-renewed pair is reported", () -> warnings.size() == 2);
    assertTrue(warnings.get(1).contains(keyFile + " does not belong to the first certificate in " + certificateFile),
        warnings.get(1));
    assertEveryInstanceServes(first);

    put(certificateFile, second.certificate());
    Await.until("a new connection is served the second certificate",
        () -> connect().served().equals(second.parsed()));
    assertEveryInstanceServes(second);
    assertEquals(2, warnings.size(), warnings.toString());
  }

  @Test
  void anUnusablePairIsRefusedAtStartWithOneLineNamingTheFiles() throws IOException {
    TestCertificate first = TestCertificate.generate(dir, "first", "rsa:2048");
    TestCertificate other = TestCertificate.generate(dir, "other", "rsa:2048");
    TestCertificate ec = TestCertificate.generate(dir, "ec", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1");

    assertRefused("TLS certificate file " + certificateFile + " does not exist");
    put(certificateFile, first.certificate());
    assertRefused("TLS key file " + keyFile + " does not exist");
    put(keyFile, "not a key");
    assertRefused("TLS certificate file " + certificateFile + " and key file " + keyFile
        + " are not usable: Missing -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY----- or"
        + " -----BEGIN EC PRIVATE KEY----- delimiter");
    put(keyFile, other.key());
    assertRefused("TLS key file " + keyFile + " does not belong to the first certificate in " + certificateFile);
    put(keyFile, ec.key());
    assertRefused("TLS certificate file " + certificateFile + " and key file " + keyFile
        + " are not usable: private key algorithm does not match algorithm of public key in end entity certificate"
        + " (at index 0)");
    put(keyFile, first.key());
    put(certificateFile, "not a certificate");
    assertRefused("TLS certificate file " + certificateFile + " and key file " + keyFile
        + " are not usable: Missing -----BEGIN CERTIFICATE----- delimiter");

    Throwable failure = assertThrows(ConfigException.class,
        () -> vertx.deployVerticle(new TlsServer(files, 0, false)).await());
    assertTrue(failure.getMessage().endsWith("Missing -----BEGIN CERTIFICATE----- delimiter"), failure.getMessage());
  }

  @Test
  void keysInTheTraditionalFormatsOfCertManagerAndOpensslAreUsable() throws IOException {
    TestCertificate rsa = TestCertificate.generate(dir, "rsa", "rsa:2048");
    TestCertificate ec = TestCertificate.generate(dir, "ec", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1");
    put(certificateFile, rsa.certificate());
    put(keyFile, traditional(rsa, "RSA PRIVATE KEY"));
    files.check();
    put(certificateFile, ec.certificate());
    put(keyFile, traditional(ec, "EC PRIVATE KEY"));
    files.check();
  }

  /** The pair's key rewritten as PKCS#1 (RSA) or SEC 1 (EC) instead of PKCS#8. */
  private Path traditional(TestCertificate pair, String label) throws IOException {
    Path converted = dir.resolve(pair.key().getFileName() + ".traditional");
    TestCertificate.openssl("pkey", "-in", pair.key().toString(), "-traditional", "-out", converted.toString());
    assertTrue(Files.readString(converted).startsWith("-----BEGIN " + label + "-----"));
    return converted;
  }

  private void assertRefused(String message) {
    assertEquals(message, assertThrows(ConfigException.class, files::check).getMessage());
    assertEquals(message, assertThrows(ConfigException.class, files::keyCertOptions).getMessage());
  }

  /**
   * The first instance binds the port; the second joins it and is the only one that watches, so
   * this checks that an update made through a server that did not bind the port reaches them all.
   */
  private void startTwoInstances() {
    TlsServer binder = new TlsServer(files, 0, false);
    vertx.deployVerticle(binder).await();
    port = binder.port();
    vertx.deployVerticle(new TlsServer(files, 1, true)).await();
  }

  /** Every new connection is served {@code pair}, until both instances have accepted one. */
  private void assertEveryInstanceServes(TestCertificate pair) {
    Set<Integer> instances = new HashSet<>();
    Await.until("both instances accepted a connection", () -> {
      Seen seen = connect();
      assertEquals(pair.parsed(), seen.served(), "certificate served by instance " + seen.instance());
      instances.add(seen.instance());
      return instances.size() == 2;
    });
  }

  private Seen connect() {
    return connect(new WebSocketClientOptions());
  }

  /** A new TLS connection (a new client, so no TLS session is resumed) that exchanges one message. */
  private Seen connect(WebSocketClientOptions options) {
    WebSocketClient client = vertx.createWebSocketClient(options.setTrustAll(true).setVerifyHost(false));
    try {
      ClientWebSocket ws = client.webSocket();
      Promise<Buffer> answer = Promise.promise();
      ws.binaryMessageHandler(answer::tryComplete);
      ws.connect(new WebSocketConnectOptions().setAbsoluteURI("wss://127.0.0.1:" + port + "/")).await();
      X509Certificate served = (X509Certificate) ws.peerCertificates().get(0);
      ws.writeBinaryMessage(Buffer.buffer("ping")).await();
      Buffer echo = answer.future().timeout(TestClient.WAIT_SECONDS, TimeUnit.SECONDS).await();
      assertEquals("ping", echo.getBuffer(1, echo.length()).toString());
      return new Seen(echo.getByte(0), served, ws.sslSession().getProtocol());
    } catch (SSLPeerUnverifiedException e) {
      throw new AssertionError("the connection is not TLS", e);
    } finally {
      client.close().await();
    }
  }

  private void install(TestCertificate pair) throws IOException {
    put(certificateFile, pair.certificate());
    put(keyFile, pair.key());
  }

  private void put(Path target, Path source) throws IOException {
    put(target, Files.readString(source));
  }

  /**
   * Replaces {@code target} in one step, as certificate managers do: a watch that reads a file
   * being written would report a problem this test does not mean to cause.
   */
  private void put(Path target, String content) throws IOException {
    Path next = Files.writeString(dir.resolve(target.getFileName() + ".next"), content);
    Files.move(next, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static Logger tlsLogger() {
    return (Logger) LoggerFactory.getLogger(TlsFiles.class);
  }

  /** Which instance accepted a connection, the certificate it served and the TLS version agreed. */
  private record Seen(int instance, X509Certificate served, String protocol) {}

  /**
   * An HTTPS server answering every binary WebSocket message with its instance number followed by
   * the message; served from {@link TlsFiles} as the relay would be, and, if told, watching them.
   */
  private static final class TlsServer extends VerticleBase {

    private final TlsFiles files;
    private final int instance;
    private final boolean watch;
    private HttpServer server;

    TlsServer(TlsFiles files, int instance, boolean watch) {
      this.files = files;
      this.instance = instance;
      this.watch = watch;
    }

    @Override
    public Future<?> start() {
      HttpServerOptions options = new HttpServerOptions()
          .setHost("127.0.0.1")
          // Port 0 would give each server a port of its own; -1 is a random port they all share
          .setPort(-1)
          .setSsl(true) // TLSv1.2 and TLSv1.3, the Vert.x 5 defaults
          .setKeyCertOptions(files.keyCertOptions());
      server = vertx.createHttpServer(options).webSocketHandler(ws -> ws.binaryMessageHandler(message ->
          ws.writeBinaryMessage(Buffer.buffer().appendByte((byte) instance).appendBuffer(message))));
      return server.listen().onSuccess(listening -> {
        if (watch) {
          files.watch(vertx, INTERVAL, keyCert ->
              server.updateSSLOptions(options.getSslOptions().copy().setKeyCertOptions(keyCert)));
        }
      });
    }

    int port() {
      return server.actualPort();
    }
  }
}
