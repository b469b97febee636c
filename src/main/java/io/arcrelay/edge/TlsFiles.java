package io.arcrelay.edge;

import io.arcrelay.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Function;
import javax.net.ssl.X509KeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's own TLS identity: a certificate chain and its private key, each in a PEM file, as a
 * certificate manager leaves them (certbot, cert-manager, a Kubernetes secret volume).
 *
 * <p>A pair is <em>usable</em> when
 * <ul>
 *   <li>both files exist and can be read;</li>
 *   <li>the certificate file holds one or more {@code CERTIFICATE} PEM blocks, leaf first, that
 *       parse as X.509;</li>
 *   <li>the key file holds an unencrypted RSA or EC private key in PEM: PKCS#8
 *       {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY} or SEC 1 {@code EC PRIVATE KEY};</li>
 *   <li>the key belongs to the first certificate: a signature made with the key verifies with that
 *       certificate's public key.</li>
 * </ul>
 * The files are parsed by Vert.x itself, so a usable pair is one the server loads. Not checked:
 * validity dates, host names, the certificates after the first. A pair that is not usable is
 * reported as a {@link ConfigException} whose one-line message names the files and the problem.
 */
public final class TlsFiles {

  private static final Logger log = LoggerFactory.getLogger(TlsFiles.class);

  private final Path certificate;
  private final Path key;

  /**
   * @param certificate PEM file of the certificate chain, the relay's own certificate first
   * @param key         PEM file of that certificate's private key
   */
  public TlsFiles(Path certificate, Path key) {
    this.certificate = Objects.requireNonNull(certificate, "certificate");
    this.key = Objects.requireNonNull(key, "key");
  }

  /**
   * Reads both files now and checks that they form a usable pair (see the class description).
   *
   * @throws ConfigException naming the files and what is wrong with them
   */
  public void check() {
    usable(read());
  }

  /**
   * The pair as it is now, for {@code HttpServerOptions.setKeyCertOptions}: the files' contents are
   * read once and carried as values, so a file replaced later cannot half-apply to a server.
   * With {@code setSsl(true)} and nothing else, Vert.x 5.0.10 offers TLSv1.2 and TLSv1.3
   * ({@code SSLOptions.DEFAULT_ENABLED_SECURE_TRANSPORT_PROTOCOLS}) on the JDK's engine.
   *
   * @throws ConfigException as {@link #check()} does
   */
  public PemKeyCertOptions keyCertOptions() {
    return usable(read()).options();
  }

  /**
   * Every {@code interval}, reads both files and, when their content changed (a SHA-256 of the
   * bytes, not the modification time: a Kubernetes secret volume swaps a symlink), hands a usable
   * pair to {@code apply}. A pair that is not usable (only one file renewed so far, a file being
   * written) is logged once at WARN and the server keeps its current certificate; the files are read
   * again at the next interval, and the first usable change is applied.
   *
   * <p>The first check applies what the files hold then; a server already started from the same
   * contents is left as it is: Vert.x keeps its SSL context for an equal key and certificate, and
   * answers that nothing changed.
   *
   * <p>One watch per port is enough: Vert.x servers that share a port also share one SSL context,
   * kept by the server that bound the port; {@code updateSSLOptions} on any of them replaces it for
   * connections accepted by all of them. The timer belongs to the calling context, so undeploying
   * the calling verticle ends the watch.
   *
   * @param apply installs the new pair, typically
   *     {@code keyCert -> server.updateSSLOptions(options.getSslOptions().copy().setKeyCertOptions(keyCert))}
   *     (the copy keeps every other SSL setting of the server); its result says whether the
   *     certificate served changed, and is logged at INFO when it did
   * @return the timer id, for {@link Vertx#cancelTimer(long)}
   */
  public long watch(Vertx vertx, Duration interval, Function<PemKeyCertOptions, Future<Boolean>> apply) {
    Reload reload = new Reload(vertx, apply);
    return vertx.setPeriodic(interval.toMillis(), timer -> reload.run());
  }

  /** What one watch knows. Only touched on the watch's context, so it needs no locking. */
  private final class Reload {

    private final Vertx vertx;
    private final Function<PemKeyCertOptions, Future<Boolean>> apply;
    /** The disk state last applied or reported: a fingerprint, or why the files could not be read. */
    private String seen;
    private boolean running;

    Reload(Vertx vertx, Function<PemKeyCertOptions, Future<Boolean>> apply) {
      this.vertx = vertx;
      this.apply = apply;
    }

