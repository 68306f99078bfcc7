package io.jscan.signing.keyless;

import dev.sigstore.AlgorithmRegistry;
import dev.sigstore.KeylessSigner;
import dev.sigstore.KeylessSignerException;
import dev.sigstore.SigningConfigProvider;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.oidc.client.OidcClients;
import dev.sigstore.oidc.client.TokenStringOidcClient;
import dev.sigstore.trustroot.ImmutableService;
import dev.sigstore.trustroot.ImmutableSigstoreSigningConfig;
import dev.sigstore.trustroot.ImmutableValidFor;
import dev.sigstore.trustroot.Service;
import dev.sigstore.trustroot.SigstoreConfigurationException;
import dev.sigstore.trustroot.SigstoreSigningConfig;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import dev.sigstore.tuf.SigstoreTufClient;
import io.jscan.core.io.InputLimit;
import io.jscan.core.oci.Digest;
import io.jscan.signing.SigningException;
import io.jscan.signing.bundle.SigstoreBundle;
import io.jscan.signing.key.KeyFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Keyless signing through Sigstore Java's {@link KeylessSigner}: an ephemeral key, a short-lived
 * Fulcio certificate for the OIDC identity, and a Rekor entry, returned as a Sigstore bundle.
 *
 * <p>This needs network access to Fulcio, Rekor and (for the public-good instance) Sigstore's TUF
 * repository; failures to reach them are {@link io.jscan.core.FailureKind#UNEXPECTED} with a message
 * saying so. Everything up to the network is built and checked here, and tested offline.
 */
public final class KeylessSigning {
  private KeylessSigning() {}

  /** The signing configuration for custom Fulcio/Rekor/TSA URLs (empty for public good: TUF supplies it). */
  public static java.util.Optional<SigstoreSigningConfig> signingConfig(KeylessOptions options) {
    if (options.fulcioUrl().isEmpty()) {
      return java.util.Optional.empty();
    }
    ImmutableSigstoreSigningConfig.Builder b =
        ImmutableSigstoreSigningConfig.builder()
            .addCas(service(options.fulcioUrl().get()))
            .addTLogs(service(options.rekorUrl().get()))
            .tsaConfig(Service.Config.ofAny())
            .tLogConfig(Service.Config.ofAny());
    options.tsaUrl().ifPresent(u -> b.addTsas(service(u)));
    return java.util.Optional.of(b.build());
  }

  private static Service service(URI url) {
    // valid from the epoch with no end: the operator chose this URL explicitly
    return ImmutableService.builder().url(url).apiVersion(1).validFor(ImmutableValidFor.builder().start(Instant.EPOCH).build()).build();
  }

  /** A configured Sigstore Java builder: public good by default, or the given deployment; the token is used as is. */
  public static KeylessSigner.Builder builder(KeylessOptions options, String identityToken) throws SigningException {
    KeylessSigner.Builder b = KeylessSigner.builder();
    if (options.isPublicGood()) {
      b.sigstorePublicDefaults();
    } else {
      TrustedRootProvider roots;
      SigningConfigProvider configs;
      if (options.tufMirror().isPresent()) {
        SigstoreTufClient.Builder tuf = SigstoreTufClient.builder()
            .tufMirror(options.tufMirror().get(), TrustedRoots.initialRoot(options.tufRoot().get()));
        options.tufCache().ifPresent(tuf::tufCacheLocation);
        roots = TrustedRootProvider.from(tuf);
        configs = SigningConfigProvider.from(tuf);
      } else {
        // read here, bounded, rather than by Sigstore Java, which reads a file whole whatever it is
        byte[] json = KeyFiles.read(options.trustedRoot().get(), InputLimit.TRUSTED_ROOT, "the trusted root");
        roots = () -> SigstoreTrustedRoot.from(new java.io.ByteArrayInputStream(json));
        configs = null;
      }
      java.util.Optional<SigstoreSigningConfig> custom = signingConfig(options);
      if (custom.isPresent()) {
        SigstoreSigningConfig config = custom.get();
        configs = () -> config;
      }
      if (configs == null) {
        throw SigningException.badInput("keyless signing", "a trusted root file needs --fulcio-url and --rekor-url");
      }
      b.trustedRootProvider(roots).signingConfigProvider(configs).signingAlgorithm(AlgorithmRegistry.SigningAlgorithm.PKIX_ECDSA_P256_SHA_256);
    }
    b.forceCredentialProviders(OidcClients.of(TokenStringOidcClient.from(identityToken)));
    return b;
  }

  /** Signs an artifact's SHA-256 keylessly; returns the bundle (v0.3) with certificate and log entry. */
  public static SigstoreBundle sign(KeylessOptions options, String identityToken, Digest sha256) throws SigningException {
    if (!sha256.algorithm().equals(Digest.SHA256)) {
      throw SigningException.badInput("keyless signing", "Sigstore signs sha256 digests, got " + sha256.algorithm());
    }
    KeylessSigner signer;
    try {
      signer = builder(options, identityToken).build();
    } catch (SigstoreConfigurationException e) {
      throw unreachable("loading the Sigstore trust root and signing configuration", e, options);
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      throw SigningException.unexpected("keyless signing", "cannot configure Sigstore: " + e.getMessage(), e);
    }
    try (signer) {
      dev.sigstore.bundle.Bundle bundle = signer.sign(HexFormat.of().parseHex(sha256.encoded()));
      return SigstoreBundle.parse(bundle.toJson().getBytes(StandardCharsets.UTF_8), "(keyless signature)");
    } catch (KeylessSignerException e) {
      throw unreachable("obtaining a certificate and log entry", e, options);
    } catch (RuntimeException e) {
      // Sigstore Java lets gRPC's StatusRuntimeException (UNAVAILABLE, DEADLINE_EXCEEDED) escape
      throw unreachable("obtaining a certificate and log entry", e, options);
    }
  }

  /**
   * Signs an in-toto statement keylessly as a DSSE envelope (Sigstore Java's {@code attest}); returns
   * the bundle (v0.3) with certificate and log entry. An image signature in bundle form is such an
   * attestation too (cosign 3's {@code https://sigstore.dev/cosign/sign/v1} statement).
   */
  public static SigstoreBundle attest(KeylessOptions options, String identityToken, io.jscan.signing.payload.InTotoStatement statement)
      throws SigningException {
    KeylessSigner signer;
    try {
      signer = builder(options, identityToken).build();
    } catch (SigstoreConfigurationException e) {
      throw unreachable("loading the Sigstore trust root and signing configuration", e, options);
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      throw SigningException.unexpected("keyless signing", "cannot configure Sigstore: " + e.getMessage(), e);
    }
    try (signer) {
      dev.sigstore.bundle.Bundle bundle = signer.attest(new String(statement.toJson(), StandardCharsets.UTF_8));
      return SigstoreBundle.parse(bundle.toJson().getBytes(StandardCharsets.UTF_8), "(keyless attestation)");
    } catch (KeylessSignerException e) {
      throw unreachable("obtaining a certificate and log entry", e, options);
    } catch (RuntimeException e) {
      throw unreachable("obtaining a certificate and log entry", e, options);
    }
  }

  private static SigningException unreachable(String step, Exception e, KeylessOptions options) {
    StringBuilder causes = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      causes.append(": ").append(c.getMessage());
    }
    String where = options.isPublicGood() ? "Sigstore's public-good instance (TUF, Fulcio, Rekor)"
        : "Fulcio " + options.fulcioUrl().map(URI::toString).orElse("(from TUF)") + " / Rekor " + options.rekorUrl().map(URI::toString).orElse("(from TUF)");
    return SigningException.unexpected("keyless signing: " + step,
        "cannot reach " + where + "; keyless signing needs network access to them (" + causes.toString().lines().findFirst().orElse("") + ")", e);
  }

}
