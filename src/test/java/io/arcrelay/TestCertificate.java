package io.arcrelay;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate and its key, made by openssl in the test's directory: self-signed, a certificate
 * authority, or a certificate that authority signed.
 */
public record TestCertificate(Path certificate, Path key, X509Certificate parsed) {

  /** {@code -newkey} takes {@code algorithm}, then {@code options}; the subject is {@code CN=name}. */
  public static TestCertificate generate(Path dir, String name, String algorithm, String... options) throws IOException {
    Path certificate = dir.resolve(name + ".crt");
    Path key = dir.resolve(name + ".key");
    List<String> arguments = new ArrayList<>(List.of("req", "-x509", "-newkey", algorithm));
    arguments.addAll(List.of(options));
    arguments.addAll(List.of("-nodes", "-subj", "/CN=" + name, "-days", "1",
        "-keyout", key.toString(), "-out", certificate.toString()));
    openssl(arguments.toArray(String[]::new));
    return read(certificate, key);
  }

  /**
   * A self-signed certificate authority (EC P-256, {@code CA:TRUE}, allowed to sign certificates),
   * whose {@link #sign} issues node certificates.
   */
  public static TestCertificate authority(Path dir, String name) throws IOException {
    return generate(dir, name, "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  }

  /**
   * A new key and a certificate for {@code CN=name} signed by this authority (one made by
   * {@link #authority}), fit for both ends of a TLS connection: what a cluster node shows as server
   * and as client.
   */
  public TestCertificate sign(Path dir, String name) throws IOException {
    Path certificate = dir.resolve(name + ".crt");
    Path key = dir.resolve(name + ".key");
    Path request = dir.resolve(name + ".csr");
    Path extensions = dir.resolve(name + ".ext");
    Files.writeString(extensions, "basicConstraints=CA:FALSE\n"
        + "keyUsage=critical,digitalSignature\n"
        + "extendedKeyUsage=serverAuth,clientAuth\n");
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-subj", "/CN=" + name, "-keyout", key.toString(), "-out", request.toString());
    openssl("x509", "-req", "-in", request.toString(), "-CA", this.certificate.toString(),
        "-CAkey", this.key.toString(), "-set_serial", String.valueOf(System.nanoTime()), "-days", "1",
        "-extfile", extensions.toString(), "-out", certificate.toString());
    return read(certificate, key);
  }

  private static TestCertificate read(Path certificate, Path key) throws IOException {
    try {
      X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certificate)));
      return new TestCertificate(certificate, key, parsed);
    } catch (CertificateException e) {
      throw new AssertionError("openssl wrote an unreadable certificate", e);
    }
  }

  /** Runs openssl with {@code arguments}; fails the test if it fails. */
  public static void openssl(String... arguments) throws IOException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(TestClient.WAIT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
        fail(String.join(" ", command) + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      process.destroy();
    }
  }
}
