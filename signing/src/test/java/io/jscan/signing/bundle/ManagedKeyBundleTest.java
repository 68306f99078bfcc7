package io.jscan.signing.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.FailureKind;
import io.jscan.core.oci.Digest;
import io.jscan.core.testing.Conformance;
import io.jscan.signing.Json;
import io.jscan.signing.SigningException;
import io.jscan.signing.key.KeyAlgorithm;
import io.jscan.signing.key.KeyFiles;
import io.jscan.signing.key.Keys;
import io.jscan.signing.key.SigningKey;
import io.jscan.signing.payload.InTotoStatement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key-signed bundles: ones jscan writes, and the sigstore-conformance managed-key bundle with one
 * defect introduced by a recipe in each test (named after the defect).
 */
class ManagedKeyBundleTest {
  @TempDir Path dir;

  private Path happy() {
    return Conformance.dir("sigstore").resolve("conformance/managed-key-happy-path");
  }

  private TrustedRoot publicGood() throws SigningException {
    return TrustedRoot.read(Conformance.dir("sigstore").resolve("trusted-roots/public-good_sigstore-java-snapshot.json"));
  }

  private Artifact aTxt() throws SigningException {
    return Artifact.ofFile(Conformance.dir("sigstore").resolve("conformance/a.txt"));
  }

  private PublicKey happyKey() throws SigningException {
    return KeyFiles.readPublicKey(happy().resolve("key.pub"));
  }

  private SigstoreBundle happyWith(Consumer<ObjectNode> defect) throws Exception {
    ObjectNode root = (ObjectNode) Json.MAPPER.readTree(Files.readAllBytes(happy().resolve("bundle.sigstore.json")));
    defect.accept(root);
    return SigstoreBundle.parse(Json.MAPPER.writeValueAsBytes(root), "defective bundle");
  }

  private static ObjectNode entry(ObjectNode root) {
    return (ObjectNode) root.get("verificationMaterial").get("tlogEntries").get(0);
  }

  private SigningException rejected(SigstoreBundle bundle) {
    SigningException e = assertThrows(SigningException.class, () -> BundleVerifier.verify(bundle, aTxt(), VerificationPolicy.key(happyKey()), publicGood()));
    assertEquals(FailureKind.INTEGRITY, e.kind(), e.getMessage());
    return e;
  }

  @Test
  void verifyBundle_managedKeyHappyPath_reportsLogIndexAndTime() throws Exception {
    VerifiedBundle v = BundleVerifier.verify(happyWith(r -> {}), aTxt(), VerificationPolicy.key(happyKey()), publicGood());
    assertEquals(771488337L, v.logIndex().orElseThrow());
    assertEquals(1766077479L, v.signedAt().orElseThrow().getEpochSecond());
    assertEquals("key TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk=", v.signer());
  }

  @Test
  void verifyBundle_setSignatureFlipped_isRejected() throws Exception {
    SigningException e = rejected(happyWith(r -> {
      ObjectNode promise = (ObjectNode) entry(r).get("inclusionPromise");
      promise.put("signedEntryTimestamp", flipLastByte(promise.get("signedEntryTimestamp").asText()));
    }));
    assertTrue(e.getMessage().contains("signed entry timestamp"), e.getMessage());
  }

  @Test
  void verifyBundle_integratedTimeChanged_breaksTheSet() throws Exception {
    SigningException e = rejected(happyWith(r -> entry(r).put("integratedTime", "1766077480")));
    assertTrue(e.getMessage().contains("signed entry timestamp"), e.getMessage());
  }

  @Test
  void verifyBundle_inclusionProofHashSwapped_isRejected() throws Exception {
    SigningException e = rejected(happyWith(r -> {
      ArrayNode hashes = (ArrayNode) entry(r).get("inclusionProof").get("hashes");
      JsonNode first = hashes.get(0);
      hashes.set(0, hashes.get(1));
      hashes.set(1, first);
    }));
    assertTrue(e.getMessage().contains("inclusion proof"), e.getMessage());
  }

  @Test
  void verifyBundle_checkpointSignatureFlipped_isRejected() throws Exception {
    SigningException e = rejected(happyWith(r -> {
      ObjectNode cp = (ObjectNode) entry(r).get("inclusionProof").get("checkpoint");
      String env = cp.get("envelope").asText();
      int sigStart = env.lastIndexOf(' ') + 1;
      String sig = env.substring(sigStart).trim();
      cp.put("envelope", env.substring(0, sigStart) + flipLastByte(sig) + "\n");
    }));
    assertTrue(e.getMessage().contains("checkpoint signature"), e.getMessage());
  }

  @Test
  void verifyBundle_checkpointWithoutSignature_isRejected() throws Exception {
    SigningException e = rejected(happyWith(r -> {
      ObjectNode cp = (ObjectNode) entry(r).get("inclusionProof").get("checkpoint");
      String env = cp.get("envelope").asText();
      cp.put("envelope", env.substring(0, env.indexOf("\n\n") + 2));
    }));
    assertTrue(e.getMessage().contains("no signature by the log"), e.getMessage());
  }

