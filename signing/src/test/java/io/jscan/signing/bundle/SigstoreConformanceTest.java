package io.jscan.signing.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.FailureKind;
import io.jscan.core.oci.Digest;
import io.jscan.core.testing.Conformance;
import io.jscan.signing.SigningException;
import io.jscan.signing.key.KeyFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of the shared Sigstore corpus ({@code ../shared/conformance/sigstore/cases.json}, see
 * its SOURCE.md): the bundle must verify or fail as the case says, and where the case's {@code why}
 * names the defect, the failure must be of the right kind and name the right reason.
 */
class SigstoreConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The reason each failing case must give, from its {@code why}: a fragment of jscan's message
   * (for keyless bundles often Sigstore Java's wording, which jscan passes on). Every failing case
   * is listed, so a case that starts failing for another reason is caught.
   */
  private static final Map<String, String> REASONS =
      Map.ofEntries(
          Map.entry("conformance/bundle-malformed-json_fail", "not valid JSON"),
          Map.entry("conformance/bundle-unknown-version_fail", "unsupported bundle media type"),
          Map.entry("conformance/bundle-with-root-cert_fail", "contains a root certificate"),
          Map.entry("conformance/bundle-empty-certificate-chain_fail", "no certificates"),
          Map.entry("conformance/rekor2-no-timestamp_fail", "no RFC 3161 timestamp"),
          Map.entry("conformance/integrated-time-in-future_fail", "outside the signing certificate's validity"),
          Map.entry("sigstore-java/08-bundle-with-expired-cert.sigstore", "outside the signing certificate's validity"),
          Map.entry("conformance/bundle-from-wrong-instance_fail", "not verifiable against CAs"),
          Map.entry("conformance/checkpoint-wrong-roothash_fail", "Checkpoint root hash does not match"),
          Map.entry("conformance/dsse-invalid-sig_fail", "DSSE signature was not valid"),
          Map.entry("conformance/incorrect-public-key_fail", "inconsistent with log entry"),
          Map.entry("conformance/intoto-expired-certificate_fail", "not verifiable against CAs"),
          Map.entry("conformance/invalid-ct-key_fail", "SCTs were invalid"),
          Map.entry("conformance/invalid-inclusion-proof_fail", "Inclusion proof verification failed"),
          Map.entry("conformance/managed-key-wrong-key_fail", "reading public key"),
          Map.entry("conformance/managed-key-no-key_fail", "signed with a key, but no key was given"),
          Map.entry("conformance/message-digest-mismatch_fail", "does not match digest"),
          Map.entry("conformance/wrong-material_fail", "does not match digest"),
          Map.entry("conformance/signature-mismatch_fail", "signature"),
          Map.entry("conformance/set-invalid-signature_fail", "Transparency log entry could not be verified"),
          Map.entry("sigstore-java/02-bundle.sigstore", "No provided certificate identities matched"),
          Map.entry("sigstore-java/06-bundle-with-mismatched-set.sigstore", "Entry SET was not valid"),
          Map.entry("sigstore-java/07-bundle-with-wrong-tlog-entry.sigstore", "inconsistent with log entry"),
          Map.entry("cosign/02", "No provided certificate identities matched"),
          Map.entry("cosign/03", "does not match any subject"));

  /** Cases whose input cannot even be parsed: BAD_INPUT (exit 2), not INTEGRITY. */
  private static final List<String> MALFORMED =
      List.of("conformance/bundle-malformed-json_fail", "conformance/bundle-empty-certificate-chain_fail", "conformance/bundle-unknown-version_fail", "conformance/managed-key-wrong-key_fail");

  static Stream<Arguments> cases() throws Exception {
    Path dir = Conformance.dir("sigstore");
    JsonNode cases = JSON.readTree(dir.resolve("cases.json").toFile()).get("cases");
    List<Arguments> out = new ArrayList<>();
    for (JsonNode c : cases) {
      out.add(Arguments.of(Named.of(c.get("id").asText() + " (" + c.get("expected").asText() + ")", c)));
    }
    return out.stream();
  }

  @Test
  void corpus_hasAll41Cases() throws Exception {
    assertEquals(41, cases().count());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void bundle_verifiesOrFailsAsTheCaseSays(JsonNode c) throws Exception {
    Path dir = Conformance.dir("sigstore");
    String id = c.get("id").asText();
    boolean expectVerify = c.get("expected").asText().equals("verify");
    try {
      VerifiedBundle result = verify(dir, c);
      if (!expectVerify) {
        fail(id + " verified but must fail: " + c.get("why").asText() + " (result " + result + ")");
      }
    } catch (SigningException e) {
      if (expectVerify) {
        throw new AssertionError(id + " must verify but failed: " + e.getMessage(), e);
      }
      FailureKind expectedKind = MALFORMED.contains(id) ? FailureKind.BAD_INPUT : FailureKind.INTEGRITY;
      assertEquals(expectedKind, e.kind(), id + ": " + e.getMessage());
      String reason = REASONS.get(id);
      assertTrue(reason != null, id + " has no expected reason listed");
      {
        assertTrue(e.getMessage().contains(reason), id + ": expected reason containing \"" + reason + "\", got: " + e.getMessage());
      }
    }
  }

  static VerifiedBundle verify(Path dir, JsonNode c) throws Exception {
    SigstoreBundle bundle = SigstoreBundle.parse(Files.readAllBytes(dir.resolve(c.get("bundle").asText())), c.get("bundle").asText());
    TrustedRoot root = TrustedRoot.read(dir.resolve(c.get("trusted_root").asText()));
    Artifact artifact = c.hasNonNull("artifact")
        ? Artifact.ofFile(dir.resolve(c.get("artifact").asText()))
        : Artifact.ofDigest(Digest.parse(c.get("artifact_digest").asText()));
    VerificationPolicy policy;
    if (c.hasNonNull("key")) {
      policy = VerificationPolicy.key(KeyFiles.readPublicKey(dir.resolve(c.get("key").asText())));
    } else {
      // a null identity means upstream used no identity policy; ".*" for both is the cosign
      // spelling of "any identity from any issuer" (jscan always requires a policy)
      policy = VerificationPolicy.identity(CertificateIdentity.of(
          text(c, "identity"),
          c.hasNonNull("identity") ? text(c, "identity_regexp") : orAny(text(c, "identity_regexp")),
          text(c, "issuer"),
          c.hasNonNull("issuer") ? text(c, "issuer_regexp") : orAny(text(c, "issuer_regexp"))));
    }
    return BundleVerifier.verify(bundle, artifact, policy, root);
  }

  private static String text(JsonNode c, String field) {
    return c.hasNonNull(field) ? c.get(field).asText() : null;
  }

  private static String orAny(String regexp) {
    return regexp == null ? ".*" : regexp;
  }
}
