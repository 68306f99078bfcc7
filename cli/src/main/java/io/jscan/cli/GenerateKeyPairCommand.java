package io.jscan.cli;

import io.jscan.signing.SigningException;
import io.jscan.signing.key.EncryptedKeyEnvelope;
import io.jscan.signing.key.KeyAlgorithm;
import io.jscan.signing.key.KeyFiles;
import io.jscan.signing.key.Keys;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jscan generate-key-pair}: writes cosign-compatible {@code <prefix>.key} and {@code <prefix>.pub}. */
@Command(
    name = "generate-key-pair",
    description = {
      "Generate a key pair in cosign's format.",
      "",
      "Writes <prefix>.key (encrypted: scrypt + nacl/secretbox, mode 0600) and <prefix>.pub (PEM public key)."
          + " The password comes from JSCAN_PASSWORD or COSIGN_PASSWORD, else it is prompted for twice without echo."
    })
final class GenerateKeyPairCommand implements Callable<Integer>, Jscan.EnvironmentAware {
  @Spec CommandSpec spec;

  @Option(names = "--output-key-prefix", defaultValue = "cosign", description = "Path prefix of the key files (default: ${DEFAULT-VALUE}).")
  Path prefix;

  @Option(names = "--algorithm", defaultValue = "ecdsa-p256",
      description = "Key type: ecdsa-p256 (default, as cosign), ecdsa-p384, ed25519, rsa-2048, rsa-3072, rsa-4096.")
  String algorithm;

  @Option(names = "--force", description = "Replace existing key files.")
  boolean force;

  private Map<String, String> env = System.getenv();

  @Override
  public void environment(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws SigningException {
    KeyAlgorithm alg = KeyAlgorithm.parse(algorithm);
    char[] password = Passwords.forNewKey(env);
    try {
      KeyFiles.KeyPairPaths paths =
          KeyFiles.writeKeyPair(prefix, Keys.generate(alg), password, EncryptedKeyEnvelope.Strength.STANDARD, force);
      spec.commandLine().getOut().println("Private key written to " + paths.privateKey());
      spec.commandLine().getOut().println("Public key written to " + paths.publicKey());
      spec.commandLine().getOut().flush();
    } finally {
      Arrays.fill(password, '\0');
    }
    return ExitCode.OK.code();
  }
}
