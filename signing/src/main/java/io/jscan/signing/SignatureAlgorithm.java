package io.jscan.signing;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;

/**
 * The signature schemes cosign and Sigstore use with a key, named as in Sigstore's algorithm
 * registry (protobuf-specs {@code PublicKeyDetails}). ECDSA signatures are ASN.1 DER
 * {@code SEQUENCE{r, s}}, as Go's {@code ecdsa.SignASN1} writes them.
 */
public enum SignatureAlgorithm {
  ECDSA_SHA256("SHA256withECDSA", "SHA-256", NISTObjectIdentifiers.id_sha256),
  ECDSA_SHA384("SHA384withECDSA", "SHA-384", NISTObjectIdentifiers.id_sha384),
  ECDSA_SHA512("SHA512withECDSA", "SHA-512", NISTObjectIdentifiers.id_sha512),
  /** Pure Ed25519 (RFC 8032): signs the message itself, never a digest of it. */
  ED25519("Ed25519", null, null),
  RSA_PKCS1V15_SHA256("SHA256withRSA", "SHA-256", NISTObjectIdentifiers.id_sha256),
  /** RSASSA-PSS with MGF1-SHA256 and a 32-byte salt (the hash length), as sigstore's RSA-PSS signer. */
  RSA_PSS_SHA256("SHA256withRSAandMGF1", "SHA-256", NISTObjectIdentifiers.id_sha256);

  private final String jcaName;
  private final String hashJcaName;
  private final ASN1ObjectIdentifier hashOid;

  SignatureAlgorithm(String jcaName, String hashJcaName, ASN1ObjectIdentifier hashOid) {
    this.jcaName = jcaName;
    this.hashJcaName = hashJcaName;
    this.hashOid = hashOid;
  }

  /** The Bouncy Castle JCA name of the scheme. */
  public String jcaName() {
    return jcaName;
  }

  /** The message digest the scheme hashes with; empty for Ed25519, which hashes internally. */
  public Optional<String> hashJcaName() {
    return Optional.ofNullable(hashJcaName);
  }

  ASN1ObjectIdentifier hashOid() {
    return hashOid;
  }

  /** Which key type this scheme needs: {@code EC}, {@code Ed25519} or {@code RSA}. */
  public String keyType() {
    return switch (this) {
      case ECDSA_SHA256, ECDSA_SHA384, ECDSA_SHA512 -> "EC";
      case ED25519 -> "Ed25519";
      case RSA_PKCS1V15_SHA256, RSA_PSS_SHA256 -> "RSA";
    };
  }

  /**
   * The scheme cosign uses by default for a key (sigstore's {@code LoadDefaultSignerVerifier}):
   * ECDSA with the hash matching the curve size, Ed25519, RSA PKCS#1 v1.5 with SHA-256.
   */
  public static SignatureAlgorithm defaultFor(PublicKey key) throws SigningException {
    if (key instanceof ECPublicKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      return switch (bits) {
        case 256 -> ECDSA_SHA256;
        case 384 -> ECDSA_SHA384;
        case 521 -> ECDSA_SHA512;
        default -> throw SigningException.badInput("choosing a signature algorithm", "unsupported EC curve size " + bits);
      };
    }
    if (key instanceof RSAPublicKey) {
      return RSA_PKCS1V15_SHA256;
    }
    if (isEd25519(key)) {
      return ED25519;
    }
    throw SigningException.badInput("choosing a signature algorithm", "unsupported key type " + key.getAlgorithm());
  }

  /** Whether {@code key} is of the type this scheme needs. */
  public boolean accepts(PublicKey key) {
    return switch (keyType()) {
      case "EC" -> key instanceof ECPublicKey;
      case "RSA" -> key instanceof RSAPublicKey;
      default -> isEd25519(key);
    };
  }

  static boolean isEd25519(java.security.Key key) {
    String alg = key.getAlgorithm().toUpperCase(Locale.ROOT);
    return alg.equals("ED25519") || alg.equals("EDDSA");
  }

  /** Parses a user-facing name such as {@code ecdsa-sha256} or {@code rsa-pss-sha256}. */
  public static SignatureAlgorithm parse(String name) throws SigningException {
    String normalized = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (SignatureAlgorithm a : values()) {
      if (a.name().equals(normalized)) {
        return a;
      }
    }
    if (normalized.equals("RSA_PKCS1_SHA256")) {
      return RSA_PKCS1V15_SHA256;
    }
    throw SigningException.badInput("signature algorithm", "unknown algorithm \"" + name + "\"");
  }
}
