package io.jscan.cli;

import io.jscan.signing.SigningException;
import io.jscan.signing.key.KeyFiles;
import io.jscan.signing.keyless.IdentityTokens;
import io.jscan.signing.keyless.KeylessOptions;
import io.jscan.signing.oci.SigningMethod;
import io.jscan.signing.oci.StorageFormat;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * How {@code sign}, {@code attest} and {@code build --sign} sign: {@code --key FILE} (offline), or
 * {@code --keyless} through Sigstore (an OIDC token from {@code SIGSTORE_ID_TOKEN} or {@code
 * --identity-token FILE}; the public-good instance unless Fulcio/Rekor/TUF options say otherwise).
 * Keyless signing needs network access to Sigstore.
 */
final class KeylessMixin {
  @Option(names = "--key", paramLabel = "FILE", description = "Sign with this private key (cosign.key or PEM; password from JSCAN_PASSWORD or COSIGN_PASSWORD).")
  Path key;

  @Option(names = "--keyless", description = "Sign keyless through Sigstore (Fulcio certificate, Rekor entry); needs network access. Stores a bundle.")
  boolean keyless;

  @Option(names = "--bundle", description = "Store a Sigstore bundle v0.3 as an OCI referrer (as cosign 3) instead of cosign's sha256-<hex> tag.")
  boolean bundle;

  @Option(names = "--identity-token", paramLabel = "FILE", description = "Keyless: the OIDC token (default: $SIGSTORE_ID_TOKEN).")
  Path identityToken;

  @Option(names = "--fulcio-url", paramLabel = "URL", description = "Keyless: a private Fulcio (with --rekor-url).")
  URI fulcioUrl;

  @Option(names = "--rekor-url", paramLabel = "URL", description = "Keyless: a private Rekor (with --fulcio-url).")
  URI rekorUrl;

  @Option(names = "--tsa-url", paramLabel = "URL", description = "Keyless: a timestamp authority of the private deployment.")
  URI tsaUrl;

  @Option(names = "--signing-trusted-root", paramLabel = "FILE", description = "Keyless: the private deployment's trusted root.")
  Path trustedRoot;

  @Option(names = "--signing-tuf-mirror", paramLabel = "URL", description = "Keyless: the private deployment's TUF mirror (with --signing-tuf-root).")
  URI tufMirror;

  @Option(names = "--signing-tuf-root", paramLabel = "FILE", description = "Keyless: the initial root.json of --signing-tuf-mirror.")
  Path tufRoot;

  boolean given() {
    return key != null || keyless;
  }

  /** The signing method; the key is read (and its password asked) now, before anything is written. */
  SigningMethod method(Map<String, String> env, String command) throws SigningException {
    if ((key != null) == keyless) {
      throw SigningException.badInput(command, "give exactly one of --key and --keyless");
    }
    if (key != null) {
      if (identityToken != null || fulcioUrl != null || rekorUrl != null || tsaUrl != null || trustedRoot != null || tufMirror != null) {
        throw SigningException.badInput(command, "the keyless options (--identity-token, --fulcio-url, ...) need --keyless, not --key");
      }
      return new SigningMethod.WithKey(KeyFiles.readPrivateKey(key, Passwords.forReading(env, key.toString())).signer());
    }
    KeylessOptions options;
    try {
      options = new KeylessOptions(Optional.ofNullable(fulcioUrl), Optional.ofNullable(rekorUrl), Optional.ofNullable(tsaUrl),
          Optional.ofNullable(trustedRoot), Optional.ofNullable(tufMirror), Optional.ofNullable(tufRoot), Optional.empty());
    } catch (IllegalArgumentException e) {
      throw SigningException.badInput(command, e.getMessage());
    }
    return new SigningMethod.Keyless(options, IdentityTokens.resolve(Optional.ofNullable(identityToken), env));
  }

  StorageFormat format() {
    // keyless signatures travel with their certificate and log entry: a bundle is their form
    return bundle || keyless ? StorageFormat.BUNDLE_REFERRER : StorageFormat.COSIGN_TAG;
  }
}