  @Test
  void verifyBundle_logUnknownToTrustedRoot_isRejected() throws Exception {
    // the managed-key-and-trusted-root bundle comes from the staging log, which public-good does not list
    SigstoreBundle staging = SigstoreBundle.parse(
        Files.readAllBytes(Conformance.dir("sigstore").resolve("conformance/managed-key-and-trusted-root/bundle.sigstore.json")), "staging");
    SigningException e = assertThrows(SigningException.class,
        () -> BundleVerifier.verify(staging, aTxt(), VerificationPolicy.key(happyKey()), publicGood()));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().contains("does not list"), e.getMessage());
  }

  @Test
  void verifyBundle_timestampSignatureFlipped_isRejected() throws Exception {
    SigningException e = rejected(happyWith(r -> {
      ObjectNode ts = (ObjectNode) r.get("verificationMaterial").get("timestampVerificationData").get("rfc3161Timestamps").get(0);
      ts.put("signedTimestamp", flipLastByte(ts.get("signedTimestamp").asText()));
    }));
    assertTrue(e.getMessage().contains("RFC 3161 timestamp"), e.getMessage());
  }

  @Test
  void verifyBundle_noLogEntry_failsClosedUnlessIgnored() throws Exception {
    SigstoreBundle noLog = happyWith(r -> {
      ((ObjectNode) r.get("verificationMaterial")).remove("tlogEntries");
      ((ObjectNode) r.get("verificationMaterial")).remove("timestampVerificationData");
    });
    SigningException e = rejected(noLog);
    assertTrue(e.getMessage().contains("no transparency log entry"), e.getMessage());
    VerifiedBundle v = BundleVerifier.verify(noLog, aTxt(), new VerificationPolicy.Key(happyKey(), false), publicGood());
    assertTrue(v.logIndex().isEmpty());
  }

  @Test
  void verifyBundle_jscanWrittenKeyBundle_verifiesWithoutLogOnlyWhenAllowed() throws Exception {
    SigningKey key = Keys.generate(KeyAlgorithm.ECDSA_P256);
    Path file = Files.writeString(dir.resolve("blob.txt"), "payload\n");
    Artifact artifact = Artifact.ofFile(file);
    SigstoreBundle bundle = KeyBundles.signArtifact(key.signer(), artifact);

    JsonNode json = Json.MAPPER.readTree(bundle.json());
    assertEquals("application/vnd.dev.sigstore.bundle.v0.3+json", json.get("mediaType").asText());
    assertEquals(Keys.hint(key.publicKey()), json.at("/verificationMaterial/publicKey/hint").asText());
    assertEquals("SHA2_256", json.at("/messageSignature/messageDigest/algorithm").asText());
    assertFalse(json.get("verificationMaterial").has("tlogEntries"));

    BundleVerifier.verify(bundle, artifact, new VerificationPolicy.Key(key.publicKey(), false), publicGood());
    SigningException e = assertThrows(SigningException.class, () -> BundleVerifier.verify(bundle, artifact, VerificationPolicy.key(key.publicKey()), publicGood()));
    assertEquals(FailureKind.INTEGRITY, e.kind());

    Artifact other = Artifact.ofFile(Files.writeString(dir.resolve("other.txt"), "payload!\n"));
    SigningException wrong = assertThrows(SigningException.class, () -> BundleVerifier.verify(bundle, other, new VerificationPolicy.Key(key.publicKey(), false), publicGood()));
    assertTrue(wrong.getMessage().contains("message digest"), wrong.getMessage());
  }

  @Test
  void verifyBundle_jscanAttestationForOtherDigest_isRejected() throws Exception {
    SigningKey key = Keys.generate(KeyAlgorithm.ECDSA_P256);
    Digest image = Digest.sha256("manifest");
    InTotoStatement st = InTotoStatement.v1(List.of(InTotoStatement.Subject.of("registry/app", image)), "slsaprovenance", Json.MAPPER.createObjectNode());
    SigstoreBundle bundle = KeyBundles.attest(key.signer(), st);
    VerificationPolicy policy = new VerificationPolicy.Key(key.publicKey(), false);

    VerifiedBundle v = BundleVerifier.verify(bundle, Artifact.ofDigest(image), policy, publicGood());
    assertEquals("https://slsa.dev/provenance/v1", v.statement().orElseThrow().predicateType());
    SigningException e = assertThrows(SigningException.class,
        () -> BundleVerifier.verify(bundle, Artifact.ofDigest(Digest.sha256("other")), policy, publicGood()));
    assertTrue(e.getMessage().contains("does not match any subject"), e.getMessage());
    // and under another key
    SigningException k = assertThrows(SigningException.class,
        () -> BundleVerifier.verify(bundle, Artifact.ofDigest(image), new VerificationPolicy.Key(Keys.generate(KeyAlgorithm.ECDSA_P256).publicKey(), false), publicGood()));
    assertEquals(FailureKind.INTEGRITY, k.kind());
  }

  @Test
  void verifyBundle_keyPolicyOnKeylessBundle_isRefused() throws Exception {
    SigstoreBundle keyless = SigstoreBundle.parse(
        Files.readAllBytes(Conformance.dir("sigstore").resolve("conformance/happy-path-v0.3/bundle.sigstore.json")), "keyless");
    SigningException e = assertThrows(SigningException.class, () -> BundleVerifier.verify(keyless, aTxt(), VerificationPolicy.key(happyKey()), publicGood()));
    assertTrue(e.getMessage().contains("signed with a certificate"), e.getMessage());
  }

  @Test
  void parse_bothContentKinds_isBadInput() throws Exception {
    SigningException e = assertThrows(SigningException.class, () -> happyWith(r -> r.putObject("dsseEnvelope").put("payloadType", "x")));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
  }

  @Test
  void parse_v02EntryWithoutInclusionProof_isBadInput() throws Exception {
    SigningException e = assertThrows(SigningException.class, () -> happyWith(r -> entry(r).remove("inclusionProof")));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("inclusionProof"), e.getMessage());
  }

  private static String flipLastByte(String b64) {
    byte[] b = Base64.getDecoder().decode(b64);
    b[b.length - 1] ^= 1;
    return Base64.getEncoder().encodeToString(b);
  }
}
