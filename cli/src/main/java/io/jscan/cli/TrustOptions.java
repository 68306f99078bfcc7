package io.jscan.cli;

import io.jscan.core.transport.store.LocalStore;
import io.jscan.signing.SigningException;
import io.jscan.signing.bundle.CertificateIdentity;
import io.jscan.signing.bundle.TrustedRoot;
import io.jscan.signing.key.KeyFiles;
import io.jscan.signing.keyless.TrustedRoots;
import io.jscan.signing.oci.TrustPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Whom {@code jscan verify} trusts for signatures and attestations, with cosign's option names:
 * {@code --key} (repeatable), {@code --certificate-identity[-regexp]} with {@code
 * --certificate-oidc-issuer[-regexp]}, {@code --trusted-root} (offline; without it keyless
 * verification gets the public-good root through TUF, which needs network access).
 */
final class TrustOptions {
  @Option(names = "--key", paramLabel = "FILE", description = "Trust this public key (cosign.pub, PEM); repeatable. A signature by any of them counts.")
  List<Path> keys = new ArrayList<>();

  @Option(names = "--certificate-identity", paramLabel = "SAN", description = "Keyless: the exact signer identity (certificate SAN).")
  String identity;

  @Option(names = "--certificate-identity-regexp", paramLabel = "REGEXP", description = "Keyless: the signer identity as a regular expression (matches anywhere, as cosign).")
  String identityRegexp;

  @Option(names = "--certificate-oidc-issuer", paramLabel = "URL", description = "Keyless: the exact OIDC issuer in the certificate.")
  String issuer;

  @Option(names = "--certificate-oidc-issuer-regexp", paramLabel = "REGEXP", description = "Keyless: the OIDC issuer as a regular expression.")
  String issuerRegexp;

  @Option(names = "--trusted-root", paramLabel = "FILE",
      description = "Sigstore trusted root JSON (offline). Without it, keyless verification fetches Sigstore's through TUF (network).")
  Path trustedRoot;

  @Option(names = "--tuf-mirror", paramLabel = "URL", description = "A private Sigstore's TUF repository (with --tuf-root).")
  URI tufMirror;

  @Option(names = "--tuf-root", paramLabel = "FILE", description = "The initial root.json of --tuf-mirror.")
  Path tufRoot;

  @Option(names = "--require-tlog",
      description = "Key signatures need a verified transparency log entry too (keyless ones always do). Needs --trusted-root or TUF.")
  boolean requireTlog;

  boolean identityGiven() {
    return identity != null || identityRegexp != null || issuer != null || issuerRegexp != null;
  }

  /** Whether any trust was given (then a verified signature is required). */
  boolean given() {
    return !keys.isEmpty() || identityGiven();
  }

  TrustPolicy policy() throws SigningException {
    List<TrustPolicy.TrustedKey> trusted = new ArrayList<>();
    for (Path k : keys) {
      trusted.add(new TrustPolicy.TrustedKey(k.toString(), KeyFiles.readPublicKey(k)));
    }
    List<CertificateIdentity> identities = new ArrayList<>();
    if (identityGiven()) {
      identities.add(CertificateIdentity.of(identity, identityRegexp, issuer, issuerRegexp));
    }
    Optional<TrustedRoot> root = Optional.empty();
    if (trustedRoot != null) {
      root = Optional.of(TrustedRoot.read(trustedRoot));
    } else if (!identities.isEmpty() || requireTlog) {
      root = Optional.of(TrustedRoots.fromTuf(Optional.ofNullable(tufMirror), Optional.ofNullable(tufRoot), tufCache()));
    }
    return new TrustPolicy(trusted, identities, root, requireTlog);
  }

  private static Path tufCache() {
    return LocalStore.defaultHome().resolve(".jscan").resolve("tuf");
  }
}
