package io.jscan.signing.bundle;

import dev.sigstore.KeylessVerificationException;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.bundle.BundleParseException;
import dev.sigstore.fulcio.client.FulcioVerificationException;
import dev.sigstore.fulcio.client.FulcioVerifier;
import dev.sigstore.trustroot.SigstoreConfigurationException;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import io.jscan.signing.SigningException;
import io.jscan.signing.payload.InTotoStatement;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.security.cert.CertPath;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.security.cert.CertPathValidator;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.util.Optional;

/**
 * Keyless (Fulcio certificate) bundles, verified by Sigstore Java's {@link KeylessVerifier}
 * against the given trusted root only (no TUF, no network): certificate chain to a trusted Fulcio
 * CA valid at signing time, SCTs, the signature, the Rekor entry (SET, inclusion proof, checkpoint)
 * and RFC 3161 timestamps. jscan adds the certificate identity policy (cosign semantics) and the
 * checks listed in {@link #preCheck}, where Sigstore Java is more lenient than the specification.
 */
final class KeylessBundleVerifier {
  private KeylessBundleVerifier() {}

  static VerifiedBundle verify(SigstoreBundle bundle, Artifact artifact, CertificateIdentity identity, TrustedRoot root)
      throws SigningException {
    preCheck(bundle);
    X509Certificate leaf = bundle.material().certificates().get(0);
    // Checks made before Sigstore Java's, in its order (chain, identity) and then the signing time:
    // each can only reject (a bundle failing one would fail later anyway), and each names its
    // precise reason where a later failure (an SCT, the log) would be less telling.
    requireChainToTrustedCa(bundle.material().certificates(), root);
    if (!identity.matches(leaf)) {
      throw SigningException.integrity("verifying bundle", "No provided certificate identities matched values in certificate: wanted " + identity
          + ", certificate has " + describe(leaf));
    }
    for (TlogEntry e : bundle.material().tlogEntries()) {
      if (e.integratedTime().isPresent()) {
        requireValidAt(leaf, Instant.ofEpochSecond(e.integratedTime().get()), "the log's integrated time");
      }
    }
    VerifiedBundle result = sigstoreJavaReads(bundle)
        ? verifyWithSigstoreJava(bundle, artifact, identity, root, leaf)
        : verifyWithJscan(bundle, artifact, identity, root, leaf);
    // Sigstore Java 2.0 checks the leaf's validity against RFC 3161 times but not against the
    // log's integrated time (sigstore-conformance integrated-time-in-future_fail): a certificate
    // lives ~10 minutes and only proves anything for signatures made within that window.
    for (TlogEntry e : bundle.material().tlogEntries()) {
      if (e.integratedTime().isPresent()) {
        requireValidAt(leaf, Instant.ofEpochSecond(e.integratedTime().get()), "the log's integrated time");
      }
    }
    return result;
  }

  /**
   * Whether Sigstore Java 2.0 can read this bundle: it knows hashedrekord and dsse entries and
   * SHA-256 message digests only. Others (intoto 0.0.2 entries, P-384 hashedrekords) take jscan's
   * path, which still uses Sigstore Java's Fulcio verifier for the certificate chain and SCTs.
   */
  static boolean sigstoreJavaReads(SigstoreBundle bundle) {
    for (TlogEntry e : bundle.material().tlogEntries()) {
      if (!e.kind().equals("hashedrekord") && !e.kind().equals("dsse")) {
        return false;
      }
    }
    if (bundle.content() instanceof SigstoreBundle.MessageSignature ms) {
      return ms.digest().map(d -> d.algorithm().equals("sha256")).orElse(true);
    }
    return true;
  }