    void run() {
      if (running) return; // a slow disk or a slow SSL context build must not stack up checks
      running = true;
      String known = seen;
      vertx.executeBlocking(() -> inspect(known))
          .compose(this::act)
          .onComplete(done -> {
            running = false;
            if (done.failed()) {
              log.warn("TLS certificate from {} not applied, still serving the previous one: {}",
                  certificate, done.cause().toString());
            }
          });
    }

    private Future<Void> act(Reading reading) {
      if (reading.state().equals(seen)) return Future.succeededFuture();
      seen = reading.state();
      if (reading.problem() != null) {
        log.warn("{}; still serving the previous certificate", reading.problem());
        return Future.succeededFuture();
      }
      X509Certificate leaf = reading.pair().leaf();
      return apply.apply(reading.pair().options()).map(changed -> {
        if (changed) {
          log.info("TLS certificate reloaded from {}: {} (serial {}, valid until {})", certificate,
              leaf.getSubjectX500Principal().getName(), leaf.getSerialNumber().toString(16),
              leaf.getNotAfter().toInstant());
        }
        return null;
      });
    }
  }

  /** Blocking: reads the files and, unless they still hold {@code known}, checks them. */
  private Reading inspect(String known) {
    Contents contents;
    try {
      contents = read();
    } catch (ConfigException e) {
      return new Reading(e.getMessage(), null, e.getMessage());
    }
    String state = contents.fingerprint();
    if (state.equals(known)) return new Reading(state, null, null);
    try {
      return new Reading(state, usable(contents), null);
    } catch (ConfigException e) {
      return new Reading(state, null, e.getMessage());
    }
  }

  private Contents read() {
    return new Contents(read("certificate", certificate), read("key", key));
  }

  private static Buffer read(String what, Path file) {
    try {
      return Buffer.buffer(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new ConfigException("TLS " + what + " file " + file + " does not exist");
    } catch (AccessDeniedException e) {
      throw new ConfigException("TLS " + what + " file " + file + " cannot be read: permission denied");
    } catch (IOException e) {
      throw new ConfigException("TLS " + what + " file " + file + " cannot be read: " + e);
    }
  }

  private Pair usable(Contents contents) {
    PemKeyCertOptions options = new PemKeyCertOptions()
        .setCertValue(contents.certificate())
        .setKeyValue(contents.key());
    X509Certificate leaf;
    PrivateKey privateKey;
    try {
      // Values only: Vert.x resolves no path, so it needs no Vert.x instance here
      KeyStore store = options.loadKeyStore(null);
      leaf = (X509Certificate) store.getCertificate(store.aliases().nextElement());
      // Vert.x stores the key under a password of its own; its key manager hands it out without one
      X509KeyManager keys = (X509KeyManager) options.getKeyManagerFactory(null).getKeyManagers()[0];
      privateKey = keys.getPrivateKey(keys.getServerAliases(leaf.getPublicKey().getAlgorithm(), null)[0]);
    } catch (Exception e) {
      // Vert.x's reason says which of the two it could not parse (CERTIFICATE, PRIVATE KEY)
      throw new ConfigException("TLS certificate file " + certificate + " and key file " + key
          + " are not usable: " + reason(e));
    }
    if (!signsFor(privateKey, leaf)) {
      throw new ConfigException("TLS key file " + key + " does not belong to the first certificate in " + certificate);
    }
    return new Pair(options, leaf);
  }

  /** Whether {@code privateKey} is the key of {@code leaf}, which Vert.x itself never checks. */
  private static boolean signsFor(PrivateKey privateKey, X509Certificate leaf) {
    // Vert.x loads RSA and EC keys only, and refuses a key whose algorithm differs from the certificate's
    String algorithm = privateKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    byte[] probe = "arc-relay key check".getBytes(StandardCharsets.US_ASCII);
    byte[] signature;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(probe);
      signature = signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with a key Vert.x loaded", e);
    }
    try {
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (SignatureException e) {
      return false; // a signature the certificate's key cannot even read, e.g. one of another RSA size
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot verify with a certificate Vert.x loaded", e);
    }
  }

  private static String reason(Exception e) {
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  /** The two files' bytes, read together. */
  private record Contents(Buffer certificate, Buffer key) {

    String fingerprint() {
      return sha256(certificate) + ":" + sha256(key);
    }

    private static String sha256(Buffer bytes) {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.getBytes()));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java platform has SHA-256", e);
      }
    }
  }

  /** A usable pair, as Vert.x options, and its leaf certificate for the log. */
  private record Pair(PemKeyCertOptions options, X509Certificate leaf) {}

  /** What a check found: the disk state, and either a usable pair, a problem, or neither (unchanged). */
  private record Reading(String state, Pair pair, String problem) {}
}
