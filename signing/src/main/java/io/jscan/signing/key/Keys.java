package io.jscan.signing.key;

import io.jscan.signing.Crypto;
import io.jscan.signing.SigningException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jcajce.interfaces.EdDSAPrivateKey;
import org.bouncycastle.jce.spec.ECParameterSpec;
import org.bouncycastle.jce.spec.ECPublicKeySpec;

/**
 * Reading, writing and generating keys in the formats cosign uses (cosign {@code pkg/cosign/keys.go}):
 *
 * <ul>
 *   <li>private: {@code ENCRYPTED SIGSTORE PRIVATE KEY} (cosign 2+), {@code ENCRYPTED COSIGN PRIVATE
 *       KEY} (cosign 1) — an {@link EncryptedKeyEnvelope} around PKCS#8 DER; plain PKCS#8 {@code
 *       PRIVATE KEY}; SEC 1 {@code EC PRIVATE KEY}; PKCS#1 {@code RSA PRIVATE KEY}.
 *   <li>public: PKIX {@code PUBLIC KEY} (RFC 5280 SubjectPublicKeyInfo).
 * </ul>
 *
 * Supported key types: ECDSA on P-256, P-384 and P-521, Ed25519, RSA of at least 2048 bits.
 */
public final class Keys {
  public static final String SIGSTORE_PRIVATE_KEY = "ENCRYPTED SIGSTORE PRIVATE KEY";
  public static final String COSIGN_PRIVATE_KEY = "ENCRYPTED COSIGN PRIVATE KEY";
  public static final String PKCS8_PRIVATE_KEY = "PRIVATE KEY";
  public static final String EC_PRIVATE_KEY = "EC PRIVATE KEY";
  public static final String RSA_PRIVATE_KEY = "RSA PRIVATE KEY";
  public static final String PUBLIC_KEY = "PUBLIC KEY";

  private static final Set<ASN1ObjectIdentifier> CURVES =
      Set.of(SECObjectIdentifiers.secp256r1, SECObjectIdentifiers.secp384r1, SECObjectIdentifiers.secp521r1);
  private static final int MIN_RSA_BITS = 2048;

  private Keys() {}

