package io.jscan.signing.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.oci.Digest;
import io.jscan.core.testing.Conformance;
import io.jscan.core.testing.ExternalTool;
import io.jscan.signing.Json;
import io.jscan.signing.key.KeyAlgorithm;
import io.jscan.signing.key.KeyFiles;
import io.jscan.signing.key.Keys;
import io.jscan.signing.key.SigningKey;
import io.jscan.signing.payload.InTotoStatement;
import io.jscan.signing.testing.Processes;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bundles jscan writes are verified by an independent implementation: sigstore-js (the npm package
 * {@code sigstore}, version pinned below), installed from the npm registry into the build directory
 * once. Skips outside CI when node or npm is missing.
 */
class SigstoreJsInteropTest {
  static final String SIGSTORE_JS = "sigstore@4.1.1";
  static Path npmDir;

  @TempDir Path dir;

  @BeforeAll
  static void installSigstoreJs() throws Exception {
    ExternalTool.require("node");
    ExternalTool.require("npm");
    npmDir = Paths.get("target", "sigstore-js").toAbsolutePath();
    Files.createDirectories(npmDir);
    if (!Files.isDirectory(npmDir.resolve("node_modules/@sigstore/verify"))) {
      Processes.Result r = Processes.run(npmDir, List.of("npm", "install", "--no-audit", "--no-fund", "--no-save", SIGSTORE_JS), Map.of(), 300);
      assertEquals(0, r.exitCode(), "npm install " + SIGSTORE_JS + ": " + r.output());
    }
    try (InputStream script = SigstoreJsInteropTest.class.getResourceAsStream("verify-with-sigstore-js.js")) {
      Files.copy(script, npmDir.resolve("verify.js"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private Processes.Result sigstoreJs(Path bundle, Path artifact, Path key) throws Exception {
    Path root = Conformance.dir("sigstore").resolve("trusted-roots/public-good_sigstore-java-snapshot.json");
    return Processes.run(npmDir, List.of("node", "verify.js", bundle.toString(), artifact.toString(), key.toString(), root.toString()), Map.of(), 120);
  }

  @Test
  void jscanMessageSignatureBundle_verifiesWithSigstoreJs() throws Exception {
    SigningKey key = Keys.generate(KeyAlgorithm.ECDSA_P256);
    KeyFiles.writePublicKey(dir.resolve("cosign.pub"), key.publicKey());
    Path artifact = Files.writeString(dir.resolve("artifact.txt"), "hello from jscan\n");
    Path bundle = Files.write(dir.resolve("artifact.sigstore.json"), KeyBundles.signArtifact(key.signer(), Artifact.ofFile(artifact)).json());

    Processes.Result ok = sigstoreJs(bundle, artifact, dir.resolve("cosign.pub"));
    assertEquals(0, ok.exitCode(), ok.output());
    assertTrue(ok.output().contains("sigstore-js: verified"), ok.output());

    // the check is real: the same bundle over other bytes is rejected by sigstore-js
    Path other = Files.writeString(dir.resolve("other.txt"), "hello from someone else\n");
    Processes.Result bad = sigstoreJs(bundle, other, dir.resolve("cosign.pub"));
    assertEquals(3, bad.exitCode(), bad.output());
  }

  @Test
  void jscanAttestationBundle_verifiesWithSigstoreJs() throws Exception {
    SigningKey key = Keys.generate(KeyAlgorithm.ECDSA_P256);
    KeyFiles.writePublicKey(dir.resolve("cosign.pub"), key.publicKey());
    Path artifact = Files.writeString(dir.resolve("sbom.json"), "{}\n");
    InTotoStatement st = InTotoStatement.v1(
        List.of(InTotoStatement.Subject.of("sbom.json", Digest.sha256(Files.readAllBytes(artifact)))), "cyclonedx", Json.MAPPER.createObjectNode());
    Path bundle = Files.write(dir.resolve("att.sigstore.json"), KeyBundles.attest(key.signer(), st).json());

    Processes.Result ok = sigstoreJs(bundle, artifact, dir.resolve("cosign.pub"));
    assertEquals(0, ok.exitCode(), ok.output());

    // a statement edited after signing (same key, same hint) must fail sigstore-js's signature check
    com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(bundle.toFile());
    com.fasterxml.jackson.databind.node.ObjectNode env = (com.fasterxml.jackson.databind.node.ObjectNode) json.get("dsseEnvelope");
    byte[] payload = java.util.Base64.getDecoder().decode(env.get("payload").asText());
    env.put("payload", java.util.Base64.getEncoder().encodeToString((new String(payload, java.nio.charset.StandardCharsets.UTF_8) + " ").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    Path edited = Files.write(dir.resolve("edited.sigstore.json"), Json.MAPPER.writeValueAsBytes(json));
    Processes.Result bad = sigstoreJs(edited, artifact, dir.resolve("cosign.pub"));
    assertEquals(3, bad.exitCode(), bad.output());
    assertTrue(bad.output().contains("rejected"), bad.output());
  }
}
