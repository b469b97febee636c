package io.arcrelay.cluster;

import io.arcrelay.config.ClusterConfig;
import io.arcrelay.config.ConfigException;
import io.arcrelay.edge.TlsFiles;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;

/**
 * TLS with mutual authentication on the clustered event bus, the connections that carry every
 * {@code join}, {@code frame}, {@code credit} and {@code close} between nodes.
 *
 * <p>Each node shows its own certificate ({@link ClusterConfig#tlsCert()}) both as a server
 * and as a client, and accepts the other end only if its certificate is signed by the cluster's CA
 * ({@link ClusterConfig#tlsCa()}): a node without such a certificate can neither deliver a
 * message to a relay node nor receive one from it. Host names are not checked (Vert.x turns
 * hostname verification off for the event bus: nodes are reached at pod IPs), so whatever holds a
 * certificate from that CA counts as a relay node; the CA must sign relay nodes only.
 *
 * <p>Hazelcast's own port (membership, the pair map) is not covered: the open-source edition has
 * no TLS and no member authentication (docs/cluster.md, "Locking the cluster down").
 */
final class EventBusTls {

  private EventBusTls() {}

  /**
   * Turns TLS on in {@code options} when the config names the node's certificate, key and CA;
   * leaves them as they are otherwise. The files are read and checked now, once: a renewed
   * certificate takes a restart (a rolling one keeps the cluster up).
   *
   * @throws ConfigException naming the file that is missing, unreadable or not what it should be
   */
  static EventBusOptions apply(ClusterConfig config, EventBusOptions options) {
    if (!config.tls()) return options;
    return options
        .setSsl(true)
        .setKeyCertOptions(new TlsFiles(Path.of(config.tlsCert()), Path.of(config.tlsKey()))
            .keyCertOptions())
        .setTrustOptions(trust(Path.of(config.tlsCa())))
        // The server side: a node that shows no certificate, or one the CA did not sign, is refused
        // during the handshake, before any message is read.
        .setClientAuth(ClientAuth.REQUIRED)
        // The client side: the event bus trusts every server by default (EventBusOptions.DEFAULT_TRUST_ALL),
        // which would let a node that registered consumers in Hazelcast receive other nodes' frames.
        .setTrustAll(false);
  }

  /** The CA file as a value, after checking it holds at least one certificate. */
  private static PemTrustOptions trust(Path ca) {
    byte[] pem;
    try {
      pem = Files.readAllBytes(ca);
    } catch (NoSuchFileException e) {
      throw new ConfigException("cluster-tls-ca: " + ca + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("cluster-tls-ca: " + ca + " cannot be read: " + e);
    }
    try {
      if (CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).isEmpty()) {
        throw new ConfigException("cluster-tls-ca: " + ca + " holds no certificate");
      }
    } catch (CertificateException e) {
      throw new ConfigException("cluster-tls-ca: " + ca + " is not a PEM certificate (" + e.getMessage() + ")");
    }
    return new PemTrustOptions().addCertValue(Buffer.buffer(pem));
  }
}