  private static VerifiedBundle verifyWithSigstoreJava(
      SigstoreBundle bundle, Artifact artifact, CertificateIdentity identity, TrustedRoot root, X509Certificate leaf)
      throws SigningException {
    Bundle sjBundle;
    try {
      sjBundle = Bundle.from(new InputStreamReader(new ByteArrayInputStream(bundle.json()), StandardCharsets.UTF_8));
    } catch (BundleParseException | RuntimeException e) {
      throw SigningException.badInput("parsing bundle", String.valueOf(e.getMessage()), e);
    }
    KeylessVerifier verifier;
    try {
      verifier = KeylessVerifier.builder().trustedRootProvider(() -> sigstoreRoot(root)).build();
    } catch (SigstoreConfigurationException | GeneralSecurityException | RuntimeException e) {
      throw SigningException.badInput("loading trusted root " + root.source(), String.valueOf(e.getMessage()), e);
    }
    VerificationOptions options =
        VerificationOptions.builder().addCertificateMatchers(new Matcher(identity)).build();
    try {
      verifier.verify(artifact.digestBytes(), sjBundle, options);
    } catch (KeylessVerificationException e) {
      throw SigningException.integrity("verifying bundle", oneLine(e), e);
    } catch (RuntimeException e) {
      // Sigstore Java signals some malformed evidence with runtime exceptions; whatever the cause,
      // the bundle did not verify, so fail closed
      throw SigningException.integrity("verifying bundle", "verification aborted: " + e, e);
    }
    Optional<InTotoStatement> statement = Optional.empty();
    if (bundle.content() instanceof SigstoreBundle.Dsse dsse) {
      statement = Optional.of(dsse.envelope().statement());
    }
    TlogEntry entry = bundle.material().tlogEntries().get(0);
    return new VerifiedBundle(describe(leaf), entry.integratedTime().map(Instant::ofEpochSecond), Optional.of(entry.logIndex()), statement);
  }

  private static VerifiedBundle verifyWithJscan(
      SigstoreBundle bundle, Artifact artifact, CertificateIdentity identity, TrustedRoot root, X509Certificate leaf)
      throws SigningException {
    try {
      FulcioVerifier fulcio = FulcioVerifier.newFulcioVerifier(sigstoreRoot(root));
      CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(bundle.material().certificates());
      fulcio.verifySigningCertificate(path);
    } catch (FulcioVerificationException e) {
      throw SigningException.integrity("verifying bundle", "Fulcio certificate was not valid: " + e.getMessage(), e);
    } catch (SigstoreConfigurationException | GeneralSecurityException | java.io.IOException | RuntimeException e) {
      throw SigningException.integrity("verifying bundle", "the certificate chain cannot be checked: " + e.getMessage(), e);
    }
    if (!identity.matches(leaf)) {
      throw SigningException.integrity("verifying bundle", "No provided certificate identities matched values in certificate: wanted " + identity + ", certificate has " + describe(leaf));
    }
    EvidenceVerifier.Evidence ev = EvidenceVerifier.verify(bundle, artifact, new SignerMaterial.Certificate(leaf), root, true);
    for (Instant t : ev.times()) {
      requireValidAt(leaf, t, "a verified signing time");
    }
    return new VerifiedBundle(describe(leaf), ev.times().stream().findFirst(), ev.logIndex(), ev.statement());
  }

