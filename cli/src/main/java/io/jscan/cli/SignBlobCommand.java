package io.jscan.cli;

import io.jscan.signing.Signer;
import io.jscan.signing.SigningException;
import io.jscan.signing.bundle.Artifact;
import io.jscan.signing.bundle.KeyBundles;
import io.jscan.signing.key.KeyFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jscan sign-blob --key K FILE}: cosign's base64 signature on stdout, optionally a v0.3 bundle. */
@Command(
    name = "sign-blob",
    description = {
      "Sign a file with a key and print the base64 signature.",
      "",
      "The key is in cosign's format or PKCS#8 PEM. With --bundle, a Sigstore v0.3 bundle is written too"
          + " (no transparency log entry: verify it with --insecure-ignore-tlog, as a cosign bundle made with the log off)."
    })
final class SignBlobCommand implements Callable<Integer>, Jscan.EnvironmentAware {
  @Spec CommandSpec spec;

  @Option(names = "--key", required = true, description = "Private key file.")
  Path key;

  @Option(names = {"--output-signature"}, description = "Also write the base64 signature to this file.")
  Path signatureOut;

  @Option(names = "--bundle", description = "Write a Sigstore bundle to this file.")
  Path bundleOut;

  @Parameters(index = "0", paramLabel = "FILE", description = "The file to sign.")
  Path file;

  private Map<String, String> env = System.getenv();

  @Override
  public void environment(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws SigningException {
    Signer signer = KeyFiles.readPrivateKey(key, Passwords.forReading(env, key.toString())).signer();
    Artifact artifact = Artifact.ofFile(file);
    byte[] signature = signer.sign(artifact.content());
    String b64 = Base64.getEncoder().encodeToString(signature);
    try {
      if (signatureOut != null) {
        Files.writeString(signatureOut, b64, StandardCharsets.US_ASCII);
      }
      if (bundleOut != null) {
        Files.write(bundleOut, KeyBundles.signArtifact(signer, artifact).json());
      }
    } catch (IOException e) {
      throw SigningException.io("writing signature", e);
    }
    spec.commandLine().getOut().println(b64);
    spec.commandLine().getOut().flush();
    return ExitCode.OK.code();
  }
}
