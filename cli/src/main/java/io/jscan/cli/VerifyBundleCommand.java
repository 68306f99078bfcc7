package io.jscan.cli;

import io.jscan.core.io.InputLimit;
import io.jscan.core.text.Printable;
import io.jscan.core.oci.Digest;
import io.jscan.signing.SigningException;
import io.jscan.signing.bundle.Artifact;
import io.jscan.signing.bundle.BundleVerifier;
import io.jscan.signing.bundle.CertificateIdentity;
import io.jscan.signing.bundle.SigstoreBundle;
import io.jscan.signing.bundle.TrustedRoot;
import io.jscan.signing.bundle.VerificationPolicy;
import io.jscan.signing.bundle.VerifiedBundle;
import io.jscan.signing.key.KeyFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jscan verify-bundle}: offline verification of a Sigstore bundle against a trusted root. */
@Command(
    name = "verify-bundle",
    description = {
      "Verify a Sigstore bundle (v0.1-v0.3) offline against a trusted root file.",
      "",
      "The bundle signs a file (--artifact) or a sha256 digest (--digest). Key-signed bundles need --key; keyless ones"
          + " --certificate-identity[-regexp] and --certificate-oidc-issuer[-regexp].",
      "Exit 0 when it verifies, 4 when it does not, 2 on malformed input."
    })
final class VerifyBundleCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--bundle", required = true, description = "The bundle (JSON).")
  Path bundle;

  @Option(names = "--artifact", description = "The signed file.")
  Path artifact;

  @Option(names = "--digest", description = "The signed artifact's digest, sha256:<hex> (e.g. an image manifest digest).")
  String digest;

  @Option(names = "--key", description = "Public key of a key-signed bundle.")
  Path key;

  @Option(names = "--certificate-identity", description = "Exact signer identity (certificate SAN).")
  String identity;

  @Option(names = "--certificate-identity-regexp", description = "Signer identity regular expression (matches anywhere, as cosign).")
  String identityRegexp;

  @Option(names = "--certificate-oidc-issuer", description = "Exact OIDC issuer recorded in the certificate.")
  String issuer;

  @Option(names = "--certificate-oidc-issuer-regexp", description = "OIDC issuer regular expression.")
  String issuerRegexp;

  @Option(names = "--trusted-root", required = true,
      description = "Trusted root (application/vnd.dev.sigstore.trustedroot+json;version=0.1).")
  Path trustedRoot;

  @Option(names = "--insecure-ignore-tlog", description = "Accept a key-signed bundle without a transparency log entry.")
  boolean ignoreTlog;

  @Override
  public Integer call() throws SigningException {
    if ((artifact == null) == (digest == null)) {
      throw SigningException.badInput("verify-bundle", "give exactly one of --artifact and --digest");
    }
    boolean identityGiven = identity != null || identityRegexp != null || issuer != null || issuerRegexp != null;
    if ((key != null) == identityGiven) {
      throw SigningException.badInput("verify-bundle", "give either --key or the --certificate-identity/--certificate-oidc-issuer options");
    }
    VerificationPolicy policy;
    if (key != null) {
      policy = new VerificationPolicy.Key(KeyFiles.readPublicKey(key), !ignoreTlog);
    } else {
      if (ignoreTlog) {
        throw SigningException.badInput("verify-bundle", "--insecure-ignore-tlog applies to key-signed bundles only");
      }
      policy = VerificationPolicy.identity(CertificateIdentity.of(identity, identityRegexp, issuer, issuerRegexp));
    }
    Artifact subject;
    if (artifact != null) {
      subject = Artifact.ofFile(artifact);
    } else {
      try {
        subject = Artifact.ofDigest(Digest.parse(digest));
      } catch (IllegalArgumentException e) {
        throw SigningException.badInput("--digest", e.getMessage());
      }
    }
    TrustedRoot root = TrustedRoot.read(trustedRoot);
    SigstoreBundle parsed = SigstoreBundle.parse(KeyFiles.read(bundle, InputLimit.BUNDLE, "the bundle"), bundle.toString());
    VerifiedBundle result;
    try {
      result = BundleVerifier.verify(parsed, subject, policy, root);
    } catch (SigningException e) {
      // name the bundle: the message is the one line a CI log shows
      throw new SigningException(e.kind(), "verifying " + bundle, e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    StringBuilder line = new StringBuilder("Verified OK: ").append(subject.sha256()).append(" signed by ").append(result.signer());
    result.logIndex().ifPresent(i -> line.append(", log index ").append(i));
    result.signedAt().ifPresent(t -> line.append(", at ").append(t));
    result.statement().ifPresent(s -> line.append(", predicate ").append(s.predicateType()));
    // the signer (a certificate's SAN) and the predicate type are the bundle's words: escaped
    out.println(Printable.escape(line.toString()));
    out.flush();
    return ExitCode.OK.code();
  }
}
