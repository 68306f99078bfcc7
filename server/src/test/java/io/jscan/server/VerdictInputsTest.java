package io.jscan.server;

import static io.jscan.server.WebhookHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageIndex;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.Platform;
import io.jscan.core.testing.FaultProxy;
import io.jscan.core.testing.TarBuilder;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.signing.key.KeyAlgorithm;
import io.jscan.signing.key.Keys;
import io.jscan.signing.key.SigningKey;
import io.jscan.verifier.TestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A verdict depends on everything it was computed from, and on nothing else (issues 15 and 16):
 * the registry and repository (where signatures are looked for), the digest, the platform images of
 * an index, the policies' content and the trust material (the policies' key files, {@code jscan
 * serve --key}). Each test changes one of them alone and checks that the verdict follows, over
 * HTTPS through the real webhook, with images in a real registry signed by jscan's signing library
 * where cosign puts signatures. Questions are asked in both orders, each on a new server (cold:
 * nothing cached) and then again (warm: every answer from the verdict cache, which is checked).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerdictInputsTest {
  /** Namespace signed: a signature by cosign.pub (beside the policy) required. */
  private static final String SIGNED_POLICY = """
      apiVersion: jscan.io/v1
      kind: Policy
      name: signed
      match:
        namespaces: [signed]
      rules:
        - id: integrity
        - id: signature-required
          parameters:
            keys: [cosign.pub]
      """;
  /** Namespace other-key: the same rule trusting another key, other.pub. */
  private static final String OTHER_KEY_POLICY = """
      apiVersion: jscan.io/v1
      kind: Policy
      name: other-key
      match:
        namespaces: [other-key]
      rules:
        - id: integrity
        - id: signature-required
          parameters:
            keys: [other.pub]
      """;
  /** Namespace plain: integrity only, no signature looked for. */
  private static final String PLAIN_POLICY = """
      apiVersion: jscan.io/v1
      kind: Policy
      name: plain
      match:
        namespaces: [plain]
      rules:
        - id: integrity
      """;
  /** Namespace server-key: a signature required, by whom {@code jscan serve --key} names. */
  private static final String SERVER_KEY_POLICY = """
      apiVersion: jscan.io/v1
      kind: Policy
      name: server-key
      match:
        namespaces: [server-key]
      rules:
        - id: integrity
        - id: signature-required
      """;
  /** A verdict outlives every test, so that a warm answer is always a cached one. */
  private static final Duration VERDICT_TTL = Duration.ofMinutes(10);

  Path dir;
  WebhookHarness h;
  RegistryClient client;
  Path policies;
  Path serverKey;
  SigningKey otherKey;

  @BeforeAll
  void create(@TempDir Path tmp) throws Exception {
    dir = tmp;
    h = WebhookHarness.create(dir);
    client = new RegistryClient(RegistryOptions.defaults());
    otherKey = Keys.generate(KeyAlgorithm.ECDSA_P256);
    policies = Files.createDirectories(dir.resolve("inputs"));
    Files.writeString(policies.resolve("signed.yaml"), SIGNED_POLICY);
    Files.writeString(policies.resolve("other-key.yaml"), OTHER_KEY_POLICY);
    Files.writeString(policies.resolve("plain.yaml"), PLAIN_POLICY);
    Files.writeString(policies.resolve("server-key.yaml"), SERVER_KEY_POLICY);
    Files.writeString(policies.resolve("cosign.pub"), Keys.publicKeyPem(h.signingKey.publicKey()));
    Files.writeString(policies.resolve("other.pub"), Keys.publicKeyPem(otherKey.publicKey()));
    serverKey = Files.writeString(Files.createDirectories(dir.resolve("server-keys")).resolve("server.pub"),
        Keys.publicKeyPem(h.signingKey.publicKey()));
  }

  @AfterAll
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  // ---------------------------------------------------------------- helpers

  /** One admission question and the answer it must get. */
  private record Ask(String namespace, String image, boolean allowed, String saying) {
    @Override
    public String toString() {
      return image + " in " + namespace + (allowed ? " allowed" : " denied saying \"" + saying + "\"");
    }
  }

  private static Ask allowed(String namespace, String image) {
    return new Ask(namespace, image, true, "");
  }

  private static Ask denied(String namespace, String image, String saying) {
    return new Ask(namespace, image, false, saying);
  }

  /** A new server on {@link #policies} with {@code --key server.pub}, changed by {@code tune}. */
  private void restart(UnaryOperator<ServeOptions> tune) throws Exception {
    h.stopServer();
    h.start(o -> tune.apply(o.withPolicySpecs(List.of(policies.toString())).withKeys(List.of(serverKey))
        .withCacheTimes(Duration.ofSeconds(30), VERDICT_TTL)));
  }

  private JsonNode check(Ask ask, String when) throws Exception {
    JsonNode r = h.reviewPod("/validate", ask.namespace(), ask.image());
    assertEquals(ask.allowed(), r.path("allowed").asBoolean(), when + ": " + ask + ", answered " + r);
    if (!ask.allowed()) {
      assertTrue(message(r).contains(ask.saying()), when + ": " + ask + ", answered " + message(r));
    }
    return r;
  }

  /**
   * Asks every question in order on a new server started with {@code tune} (cold), then all again
   * (warm), and checks that each warm answer came from the verdict cache.
   */
  private void askColdThenWarm(List<Ask> asks, UnaryOperator<ServeOptions> tune) throws Exception {
    restart(tune);
    for (Ask a : asks) {
      check(a, "cold");
    }
    long hits = h.server.metrics().cacheHits.get("decision");
    long misses = h.server.metrics().cacheMisses.get("decision");
    for (Ask a : asks) {
      check(a, "warm");
    }
    assertEquals(misses, h.server.metrics().cacheMisses.get("decision"), "warm: nothing judged again");
    assertEquals(hits + asks.size(), h.server.metrics().cacheHits.get("decision"), "warm: every verdict from the cache");
  }

  /** {@link #askColdThenWarm} in the order given, then in the reverse order on another new server. */
  private void askInBothOrders(List<Ask> asks, UnaryOperator<ServeOptions> tune) throws Exception {
    askColdThenWarm(asks, tune);
    List<Ask> reversed = new ArrayList<>(asks);
    java.util.Collections.reverse(reversed);
    askColdThenWarm(reversed, tune);
  }

  private void askInBothOrders(List<Ask> asks) throws Exception {
    askInBothOrders(asks, o -> o);
  }

  /** An image whose content is {@code content} (so tests do not share digests), pushed as each of {@code names}. */
  private Descriptor push(String content, String... names) throws Exception {
    Image image = TestImage.image().user("65534").layer(TarBuilder.tar().file("app/content", content).build()).build();
    Descriptor pushed = null;
    for (String name : names) {
      pushed = client.push(image, ImageName.parse(name));
    }
    return pushed;
  }

  private String at(String repository) {
    return h.registry.host() + "/" + repository;
  }

  private static ImageName repository(String name) {
    return ImageName.parse(name);
  }

  private static String message(JsonNode response) {
    return response.path("status").path("message").asText();
  }

  private void awaitGeneration(long generation) throws InterruptedException {
    await("policy generation " + generation, Duration.ofSeconds(20), () -> h.server.policies().current().generation() == generation);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(2, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final String UNSIGNED = "signature-required (policy signed): no signature found";

  // ---------------------------------------------------------------- where: registry and repository

  @Test
  void repository_oneDigestSignedInOneRepositoryOnly_eachRepositoryJudgedOnItsOwnSignatures() throws Exception {
    Descriptor d = push("repository", at("repo/signed:1"), at("repo/unsigned:1"));
    WebhookHarness.sign(repository(at("repo/signed")), d, h.signingKey);

    askInBothOrders(List.of(
        allowed("signed", at("repo/signed:1")),
        denied("signed", at("repo/unsigned:1"), UNSIGNED),
        allowed("signed", at("repo/signed@" + d.digest())),
        denied("signed", at("repo/unsigned@" + d.digest()), UNSIGNED)));
  }

  @Test
  void registry_oneRepositoryAndDigestSignedInOneRegistryOnly_eachRegistryJudgedOnItsOwnSignatures() throws Exception {
    try (TestRegistry mirror = TestRegistry.start(dir.resolve("mirror"))) {
      Descriptor d = push("registry", at("mirrored/app:1"), mirror.host() + "/mirrored/app:1");
      WebhookHarness.sign(repository(at("mirrored/app")), d, h.signingKey);

      askInBothOrders(List.of(
          allowed("signed", at("mirrored/app@" + d.digest())),
          denied("signed", mirror.host() + "/mirrored/app@" + d.digest(), UNSIGNED)));
    }
  }

  // ---------------------------------------------------------------- what: digest and platform

  @Test
  void digest_twoDigestsInOneRepositoryOneSigned_eachJudgedOnItsOwnSignature() throws Exception {
    Descriptor signed = push("digest one", at("digests/app:signed"));
    Descriptor unsigned = push("digest two", at("digests/app:unsigned"));
    WebhookHarness.sign(repository(at("digests/app")), signed, h.signingKey);

    askInBothOrders(List.of(
        allowed("signed", at("digests/app@" + signed.digest())),
        denied("signed", at("digests/app@" + unsigned.digest()), UNSIGNED)));
  }

  /**
   * The webhook judges an index on each of its platform images; a platform image named by its own
   * digest is another question. In repository multi/child the amd64 image is signed, in
   * multi/index the index is: each digest is judged on the signatures of what was named, whichever
   * was asked first.
   */
  @Test
  void platform_indexAndItsImagesByDigest_theSignaturesOfOneNeverCountForAnother() throws Exception {
    Image amd64 = TestImages.withLayers(Platform.LINUX_AMD64, "platform amd64");
    Image arm64 = TestImages.withLayers(new Platform("linux", "arm64"), "platform arm64");
    ImageIndex index = TestImages.multiPlatformIndex(dir.resolve("index-layout"), "multi", amd64, arm64);
    client.push(index, ImageName.parse(at("multi/child:1")));
    client.push(index, ImageName.parse(at("multi/index:1")));
    WebhookHarness.sign(repository(at("multi/child")), amd64.descriptor(), h.signingKey);
    WebhookHarness.sign(repository(at("multi/index")), index.descriptor(), h.signingKey);
    String indexDigest = index.digest().toString();

    askInBothOrders(List.of(
        denied("signed", at("multi/child@" + indexDigest), "signature-required (policy signed): linux/arm64: no signature found"),
        allowed("signed", at("multi/child@" + amd64.digest())),
        denied("signed", at("multi/child@" + arm64.digest()), UNSIGNED),
        allowed("signed", at("multi/index@" + indexDigest)),
        denied("signed", at("multi/index@" + amd64.digest()), UNSIGNED),
        denied("signed", at("multi/index@" + arm64.digest()), UNSIGNED)));
    // the index's denial names the unsigned platform only
    restart(o -> o);
    String m = message(h.reviewPod("/validate", "signed", at("multi/child@" + indexDigest)));
    assertFalse(m.contains("linux/amd64"), m);
  }

  // ---------------------------------------------------------------- how: policy content, trust material

  @Test
  void policyContent_policiesWithAndWithoutASignatureRule_eachVerdictItsPolicys() throws Exception {
    Descriptor d = push("policy content", at("content/app:signed"), at("content/other:1"));
    WebhookHarness.sign(repository(at("content/app")), d, h.signingKey);

    askInBothOrders(List.of(
        allowed("plain", at("content/other:1")),
        denied("signed", at("content/other:1"), UNSIGNED),
        allowed("signed", at("content/app:signed")),
        allowed("plain", at("content/app:signed"))));
  }

  /**
   * Two policies alike but for the key file they trust, on a server without {@code --key} and on
   * one whose {@code --key} is the key of trust/app's signature and not of trust/other's: rules
   * with keys of their own judge with those alone, so {@code --key} changes none of these verdicts
   * (issue 15: it used to deny trust/other in other-key, as a signature failure under {@code --key}).
   */
  @Test
  void trust_policiesTrustingDifferentKeys_eachVerdictItsKeys() throws Exception {
    push("trust", at("trust/app:1"));
    h.sign("trust/app:1", h.signingKey);
    push("trust other", at("trust/other:1"));
    h.sign("trust/other:1", otherKey);

    List<Ask> asks = List.of(
        allowed("signed", at("trust/app:1")),
        denied("other-key", at("trust/app:1"), "signature-required (policy other-key): no signature verified under the rule's keys or identities"),
        denied("signed", at("trust/other:1"), "signature-required (policy signed): no signature verified under the rule's keys or identities"),
        allowed("other-key", at("trust/other:1")));
    askInBothOrders(asks, o -> o.withKeys(List.of()));
    askInBothOrders(asks);
  }

  /**
   * What {@code jscan serve --key} decides (issue 15): whom the rules without keys of their own
   * trust, and nothing else. An image signed only by the key a rule trusts on its own is admitted by
   * that rule with and without {@code --key}; one signed only by the {@code --key} key is denied by
   * it (the rule's keys decide); a rule without keys admits what {@code --key} verifies and nothing
   * without it.
   */
  @Test
  void trust_serverKeyOnlyForRulesWithoutKeys_aRuleWithKeysJudgesWithThoseAlone() throws Exception {
    push("scoped rules key", at("scoped/rules-key:1"));
    h.sign("scoped/rules-key:1", otherKey); // other.pub: the other-key policy's own key
    push("scoped server key", at("scoped/server-key:1"));
    h.sign("scoped/server-key:1", h.signingKey); // server.pub: --key
    String rulesKeysDecide = "signature-required (policy other-key): no signature verified under the rule's keys or identities";
    String serverKeyDecides = "signature-required (policy server-key): no signature verified";

    askInBothOrders(List.of(
        allowed("other-key", at("scoped/rules-key:1")),
        denied("other-key", at("scoped/server-key:1"), rulesKeysDecide),
        denied("server-key", at("scoped/rules-key:1"), serverKeyDecides),
        allowed("server-key", at("scoped/server-key:1"))));
    askInBothOrders(List.of(
        allowed("other-key", at("scoped/rules-key:1")),
        denied("other-key", at("scoped/server-key:1"), rulesKeysDecide),
        denied("server-key", at("scoped/rules-key:1"), serverKeyDecides),
        denied("server-key", at("scoped/server-key:1"), serverKeyDecides)), o -> o.withKeys(List.of()));

    // a denial names the rule that decided, never the --key key's opinion of another rule's signature
    restart(o -> o);
    String m = message(h.reviewPod("/validate", "other-key", at("scoped/server-key:1")));
    assertTrue(m.startsWith("jscan: image " + at("scoped/server-key:1") + " (container web): " + rulesKeysDecide), m);
    assertFalse(m.contains("does not verify"), m);
  }

  /** The same signature judged by the server's {@code --key} and by rules' own keys, in one server. */
  @Test
  void trust_serverKeyAndRulesOwnKeys_judgeTheSameSignatureApart() throws Exception {
    push("server trust", at("server-trust/app:1"));
    h.sign("server-trust/app:1", h.signingKey);
    push("server trust unsigned", at("server-trust/unsigned:1"));

    // --key server.pub and the rule's cosign.pub are the signer's key, other.pub is not
    askInBothOrders(List.of(
        allowed("server-key", at("server-trust/app:1")),
        denied("other-key", at("server-trust/app:1"), "signature-required (policy other-key): no signature verified under the rule's keys or identities"),
        allowed("signed", at("server-trust/app:1")),
        denied("server-key", at("server-trust/unsigned:1"), "signature-required (policy server-key): no signature found")));
    // without --key, the rule without keys of its own trusts nobody; the rules with keys are unchanged
    askInBothOrders(List.of(
        denied("server-key", at("server-trust/app:1"), "signature-required (policy server-key): no signature verified"),
        allowed("signed", at("server-trust/app:1"))), o -> o.withKeys(List.of()));
  }

  // ---------------------------------------------------------------- across a reload

  /**
   * A policy changed on disk changes the next verdict, both ways; a policy whose content is back to
   * what it was is answered from the verdicts cached under that content, and so are the images of
   * a policy the change did not touch.
   */
  @Test
  void reload_policyContentChanged_verdictFollows_andUnchangedContentKeepsItsCachedVerdicts() throws Exception {
    String lenient = PLAIN_POLICY.replace("[plain]", "[prod]").replace("name: plain", "name: prod");
    String strict = SIGNED_POLICY.replace("[signed]", "[prod]").replace("name: signed", "name: prod");
    push("reload policy", at("reloading/app:1"));
    for (List<String> order : List.of(List.of(lenient, strict), List.of(strict, lenient))) {
      Path reloading = Files.createDirectories(dir.resolve("reloading-" + (order.get(0) == lenient ? "lenient-first" : "strict-first")));
      Files.writeString(reloading.resolve("cosign.pub"), Keys.publicKeyPem(h.signingKey.publicKey()));
      Files.writeString(reloading.resolve("prod.yaml"), order.get(0));
      Files.writeString(reloading.resolve("plain.yaml"), PLAIN_POLICY);
      h.stopServer();
      h.start(o -> o.withPolicySpecs(List.of(reloading.toString())).withCacheTimes(Duration.ofSeconds(30), VERDICT_TTL));
      Ask first = order.get(0) == lenient ? allowed("prod", at("reloading/app:1")) : denied("prod", at("reloading/app:1"), "signature-required (policy prod): no signature found");
      Ask second = order.get(0) == lenient ? denied("prod", at("reloading/app:1"), "signature-required (policy prod): no signature found") : allowed("prod", at("reloading/app:1"));
      Ask untouched = allowed("plain", at("reloading/app:1"));
      Metrics m = h.server.metrics();

      check(first, "generation 1");
      check(untouched, "generation 1");

      TestCerts.writeAtomically(reloading.resolve("prod.yaml"), order.get(1));
      awaitGeneration(2);
      long hits = m.cacheHits.get("decision");
      check(second, "generation 2, the policy changed");
      check(untouched, "generation 2, its policy unchanged");
      assertEquals(hits + 1, m.cacheHits.get("decision"), "the untouched policy's verdict came from the cache, the changed one's did not");

      TestCerts.writeAtomically(reloading.resolve("prod.yaml"), order.get(0));
      awaitGeneration(3);
      hits = m.cacheHits.get("decision");
      long misses = m.cacheMisses.get("decision");
      check(first, "generation 3, the policy as in generation 1");
      check(untouched, "generation 3");
      assertEquals(hits + 2, m.cacheHits.get("decision"), "content as before, verdicts as before, from the cache");
      assertEquals(misses, m.cacheMisses.get("decision"));
    }
  }

  /** The rule's key file replaced (the policy file unchanged): the verdict follows, both ways. */
  @Test
  void reload_rulesKeyFileReplacedBothWays_verdictFollowsTheKey() throws Exception {
    push("reload rule key", at("rule-key/app:1"));
    h.sign("rule-key/app:1", h.signingKey);
    Path rotating = Files.createDirectories(dir.resolve("rule-key-rotating"));
    Files.writeString(rotating.resolve("cosign.pub"), Keys.publicKeyPem(otherKey.publicKey()));
    Files.writeString(rotating.resolve("signed.yaml"), SIGNED_POLICY);
    h.stopServer();
    h.start(o -> o.withPolicySpecs(List.of(rotating.toString())).withCacheTimes(Duration.ofSeconds(30), VERDICT_TTL));
    Ask notTrusted = denied("signed", at("rule-key/app:1"), "no signature verified under the rule's keys or identities");
    Ask trusted = allowed("signed", at("rule-key/app:1"));
    Metrics m = h.server.metrics();

    check(notTrusted, "the other key");
    check(notTrusted, "the other key, warm");

    TestCerts.writeAtomically(rotating.resolve("cosign.pub"), Keys.publicKeyPem(h.signingKey.publicKey()));
    awaitGeneration(2);
    check(trusted, "the signer's key");

    TestCerts.writeAtomically(rotating.resolve("cosign.pub"), Keys.publicKeyPem(otherKey.publicKey()));
    awaitGeneration(3);
    long hits = m.cacheHits.get("decision");
    check(notTrusted, "the other key again");
    assertEquals(hits + 1, m.cacheHits.get("decision"), "the verdict reached under that key before, from the cache");
  }

  /**
   * {@code jscan serve --key}'s file replaced while the server runs (a rotated Secret): rules
   * without keys of their own follow it, both ways; verdicts that judge no signature are kept.
   */
  @Test
  void reload_serverKeyFileReplacedBothWays_verdictFollows_andVerdictsWithoutSignaturesStayCached() throws Exception {
    push("reload server key", at("server-key/app:1"));
    h.sign("server-key/app:1", h.signingKey);
    Path keyFile = Files.writeString(Files.createDirectories(dir.resolve("server-key-rotating")).resolve("server.pub"),
        Keys.publicKeyPem(h.signingKey.publicKey()));
    h.stopServer();
    h.start(o -> o.withPolicySpecs(List.of(policies.toString())).withKeys(List.of(keyFile)).withCacheTimes(Duration.ofSeconds(30), VERDICT_TTL));
    Ask trusted = allowed("server-key", at("server-key/app:1"));
    Ask notTrusted = denied("server-key", at("server-key/app:1"), "signature-required (policy server-key): no signature verified");
    Ask noSignatureJudged = allowed("plain", at("server-key/app:1"));
    Metrics m = h.server.metrics();

    check(trusted, "--key the signer's");
    check(noSignatureJudged, "--key the signer's");

    TestCerts.writeAtomically(keyFile, Keys.publicKeyPem(otherKey.publicKey()));
    awaitGeneration(2);
    long hits = m.cacheHits.get("decision");
    check(notTrusted, "--key replaced by another");
    check(noSignatureJudged, "--key replaced by another");
    assertEquals(hits + 1, m.cacheHits.get("decision"), "only the verdict that judged no signature came from the cache");

    TestCerts.writeAtomically(keyFile, Keys.publicKeyPem(h.signingKey.publicKey()));
    awaitGeneration(3);
    hits = m.cacheHits.get("decision");
    check(trusted, "--key the signer's again");
    assertEquals(hits + 1, m.cacheHits.get("decision"), "the verdict reached under that key before, from the cache");
    assertTrue(h.log().contains("policies reloaded (generation 2)"), h.log());
  }

  @Test
  void reload_serverKeyFileBroken_theKeyInForceStays_andTheFixIsPickedUp() throws Exception {
    push("broken server key", at("broken-key/app:1"));
    h.sign("broken-key/app:1", h.signingKey);
    Path keyFile = Files.writeString(Files.createDirectories(dir.resolve("server-key-broken")).resolve("server.pub"),
        Keys.publicKeyPem(h.signingKey.publicKey()));
    h.stopServer();
    h.start(o -> o.withPolicySpecs(List.of(policies.toString())).withKeys(List.of(keyFile)));
    check(allowed("server-key", at("broken-key/app:1")), "before");

    TestCerts.writeAtomically(keyFile, "not a key\n");
    await("the failed reload to be logged", Duration.ofSeconds(20), () -> h.log().contains("reading PEM " + keyFile + ": no PEM block found"));
    assertEquals(1, h.server.policies().current().generation(), "the keys in force stay");
    assertEquals(1, h.server.metrics().reloads.get("policies", "failed"), h.log());
    check(allowed("server-key", at("broken-key/app:1")), "with the broken file on disk");

    TestCerts.writeAtomically(keyFile, Keys.publicKeyPem(otherKey.publicKey()));
    awaitGeneration(2);
    check(denied("server-key", at("broken-key/app:1"), "no signature verified"), "the fixed file, another key");
  }

  // ---------------------------------------------------------------- reads under way (issue 16)

  /**
   * A read stalled on one registry holds no request that names the same digest in a healthy one:
   * that is answered at once, with or without signatures to look for, as often as asked.
   */
  @Test
  void inflight_readStalledOnOneRegistry_theSameDigestInAHealthyOneIsAnsweredMeanwhile() throws Exception {
    Descriptor d = push("stalled", at("stalled/app:1"));
    h.sign("stalled/app:1", h.signingKey);
    CountDownLatch release = new CountDownLatch(1);
    try (FaultProxy slow = FaultProxy.inFrontOf(h.registry)) {
      FaultProxy.Rule stall = slow.add(new FaultProxy.Rule("GET", "/v2/stalled/app/manifests/" + d.digest(), 1000,
          new FaultProxy.Action(() -> awaitQuietly(release))));
      String stalled = slow.host() + "/stalled/app@" + d.digest();
      String healthy = at("stalled/app@" + d.digest());
      restart(o -> o.withRequestTimeout(Duration.ofSeconds(20)));
      CompletableFuture<JsonNode> waiting;
      try {
        waiting = h.reviewPodAsync("/validate", "signed", stalled);
        await("the stalled read to start", Duration.ofSeconds(20), () -> stall.hits() > 0);

        for (int i = 0; i < 3; i++) {
          check(allowed("signed", healthy), "the healthy registry, while the other stalls (" + i + ")");
          check(allowed("plain", healthy), "the healthy registry, no signatures judged (" + i + ")");
        }
        // the digest's bytes are known now: a question that judges no signature needs no read
        check(allowed("plain", stalled), "the stalled registry, no signatures judged");
      } finally {
        release.countDown();
      }
      waiting.get(60, TimeUnit.SECONDS); // answered (allowed, or denied had its deadline passed first)
      // the stalled read went on and filled the caches of its own registry
      check(allowed("signed", stalled), "the stalled registry, released");
    }
  }

  /**
   * Two repositories holding one digest, one signed: while the read of one is under way, the other
   * is read and judged on its own signatures, not handed the first read's, in both orders.
   */
  @Test
  void inflight_readOfOneRepositoryUnderWay_anotherRepositorysRequestIsNotHandedItsSignatures() throws Exception {
    Descriptor d = push("in flight", at("race/signed:1"), at("race/unsigned:1"));
    WebhookHarness.sign(repository(at("race/signed")), d, h.signingKey);
    for (String first : List.of("signed", "unsigned")) {
      String second = first.equals("signed") ? "unsigned" : "signed";
      CountDownLatch release = new CountDownLatch(1);
      try (FaultProxy proxy = FaultProxy.inFrontOf(h.registry)) {
        FaultProxy.Rule stall = proxy.add(new FaultProxy.Rule("GET", "/v2/race/" + first + "/manifests/" + d.digest(), 1000,
            new FaultProxy.Action(() -> awaitQuietly(release))));
        restart(o -> o.withRequestTimeout(Duration.ofSeconds(20)));
        CompletableFuture<JsonNode> stalled;
        try {
          stalled = h.reviewPodAsync("/validate", "signed", proxy.host() + "/race/" + first + "@" + d.digest());
          await("the stalled read to start", Duration.ofSeconds(20), () -> stall.hits() > 0);
          String other = proxy.host() + "/race/" + second + "@" + d.digest();
          check(second.equals("signed") ? allowed("signed", other) : denied("signed", other, UNSIGNED), first + " stalled");
        } finally {
          release.countDown();
        }
        stalled.get(60, TimeUnit.SECONDS); // answered (its verdict, or a denial had its deadline passed first)
        String mine = proxy.host() + "/race/" + first + "@" + d.digest();
        check(first.equals("signed") ? allowed("signed", mine) : denied("signed", mine, UNSIGNED), first + ", released: its own signatures");
      }
    }
  }

  // ---------------------------------------------------------------- facts shared by digest, only when safe

  /**
   * A registry that serves a layer whose bytes do not match its digest gets its own copy denied,
   * and nothing more: the failure is that registry's, not the digest's, so a healthy registry's
   * copy is admitted whichever was asked first. (Once the digest's bytes are known good, the bad
   * copy is not read again for a question that judges no signature: a node pulling it checks the
   * digest too.)
   */
  @Test
  void facts_registryServingCorruptLayer_deniedThere_andTheSameDigestElsewhereAdmitted() throws Exception {
    for (String first : List.of("corrupt", "healthy")) {
      Image image = TestImage.image().user("65534").layer(TarBuilder.tar().file("app/content", "corrupt " + first + " first").build()).build();
      Descriptor d = client.push(image, ImageName.parse(at("corrupt/" + first + "-first:1")));
      Digest layer = image.manifest().layers().get(0).digest();
      try (FaultProxy corrupting = FaultProxy.inFrontOf(h.registry)) {
        corrupting.add(new FaultProxy.Rule("GET", "/blobs/" + layer, 1000, new FaultProxy.FlipResponseByte(40)));
        String bad = corrupting.host() + "/corrupt/" + first + "-first@" + d.digest();
        String good = at("corrupt/" + first + "-first@" + d.digest());
        restart(o -> o);
        if (first.equals("corrupt")) {
          check(denied("plain", bad, "integrity"), "the corrupting registry");
          check(allowed("plain", good), "the healthy registry, after the corrupt copy was read");
        } else {
          check(allowed("plain", good), "the healthy registry");
          check(allowed("plain", bad), "the corrupting registry, the digest's bytes known good");
          assertFalse(corrupting.requests().stream().anyMatch(q -> q.contains("/blobs/")), "not read: " + corrupting.requests());
        }
      }
    }
  }
}