  /** A fresh key pair. */
  public static SigningKey generate(KeyAlgorithm algorithm) {
    try {
      KeyPairGenerator g;
      switch (algorithm) {
        case ECDSA_P256, ECDSA_P384 -> {
          g = KeyPairGenerator.getInstance("EC", Crypto.provider());
          g.initialize(new ECGenParameterSpec(algorithm == KeyAlgorithm.ECDSA_P256 ? "secp256r1" : "secp384r1"), Crypto.random());
        }
        case ED25519 -> g = KeyPairGenerator.getInstance("Ed25519", Crypto.provider());
        default -> {
          int bits = Integer.parseInt(algorithm.cliName().substring("rsa-".length()));
          g = KeyPairGenerator.getInstance("RSA", Crypto.provider());
          g.initialize(new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4), Crypto.random());
        }
      }
      KeyPair kp = g.generateKeyPair();
      return new SigningKey(kp.getPrivate(), kp.getPublic());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Bouncy Castle cannot generate " + algorithm, e);
    }
  }

  // ---- writing

  /** cosign.pub: the PKIX DER of the key in a {@code PUBLIC KEY} PEM block. */
  public static String publicKeyPem(PublicKey key) {
    return new PemBlock(PUBLIC_KEY, key.getEncoded()).encode();
  }

  /** cosign.key: the PKCS#8 DER of the key, encrypted, in an {@code ENCRYPTED SIGSTORE PRIVATE KEY} block. */
  public static String encryptedPrivateKeyPem(SigningKey key, char[] password, EncryptedKeyEnvelope.Strength strength) {
    byte[] pkcs8 = key.privateKey().getEncoded();
    try {
      return new PemBlock(SIGSTORE_PRIVATE_KEY, EncryptedKeyEnvelope.encrypt(pkcs8, password, strength)).encode();
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }

  /**
   * The Sigstore "key hint" of a public key: base64 of the SHA-256 of its PKIX DER. cosign writes it
   * as {@code verificationMaterial.publicKey.hint} in bundles, and Rekor uses the same hash as log id.
   */
  public static String hint(PublicKey key) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JCA lacks SHA-256", e);
    }
  }

  // ---- reading

  /** Reads a private key file in any of the formats above; asks {@code passwords} only if it is encrypted. */
  public static SigningKey parsePrivateKey(byte[] pem, PasswordSource passwords, String source) throws SigningException {
    PemBlock block = PemBlock.parseOne(pem, source);
    String what = "reading private key " + source;
    return switch (block.type()) {
      case SIGSTORE_PRIVATE_KEY, COSIGN_PRIVATE_KEY -> {
        char[] password = passwords.password();
        byte[] pkcs8;
        try {
          pkcs8 = EncryptedKeyEnvelope.decrypt(block.bytes(), password, source);
        } finally {
          Arrays.fill(password, '\0');
        }
        try {
          yield fromPkcs8(pkcs8, what);
        } finally {
          Arrays.fill(pkcs8, (byte) 0);
        }
      }
      case PKCS8_PRIVATE_KEY -> fromPkcs8(block.bytes(), what);
      case EC_PRIVATE_KEY -> fromSec1(block.bytes(), what);
      case RSA_PRIVATE_KEY -> fromPkcs1Rsa(block.bytes(), what);
      default -> throw SigningException.badInput(what, "unsupported PEM type \"" + block.type() + "\"");
    };
  }

  /** Reads a {@code PUBLIC KEY} PEM file. */
  public static PublicKey parsePublicKey(byte[] pem, String source) throws SigningException {
    PemBlock block = PemBlock.parseOne(pem, source);
    if (!block.type().equals(PUBLIC_KEY)) {
      throw SigningException.badInput("reading public key " + source, "expected a PUBLIC KEY PEM block, found " + block.type());
    }
    return fromPkix(block.bytes(), "reading public key " + source);
  }

  /** A PKIX SubjectPublicKeyInfo DER (as in trusted roots and bundles). */
  public static PublicKey fromPkix(byte[] der, String what) throws SigningException {
    SubjectPublicKeyInfo spki;
    try {
      spki = SubjectPublicKeyInfo.getInstance(der);
    } catch (RuntimeException e) {
      throw SigningException.badInput(what, "not a PKIX public key: " + e.getMessage());
    }
    ASN1ObjectIdentifier oid = spki.getAlgorithm().getAlgorithm();
    String type = keyFactoryType(oid, spki.getAlgorithm(), what);
    PublicKey key;
    try {
      key = KeyFactory.getInstance(type, Crypto.provider()).generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw SigningException.badInput(what, "invalid " + type + " public key: " + e.getMessage());
    }
    checkStrength(key, what);
    return key;
  }

  /** A bare PKCS#1 RSAPublicKey DER (as some trusted roots carry CT log keys). */
  public static PublicKey publicFromPkcs1Rsa(byte[] der, String what) throws SigningException {
    try {
      SubjectPublicKeyInfo spki = new SubjectPublicKeyInfo(
          new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, org.bouncycastle.asn1.DERNull.INSTANCE),
          org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(der));
      return fromPkix(spki.getEncoded(), what);
    } catch (IOException | RuntimeException e) {
      throw SigningException.badInput(what, "not a PKCS#1 RSA public key: " + e.getMessage());
    }
  }

  private static SigningKey fromPkcs8(byte[] der, String what) throws SigningException {
    PrivateKeyInfo info;
    try {
      info = PrivateKeyInfo.getInstance(der);
    } catch (RuntimeException e) {
      throw SigningException.badInput(what, "not a PKCS#8 private key: " + e.getMessage());
    }
    String type = keyFactoryType(info.getPrivateKeyAlgorithm().getAlgorithm(), info.getPrivateKeyAlgorithm(), what);
    PrivateKey priv;
    try {
      priv = KeyFactory.getInstance(type, Crypto.provider()).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw SigningException.badInput(what, "invalid " + type + " private key: " + e.getMessage());
    }
    PublicKey pub = derivePublic(priv, what);
    checkStrength(pub, what);
    return new SigningKey(priv, pub);
  }

  private static SigningKey fromSec1(byte[] der, String what) throws SigningException {
    ECPrivateKey sec1;
    try {
      sec1 = ECPrivateKey.getInstance(der);
    } catch (RuntimeException e) {
      throw SigningException.badInput(what, "not a SEC 1 EC private key: " + e.getMessage());
    }
    if (sec1.getParametersObject() == null) {
      throw SigningException.badInput(what, "the EC PRIVATE KEY does not name its curve");
    }
    AlgorithmIdentifier alg = new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, sec1.getParametersObject());
    try {
      return fromPkcs8(new PrivateKeyInfo(alg, sec1).getEncoded(), what);
    } catch (IOException e) {
      throw SigningException.badInput(what, "cannot re-encode the EC key: " + e.getMessage());
    }
  }

  private static SigningKey fromPkcs1Rsa(byte[] der, String what) throws SigningException {
    try {
      org.bouncycastle.asn1.pkcs.RSAPrivateKey.getInstance(der);
      AlgorithmIdentifier alg = new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, org.bouncycastle.asn1.DERNull.INSTANCE);
      return fromPkcs8(new PrivateKeyInfo(alg, org.bouncycastle.asn1.ASN1Primitive.fromByteArray(der)).getEncoded(), what);
    } catch (IOException | RuntimeException e) {
      throw SigningException.badInput(what, "not a PKCS#1 RSA private key: " + e.getMessage());
    }
  }

  private static String keyFactoryType(ASN1ObjectIdentifier oid, AlgorithmIdentifier alg, String what) throws SigningException {
    if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      if (alg.getParameters() == null || !(alg.getParameters() instanceof ASN1ObjectIdentifier curve) || !CURVES.contains(curve)) {
        throw SigningException.badInput(what, "unsupported EC curve (only P-256, P-384 and P-521)");
      }
      return "EC";
    }
    if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
      return "Ed25519";
    }
    if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
      return "RSA";
    }
    throw SigningException.badInput(what, "unsupported key algorithm " + oid.getId() + " (ECDSA, Ed25519 or RSA)");
  }

  private static PublicKey derivePublic(PrivateKey priv, String what) throws SigningException {
    try {
      if (priv instanceof org.bouncycastle.jce.interfaces.ECPrivateKey ec) {
        ECParameterSpec spec = ec.getParameters();
        return KeyFactory.getInstance("EC", Crypto.provider())
            .generatePublic(new ECPublicKeySpec(spec.getG().multiply(ec.getD()).normalize(), spec));
      }
      if (priv instanceof EdDSAPrivateKey ed) {
        return ed.getPublicKey();
      }
      if (priv instanceof RSAPrivateCrtKey rsa) {
        return KeyFactory.getInstance("RSA", Crypto.provider())
            .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
      }
    } catch (GeneralSecurityException e) {
      throw SigningException.badInput(what, "cannot derive the public key: " + e.getMessage());
    }
    throw SigningException.badInput(what, "unsupported private key " + priv.getAlgorithm());
  }

  private static void checkStrength(PublicKey key, String what) throws SigningException {
    if (key instanceof java.security.interfaces.RSAPublicKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
      // sigstore refuses RSA keys under 2048 bits; so do we, rather than verify a forgeable signature
      throw SigningException.badInput(what, "RSA key of " + rsa.getModulus().bitLength() + " bits is too small (minimum 2048)");
    }
  }

  /** Whether two keys are the same key (same PKIX encoding). */
  public static boolean sameKey(PublicKey a, PublicKey b) {
    return MessageDigest.isEqual(a.getEncoded(), b.getEncoded());
  }
}
