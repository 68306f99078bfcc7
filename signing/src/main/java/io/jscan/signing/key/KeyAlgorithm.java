package io.jscan.signing.key;

import io.jscan.signing.SigningException;
import java.util.Locale;

/** Key types {@code generate-key-pair} can create. ECDSA P-256 is cosign's default. */
public enum KeyAlgorithm {
  ECDSA_P256("ecdsa-p256"),
  ECDSA_P384("ecdsa-p384"),
  ED25519("ed25519"),
  RSA_2048("rsa-2048"),
  RSA_3072("rsa-3072"),
  RSA_4096("rsa-4096");

  private final String cliName;

  KeyAlgorithm(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  public static KeyAlgorithm parse(String name) throws SigningException {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (KeyAlgorithm a : values()) {
      if (a.cliName.equals(n)) {
        return a;
      }
    }
    throw SigningException.badInput(
        "key algorithm", "unknown \"" + name + "\" (one of ecdsa-p256, ecdsa-p384, ed25519, rsa-2048, rsa-3072, rsa-4096)");
  }
}
