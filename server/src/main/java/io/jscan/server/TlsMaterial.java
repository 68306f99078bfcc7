package io.jscan.server;

import io.jscan.core.io.BoundedFiles;
import io.jscan.core.io.InputFileException;
import io.jscan.core.io.InputLimit;
import io.jscan.core.oci.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The server's certificate chain and private key, read from PEM files as Kubernetes Secrets of
 * type {@code kubernetes.io/tls} and cert-manager hold them ({@code tls.crt}, {@code tls.key}),
 * checked (the key signs what the certificate's public key verifies) and put in an in-memory key
 * store for Jetty.
 *
 * @param chain the certificates, leaf first
 * @param keyStore a PKCS#12 store holding the key under {@link #ALIAS} with {@link #password}
 * @param password the store's random in-memory password (never written anywhere)
 * @param fingerprint sha256 over the two files' bytes: what the reloader compares
 */
public record TlsMaterial(List<X509Certificate> chain, KeyStore keyStore, String password, Digest fingerprint) {
  public static final String ALIAS = "jscan-serve";

  public TlsMaterial {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a certificate chain has at least the leaf");
    }
    Objects.requireNonNull(keyStore, "keyStore");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(fingerprint, "fingerprint");
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** The sha256 fingerprint of the two files as they are now (a missing file is part of the answer). */
  public static Digest fingerprintOf(Path cert, Path key) {
    try {
      byte[] c = BoundedFiles.read(cert, InputLimit.TLS_FILE);
      byte[] k = BoundedFiles.read(key, InputLimit.TLS_FILE);
      byte[] both = new byte[c.length + k.length + 1];
      System.arraycopy(c, 0, both, 0, c.length);
      both[c.length] = 0;
      System.arraycopy(k, 0, both, c.length + 1, k.length);
      return Digest.sha256(both);
    } catch (InputFileException e) {
      return Digest.sha256("unreadable: " + e.getMessage());
    }
  }

  /** Reads and checks the pair; every problem is bad input naming the file. */
  public static TlsMaterial load(Path certFile, Path keyFile) throws ServerException {
    byte[] certBytes = read(certFile, "--tls-cert");
    byte[] keyBytes = read(keyFile, "--tls-key");
    List<X509Certificate> chain = certificates(certFile, certBytes);
    PrivateKey key = privateKey(keyFile, keyBytes);
    X509Certificate leaf = chain.get(0);
    if (!signsFor(key, leaf)) {
      throw ServerException.badInput(keyFile.toString(), "the private key does not belong to the certificate in " + certFile
          + " (subject " + leaf.getSubjectX500Principal().getName() + ")");
    }
    String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(ALIAS, key, password.toCharArray(), chain.toArray(new Certificate[0]));
      byte[] both = new byte[certBytes.length + keyBytes.length + 1];
      System.arraycopy(certBytes, 0, both, 0, certBytes.length);
      System.arraycopy(keyBytes, 0, both, certBytes.length + 1, keyBytes.length);
      return new TlsMaterial(chain, store, password, Digest.sha256(both));
    } catch (GeneralSecurityException | IOException e) {
      throw ServerException.badInput(keyFile.toString(), "cannot hold the key for TLS: " + e.getMessage());
    }
  }

  /** Whether the leaf's validity period covers {@code now}. */
  public boolean validAt(Instant now) {
    return !now.isBefore(leaf().getNotBefore().toInstant()) && !now.isAfter(leaf().getNotAfter().toInstant());
  }

  /** A regular file of at most {@link InputLimit#TLS_FILE}; every problem is bad input naming the file and the option. */
  private static byte[] read(Path file, String option) throws ServerException {
    try {
      return BoundedFiles.read(file, InputLimit.TLS_FILE, "the " + option + " file");
    } catch (InputFileException e) {
      throw ServerException.badInput(e.what(), e.detail());
    }
  }

  private static List<X509Certificate> certificates(Path file, byte[] pem) throws ServerException {
    try {
      Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate c : read) {
        chain.add((X509Certificate) c);
      }
      if (chain.isEmpty()) {
        throw ServerException.badInput(file.toString(), "no certificate in the file (expected PEM: -----BEGIN CERTIFICATE-----)");
      }
      return chain;
    } catch (CertificateException e) {
      throw ServerException.badInput(file.toString(), "not a PEM certificate chain: " + e.getMessage());
    }
  }

  private static PrivateKey privateKey(Path file, byte[] pem) throws ServerException {
    try (Reader r = new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(r)) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object o; (o = parser.readObject()) != null; ) {
        if (o instanceof PrivateKeyInfo info) {          // BEGIN PRIVATE KEY (PKCS#8)
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {              // BEGIN RSA / EC PRIVATE KEY (PKCS#1, SEC1)
          return converter.getKeyPair(pair).getPrivate();
        }
        if (o instanceof org.bouncycastle.openssl.PEMEncryptedKeyPair
            || o instanceof org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo) {
          throw ServerException.badInput(file.toString(), "the private key is encrypted; give it unencrypted, as a Kubernetes TLS Secret holds it");
        }
        // parameters (BEGIN EC PARAMETERS) and other blocks before the key are skipped
      }
      throw ServerException.badInput(file.toString(), "no private key in the file (expected PEM: -----BEGIN PRIVATE KEY-----)");
    } catch (PEMException e) {
      throw ServerException.badInput(file.toString(), "not a PEM private key: " + e.getMessage());
    } catch (IOException e) {
      throw ServerException.badInput(file.toString(), "not a PEM private key: " + e.getMessage());
    }
  }

  /** Whether {@code key} makes signatures the certificate's public key verifies. */
  private static boolean signsFor(PrivateKey key, X509Certificate cert) throws ServerException {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw ServerException.badInput("--tls-key", "unsupported key algorithm " + key.getAlgorithm() + " (use RSA, EC or Ed25519)");
    };
    try {
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // a key of another type than the certificate's, for instance
    }
  }
}
