package io.jscan.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.signing.key.KeyAlgorithm;
import io.jscan.signing.key.Keys;
import io.jscan.verifier.files.ScanLimits;
import io.jscan.verifier.policy.FailureMode;
import io.jscan.verifier.policy.Policy;
import io.jscan.verifier.policy.PolicyLoader;
import io.jscan.verifier.policy.PolicySet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicySelectionTest {
  private static Policy policy(String name, String extra) throws Exception {
    return PolicyLoader.parse(name + ".yaml", ("apiVersion: jscan.io/v1\nkind: Policy\nname: " + name + "\n" + extra
        + "rules: [{id: maintainer}]\n").getBytes(StandardCharsets.UTF_8));
  }

  private static LoadedPolicies loaded(Policy... policies) {
    return LoadedPolicies.of(1, new PolicySet(List.of(policies)), ScanLimits.defaults(), Instant.now());
  }

  private static List<String> names(LoadedPolicies l, String namespace, String... images) {
    return l.select(namespace, List.of(images)).map(s -> s.policies().policies().stream().map(Policy::name).toList()).orElse(List.of());
  }

  @Test
  void select_matchingPoliciesReplaceTheDefaults() throws Exception {
    LoadedPolicies l = loaded(policy("default", ""), policy("prod", "match: {namespaces: [prod]}\n"),
        policy("acme", "match: {images: [\"ghcr.io/acme/*\"]}\n"));
    assertEquals(List.of("default"), names(l, "dev", "nginx:1.25", "docker.io/library/nginx:1.25"));
    assertEquals(List.of("prod"), names(l, "prod", "nginx:1.25"));
    assertEquals(List.of("prod", "acme"), names(l, "prod", "ghcr.io/acme/api:3"));
    assertEquals(List.of("acme"), names(l, "dev", "ghcr.io/acme/api:3"));
  }

  @Test
  void select_withoutDefaultsOrMatch_selectsNothing() throws Exception {
    LoadedPolicies l = loaded(policy("prod", "match: {namespaces: [prod]}\n"));
    assertTrue(l.select("dev", List.of("nginx")).isEmpty());
  }

  @Test
  void select_denyWinsOverAllow_andTheKeyFollowsContent() throws Exception {
    LoadedPolicies l = loaded(policy("a", "failureMode: allow\n"), policy("b", ""));
    LoadedPolicies.Selection s = l.select("x", List.of("y")).orElseThrow();
    assertEquals(FailureMode.DENY, s.failureMode());
    assertEquals("b", s.failureModeSource());
    LoadedPolicies allow = loaded(policy("a", "failureMode: allow\n"));
    assertEquals(FailureMode.ALLOW, allow.select("x", List.of("y")).orElseThrow().failureMode());
    LoadedPolicies again = loaded(policy("a", "failureMode: allow\n"), policy("b", ""));
    assertEquals(s.key(), again.select("x", List.of("y")).orElseThrow().key(), "same files, same key: cached verdicts survive a reload");
  }

  private static Policy withRules(String name, String match, String rules) throws Exception {
    return PolicyLoader.parse(name + ".yaml", ("apiVersion: jscan.io/v1\nkind: Policy\nname: " + name + "\n" + match + "rules:\n" + rules)
        .getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void select_saysWhetherTheChosenPoliciesNeedEvidenceOrPackages() throws Exception {
    LoadedPolicies l = loaded(
        withRules("default", "", "  - id: non-root-user\n"),
        withRules("prod", "match: {namespaces: [prod]}\n", "  - id: signature-required\n"),
        withRules("cel", "match: {namespaces: [cel]}\n", "  - id: provenance-from-ci\n    expression: \"provenance.builder.id == 'ci'\"\n"),
        withRules("pkgs", "match: {namespaces: [pkgs]}\n", "  - id: licenses\n    parameters: {deny: [GPL-3.0-only]}\n"));
    LoadedPolicies.Selection dev = l.select("dev", List.of("app")).orElseThrow();
    assertFalse(dev.needsEvidence(), "no rule judges signatures: the registry is not asked for them");
    assertFalse(dev.needsPackages());
    assertTrue(l.select("prod", List.of("app")).orElseThrow().needsEvidence());
    assertTrue(l.select("cel", List.of("app")).orElseThrow().needsEvidence(), "a CEL rule reading provenance");
    LoadedPolicies.Selection pkgs = l.select("pkgs", List.of("app")).orElseThrow();
    assertTrue(pkgs.needsPackages());
    assertFalse(pkgs.needsEvidence());
    assertSame(dev, l.select("dev", List.of("other")).orElseThrow(), "worked out once per combination of policies");
  }
  /**
   * Base rules (and the other rules over facts a signed attestation supplies: allowed-registries,
   * CEL over base, packages) depend on the attestations only where a key could verify them, as in
   * jscan verify: with --key their selection looks for evidence and names the key files; without
   * one it does neither.
   */
  @Test
  void select_rulesOverAttestedFacts_needEvidenceOnlyWithAServerKey(@TempDir Path dir) throws Exception {
    Path pub = dir.resolve("server.pub");
    Files.writeString(pub, Keys.publicKeyPem(Keys.generate(KeyAlgorithm.ECDSA_P256).publicKey()));
    ServerKeys keys = ServerKeys.load(List.of(pub));
    PolicySet set = new PolicySet(List.of(
        withRules("default", "", "  - id: non-root-user\n"),
        withRules("base", "match: {namespaces: [base]}\n", "  - id: base-not-latest\n"),
        withRules("pinned", "match: {namespaces: [pinned]}\n", "  - id: base-pinned\n"),
        withRules("registries", "match: {namespaces: [registries]}\n", "  - id: allowed-registries\n    parameters: {registries: [docker.io]}\n"),
        withRules("cel", "match: {namespaces: [cel]}\n", "  - id: base-from-debian\n    expression: \"base.repository == 'docker.io/library/debian'\"\n"),
        withRules("pkgs", "match: {namespaces: [pkgs]}\n", "  - id: licenses\n    parameters: {deny: [GPL-3.0-only]}\n")));
    LoadedPolicies withKey = LoadedPolicies.of(1, set, keys, ScanLimits.defaults(), Instant.now());
    LoadedPolicies withoutKey = LoadedPolicies.of(1, set, ScanLimits.defaults(), Instant.now());
    for (String namespace : List.of("base", "pinned", "registries", "cel", "pkgs")) {
      LoadedPolicies.Selection keyed = withKey.select(namespace, List.of("app")).orElseThrow();
      assertTrue(keyed.needsEvidence(), namespace + ": signed provenance or SBOM could decide with --key");
      assertEquals(Optional.of(keys.files()), keyed.key().serverKeys(), namespace + ": the key is an input of the verdict");
      LoadedPolicies.Selection bare = withoutKey.select(namespace, List.of("app")).orElseThrow();
      assertFalse(bare.needsEvidence(), namespace + ": nothing could verify without a key");
      assertEquals(Optional.empty(), bare.key().serverKeys());
    }
    assertFalse(withKey.select("dev", List.of("app")).orElseThrow().needsEvidence(), "non-root-user reads no attested fact");
  }

  /**
   * The server's --key files are an input of the verdicts of a selection that judges signatures,
   * and of no other: a replaced key file gives those a new key, and leaves the rest as they were.
   */
  @Test
  void selectionKey_namesTheServerKeysWhereSignaturesAreJudged_andOnlyThere(@TempDir Path dir) throws Exception {
    Path pub = dir.resolve("server.pub");
    Files.writeString(pub, Keys.publicKeyPem(Keys.generate(KeyAlgorithm.ECDSA_P256).publicKey()));
    ServerKeys before = ServerKeys.load(List.of(pub));
    Files.writeString(pub, Keys.publicKeyPem(Keys.generate(KeyAlgorithm.ECDSA_P256).publicKey()));
    ServerKeys after = ServerKeys.load(List.of(pub));
    PolicySet set = new PolicySet(List.of(
        withRules("default", "", "  - id: non-root-user\n"),
        withRules("prod", "match: {namespaces: [prod]}\n", "  - id: signature-required\n")));
    LoadedPolicies one = LoadedPolicies.of(1, set, before, ScanLimits.defaults(), Instant.now());
    LoadedPolicies two = LoadedPolicies.of(2, set, after, ScanLimits.defaults(), Instant.now());
    LoadedPolicies same = LoadedPolicies.of(3, set, ServerKeys.load(List.of(pub)), ScanLimits.defaults(), Instant.now());

    LoadedPolicies.Selection prod = one.select("prod", List.of("app")).orElseThrow();
    assertEquals(Optional.of(before.files()), prod.key().serverKeys());
    assertNotEquals(prod.key(), two.select("prod", List.of("app")).orElseThrow().key(), "another --key file content, another verdict");
    assertEquals(two.select("prod", List.of("app")).orElseThrow().key(), same.select("prod", List.of("app")).orElseThrow().key());
    assertSame(after.trust(), two.select("prod", List.of("app")).orElseThrow().serverTrust());

    LoadedPolicies.Selection dev = one.select("dev", List.of("app")).orElseThrow();
    assertEquals(Optional.empty(), dev.key().serverKeys());
    assertEquals(dev.key(), two.select("dev", List.of("app")).orElseThrow().key(), "no signature judged: --key is not an input");
  }
}
