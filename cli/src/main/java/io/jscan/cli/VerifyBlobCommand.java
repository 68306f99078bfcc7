package io.jscan.cli;

import io.jscan.core.io.InputLimit;
import io.jscan.signing.SigningException;
import io.jscan.signing.Verifiers;
import io.jscan.signing.key.KeyFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jscan verify-blob --key K --signature SIG FILE}, as {@code cosign verify-blob} with a key. */
@Command(
    name = "verify-blob",
    description = {
      "Verify a signature over a file with a public key.",
      "",
      "The signature file holds the base64 signature cosign writes (raw DER is accepted too)."
          + " Exit 0 when it verifies, 4 when not."
    })
final class VerifyBlobCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--key", required = true, description = "Public key file (PEM).")
  Path key;

  @Option(names = "--signature", required = true, description = "Signature file (base64).")
  Path signature;

  @Parameters(index = "0", paramLabel = "FILE", description = "The signed file.")
  Path file;

  @Override
  public Integer call() throws SigningException {
    var verifier = Verifiers.of(KeyFiles.readPublicKey(key));
    byte[] sig = decodeSignature(KeyFiles.read(signature, InputLimit.SIGNATURE, "the signature"));
    byte[] content = KeyFiles.read(file, InputLimit.SIGNED_BLOB, "the file");
    try {
      verifier.verify(content, sig);
    } catch (SigningException e) {
      throw new SigningException(e.kind(), "verifying " + file, "the signature in " + signature + " does not verify under " + key, e);
    }
    spec.commandLine().getOut().println("Verified OK");
    spec.commandLine().getOut().flush();
    return ExitCode.OK.code();
  }

  /** cosign writes base64; like cosign, fall back to the raw bytes when the file is not base64. */
  static byte[] decodeSignature(byte[] file) {
    String text = new String(file, StandardCharsets.US_ASCII).trim();
    try {
      byte[] decoded = Base64.getDecoder().decode(text);
      if (decoded.length > 0) {
        return decoded;
      }
    } catch (IllegalArgumentException e) {
      // not base64: raw signature bytes
    }
    return file;
  }
}
