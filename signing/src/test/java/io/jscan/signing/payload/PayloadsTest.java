package io.jscan.signing.payload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.FailureKind;
import io.jscan.core.oci.Digest;
import io.jscan.signing.Json;
import io.jscan.signing.SigningException;
import io.jscan.signing.Verifiers;
import io.jscan.signing.key.KeyAlgorithm;
import io.jscan.signing.key.Keys;
import io.jscan.signing.key.SigningKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PayloadsTest {
  private static final Digest MANIFEST = Digest.sha256("manifest");
  private static final Digest OTHER = Digest.sha256("other manifest");

  @Test
  void simpleSigning_toJson_isCosignLayoutWithNullOptional() {
    String json = new String(SimpleSigningPayload.of("registry.example/app", MANIFEST).toJson(), StandardCharsets.UTF_8);
    assertEquals(
        "{\"critical\":{\"identity\":{\"docker-reference\":\"registry.example/app\"},\"image\":{\"docker-manifest-digest\":\""
            + MANIFEST
            + "\"},\"type\":\"cosign container image signature\"},\"optional\":null}",
        json);
  }

  @Test
  void simpleSigning_parseFor_sameDigest_roundTripsAnnotations() throws Exception {
    SimpleSigningPayload p = new SimpleSigningPayload("r/app", MANIFEST, Map.of("build", "42"));
    SimpleSigningPayload back = SimpleSigningPayload.parseFor(p.toJson(), MANIFEST);
    assertEquals("r/app", back.dockerReference());
    assertEquals(Map.of("build", "42"), back.optional());
  }

  @Test
  void simpleSigning_parseFor_otherDigest_isIntegrityFailure() {
    byte[] json = SimpleSigningPayload.of("r/app", MANIFEST).toJson();
    SigningException e = assertThrows(SigningException.class, () -> SimpleSigningPayload.parseFor(json, OTHER));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().contains(MANIFEST.toString()), e.getMessage());
  }

  @Test
  void simpleSigning_uppercaseDigest_isRefusedNotFolded() {
    String json =
        "{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"sha256:"
            + MANIFEST.encoded().toUpperCase(java.util.Locale.ROOT)
            + "\"},\"type\":\"cosign container image signature\"},\"optional\":null}";
    assertThrows(SigningException.class, () -> SimpleSigningPayload.parseFor(json.getBytes(StandardCharsets.UTF_8), MANIFEST));
  }

  @Test
  void simpleSigning_unknownCriticalField_isRefused() throws Exception {
    ObjectNode root = (ObjectNode) Json.MAPPER.readTree(SimpleSigningPayload.of("r", MANIFEST).toJson());
    ((ObjectNode) root.get("critical")).put("extra", "x");
    SigningException e = assertThrows(SigningException.class, () -> SimpleSigningPayload.parse(Json.MAPPER.writeValueAsBytes(root)));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("critical.extra"), e.getMessage());
  }

  @Test
  void simpleSigning_otherType_isRefused() throws Exception {
    ObjectNode root = (ObjectNode) Json.MAPPER.readTree(SimpleSigningPayload.of("r", MANIFEST).toJson());
    ((ObjectNode) root.get("critical")).put("type", "atomic container signature");
    assertThrows(SigningException.class, () -> SimpleSigningPayload.parse(Json.MAPPER.writeValueAsBytes(root)));
  }

  @Test
  void simpleSigning_duplicateKey_isRefused() {
    String json =
        "{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"" + OTHER
            + "\",\"docker-manifest-digest\":\"" + MANIFEST + "\"},\"type\":\"cosign container image signature\"},\"optional\":null}";
    assertThrows(SigningException.class, () -> SimpleSigningPayload.parse(json.getBytes(StandardCharsets.UTF_8)));
  }

  /** The DSSE spec's example (protocol.md "Test vector"). */
  @Test
  void pae_specExample_matches() {
    byte[] pae = DsseEnvelope.pae("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8));
    assertEquals("DSSEv1 29 http://example.com/HelloWorld 11 hello world", new String(pae, StandardCharsets.UTF_8));
  }

  @Test
  void pae_nonAsciiPayload_countsBytesNotCharacters() {
    byte[] body = "é€".getBytes(StandardCharsets.UTF_8); // 2 characters, 5 bytes
    byte[] pae = DsseEnvelope.pae("t/ü", body); // type: 3 characters, 4 bytes
    assertEquals("DSSEv1 4 t/ü 5 é€", new String(pae, StandardCharsets.UTF_8));
  }

  @Test
  void dsse_signThenVerify_roundTripsThroughJson() throws Exception {
    SigningKey key = Keys.generate(KeyAlgorithm.ECDSA_P256);
    InTotoStatement st =
        InTotoStatement.v1(List.of(InTotoStatement.Subject.of("app", MANIFEST)), "slsaprovenance", Json.MAPPER.createObjectNode().put("k", "v"));
    DsseEnvelope env = DsseEnvelope.sign(InTotoStatement.PAYLOAD_TYPE, st.toJson(), key.signer(), "");
    DsseEnvelope back = DsseEnvelope.parse(env.toJson());
    back.verify(Verifiers.of(key.publicKey()));
    InTotoStatement parsed = back.statement();
    assertEquals(PredicateTypes.SLSA_PROVENANCE_V1, parsed.predicateType());
    assertEquals(InTotoStatement.TYPE_V1, parsed.type());
    parsed.requireSubject(MANIFEST);
    assertFalse(parsed.hasSubject(OTHER));
  }

  @Test
  void dsse_payloadSwapped_doesNotVerify() throws Exception {
    SigningKey key = Keys.generate(KeyAlgorithm.ECDSA_P256);
    DsseEnvelope env = DsseEnvelope.sign("text/plain", "a".getBytes(StandardCharsets.UTF_8), key.signer(), "");
    DsseEnvelope swapped = new DsseEnvelope("text/plain", "b".getBytes(StandardCharsets.UTF_8), env.signatures());
    SigningException e = assertThrows(SigningException.class, () -> swapped.verify(Verifiers.of(key.publicKey())));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    // the type is signed too
    DsseEnvelope retyped = new DsseEnvelope("text/other", "a".getBytes(StandardCharsets.UTF_8), env.signatures());
    assertThrows(SigningException.class, () -> retyped.verify(Verifiers.of(key.publicKey())));
  }

  @Test
  void dsse_noSignatures_isRefused() throws Exception {
    DsseEnvelope env = new DsseEnvelope("t", new byte[] {1}, List.of());
    SigningException e = assertThrows(SigningException.class, () -> env.verify(Verifiers.of(Keys.generate(KeyAlgorithm.ED25519).publicKey())));
    assertEquals(FailureKind.INTEGRITY, e.kind());
  }

  @Test
  void statement_requireSubject_otherDigest_isIntegrityFailure() throws Exception {
    InTotoStatement st = InTotoStatement.v1(List.of(InTotoStatement.Subject.of("a", MANIFEST)), "cyclonedx", Json.MAPPER.createObjectNode());
    SigningException e = assertThrows(SigningException.class, () -> st.requireSubject(OTHER));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertEquals(PredicateTypes.CYCLONEDX, st.predicateType());
  }

  @Test
  void statement_v01FromCosign2_isRead() throws Exception {
    String json = "{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"predicateType\":\"https://spdx.dev/Document\",\"subject\":[{\"name\":\"x\",\"digest\":{\"sha256\":\""
        + MANIFEST.encoded() + "\"}}],\"predicate\":{}}";
    InTotoStatement st = InTotoStatement.parse(json.getBytes(StandardCharsets.UTF_8));
    assertTrue(st.hasSubject(MANIFEST));
  }

  @Test
  void predicateTypes_shorthandsAndUris_resolve() throws Exception {
    assertEquals("https://slsa.dev/provenance/v1", PredicateTypes.resolve("slsaprovenance"));
    assertEquals("https://cyclonedx.org/bom", PredicateTypes.resolve("cyclonedx"));
    assertEquals("https://spdx.dev/Document", PredicateTypes.resolve("spdx"));
    assertEquals("https://example.com/custom/v1", PredicateTypes.resolve("https://example.com/custom/v1"));
    SigningException e = assertThrows(SigningException.class, () -> PredicateTypes.resolve("notatype"));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
  }
}