  /**
   * The bundle's chain must lead to a Fulcio CA of the trusted root that was valid when the leaf
   * was issued (PKIX at the leaf's notBefore, as Sigstore Java's Fulcio verifier checks it; a
   * Fulcio leaf lives minutes, so its own validity is checked against the signing time later).
   */
  static void requireChainToTrustedCa(List<X509Certificate> chain, TrustedRoot root) throws SigningException {
    Instant issued = chain.get(0).getNotBefore().toInstant();
    List<TrustedRoot.CertificateAuthority> cas = root.certificateAuthorities().stream()
        .filter(ca -> ca.validFor().contains(issued) && !ca.chain().isEmpty()).toList();
    if (cas.isEmpty()) {
      throw SigningException.integrity("verifying bundle", "Fulcio certificate was not valid: No valid Certificate Authorities found when validating certificate");
    }
    for (TrustedRoot.CertificateAuthority ca : cas) {
      // the CA's whole chain goes into the path, its root too, as Sigstore Java builds it: so an
      // expired CA certificate fails here as it does there (a trust anchor alone is never checked)
      List<X509Certificate> path = new ArrayList<>(chain);
      List<X509Certificate> caChain = ca.chain();
      for (X509Certificate c : caChain) {
        if (!path.contains(c)) {
          path.add(c);
        }
      }
      try {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(caChain.get(caChain.size() - 1), null)));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(issued));
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        return;
      } catch (GeneralSecurityException e) {
        // try the next CA; none validating is the failure below
      }
    }
    throw SigningException.integrity("verifying bundle", "Fulcio certificate was not valid: Certificate was not verifiable against CAs of the trusted root "
        + root.source());
  }

  private static SigstoreTrustedRoot sigstoreRoot(TrustedRoot root) throws SigstoreConfigurationException {
    return SigstoreTrustedRoot.from(new ByteArrayInputStream(root.json()));
  }

  private static void requireValidAt(X509Certificate leaf, Instant t, String which) throws SigningException {
    try {
      leaf.checkValidity(Date.from(t));
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      throw SigningException.integrity("verifying bundle",
          which + " " + t + " is outside the signing certificate's validity [" + leaf.getNotBefore().toInstant() + ", " + leaf.getNotAfter().toInstant() + "]");
    }
  }

  private static String describe(X509Certificate leaf) {
    return CertificateIdentity.subjectAlternativeNames(leaf).stream().findFirst().orElse("?")
        + " (issuer " + CertificateIdentity.issuerOf(leaf).orElse("?") + ")";
  }

  /**
   * Checks jscan makes before handing the bundle over, each failing closed:
   * <ul>
   *   <li>a log entry is required: Sigstore Java refuses bundles without one anyway, and a keyless
   *       certificate lives minutes, so without proof of when it signed it proves nothing;
   *   <li>the certificate chain must not contain a self-signed root: the trust anchor must come
   *       from the trusted root, never from the bundle (sigstore-conformance
   *       bundle-with-root-cert_fail; protobuf-specs says the chain SHOULD NOT include the root);
   *   <li>a signing time must be proven: a log-signed integrated time or an RFC 3161 timestamp
   *       (sigstore-conformance rekor2-no-timestamp_fail).
   * </ul>
   */
  static void preCheck(SigstoreBundle bundle) throws SigningException {
    if (bundle.material().tlogEntries().isEmpty()) {
      throw SigningException.integrity("verifying bundle", "the bundle has no transparency log entry, which keyless verification requires");
    }
    boolean dated = bundle.material().tlogEntries().stream().anyMatch(e -> e.integratedTime().isPresent() && e.signedEntryTimestamp().isPresent())
        || !bundle.material().rfc3161Timestamps().isEmpty();
    if (!dated) {
      // Rekor v2 entries carry no integrated time: without a timestamp nothing proves the short-lived
      // certificate was valid when it signed
      throw SigningException.integrity("verifying bundle", "nothing proves when it was signed: no signed integrated time and no RFC 3161 timestamp");
    }
    for (X509Certificate c : bundle.material().certificates()) {
      if (c.getSubjectX500Principal().equals(c.getIssuerX500Principal()) && selfSigned(c)) {
        throw SigningException.integrity("verifying bundle", "the certificate chain contains a root certificate; trust anchors must come from the trusted root");
      }
    }
  }

  private static boolean selfSigned(X509Certificate c) {
    try {
      c.verify(c.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String oneLine(Exception e) {
    StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null) {
        sb.append(": ").append(c.getMessage().lines().findFirst().orElse(""));
      }
    }
    return sb.toString();
  }

  /** The identity policy as a Sigstore Java matcher, so it is applied where Sigstore Java applies its own. */
  private record Matcher(CertificateIdentity identity) implements VerificationOptions.CertificateMatcher {
    @Override
    public boolean test(X509Certificate certificate) {
      return identity.matches(certificate);
    }

    @Override
    public String toString() {
      return identity.toString();
    }
  }
}
