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

/** A self-signed certificate and its key, made by openssl in the test's directory. */
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
