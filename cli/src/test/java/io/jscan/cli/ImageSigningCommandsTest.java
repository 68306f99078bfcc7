package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.image.Image;
import io.jscan.core.image.StaticImage;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.json.OciJson;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.signing.Json;
import io.jscan.signing.key.KeyFiles;
import io.jscan.signing.key.SigningKey;
import io.jscan.signing.oci.Conventions;
import io.jscan.signing.oci.LayoutSignatureStore;
import io.jscan.signing.payload.InTotoStatement;
import io.jscan.signing.payload.SimpleSigningPayload;
import io.jscan.signing.testing.Processes;
import io.jscan.signing.testing.TestSigstore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jscan sign}, {@code attest} and {@code verify --key/--certificate-identity} end to end:
 * round trips in a real registry (distribution 2.8, which has no referrers API, so bundles take
 * the referrers tag schema fallback), an OCI layout and the local store; each way a signature can
 * be wrong, with its reason and exit code 4; and tools we did not write (OpenSSL, sigstore-js)
 * checking what jscan stored.
 */
class ImageSigningCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "correct horse";
  private static final String IDENTITY = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main";
  private static final String ISSUER = "https://token.actions.githubusercontent.com";

  @TempDir static Path registryDir;
  static TestRegistry registry;

  @TempDir Path tmp;
  Map<String, String> env;
  Path key;
  Path pub;
  Path otherPub;
  Path policy;

  record Run(int code, String out, String err) {}

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = TestRegistry.start(registryDir);
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
    env = new HashMap<>();
    env.put("COSIGN_PASSWORD", PASSWORD);
    env.put("DOCKER_CONFIG", tmp.resolve("docker").toString());
    assertEquals(0, jscan("generate-key-pair", "--output-key-prefix", tmp.resolve("cosign").toString()).code());
    assertEquals(0, jscan("generate-key-pair", "--output-key-prefix", tmp.resolve("other").toString()).code());
    key = tmp.resolve("cosign.key");
    pub = tmp.resolve("cosign.pub");
    otherPub = tmp.resolve("other.pub");
    policy = Files.writeString(tmp.resolve("integrity.yaml"), "apiVersion: jscan.io/v1\nkind: Policy\nname: integrity-only\nrules:\n  - id: integrity\n");
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  private Run jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out, true), new PrintWriter(err, true), env, args);
    return new Run(code, out.toString(), err.toString());
  }

  private Run verify(String image, String... trust) {
    List<String> args = new java.util.ArrayList<>(List.of("verify", image, "--policy", policy.toString()));
    args.addAll(List.of(trust));
    return jscan(args.toArray(new String[0]));
  }

  private static void assertFailsWith(Run r, String reason) {
    assertEquals(4, r.code(), r.out() + r.err());
    assertTrue(r.out().contains(reason), "expected \"" + reason + "\" in:\n" + r.out());
    assertFalse(r.err().contains("at io.jscan"), "no stack trace: " + r.err());
  }

  // ---------------------------------------------------------------- recipes

  private static RegistryClient client() {
    return new RegistryClient(RegistryOptions.defaults());
  }

  private Image publish(String repoAndTag, String content) throws Exception {
    Image image = TestImages.withLayers(content);
    client().push(image, ImageName.parse(registry.host() + "/" + repoAndTag));
    return image;
  }

  private Path layoutWith(String... names) throws Exception {
    Path dir = tmp.resolve("layout");
    OciLayout layout = OciLayout.create(dir);
    for (String n : names) {
      layout.write(TestImages.withLayers("content of " + n), Optional.of(n));
    }
    return dir;
  }

  private static Image image(Path layoutDir, String name) throws Exception {
    return (Image) OciLayout.open(layoutDir).resolve(Optional.of(name), Optional.empty());
  }

  private static LayoutSignatureStore store(Path layoutDir) throws Exception {
    return new LayoutSignatureStore(OciLayout.open(layoutDir), "registry.example/app");
  }

  /** Rewrites the first layer of an image's {@code .sig} manifest (its payload and annotations), as an attacker with push access could. */
  private static void tamperSignature(Path layoutDir, Image image, UnaryOperator<byte[]> payload, UnaryOperator<Map<String, String>> annotations)
      throws Exception {
    LayoutSignatureStore store = store(layoutDir);
    String tag = Conventions.signatureTag(image.digest());
    Image sig = store.readTagged(tag).orElseThrow();
    Descriptor layer = sig.manifest().layers().get(0);
    byte[] content = payload.apply(sig.openBlob(layer).readAllBytes());
    Image tampered = StaticImage.builder().config(MediaTypes.OCI_CONFIG, sig.configBytes())
        .blob(layer.mediaType(), content, annotations.apply(new LinkedHashMap<>(layer.annotations()))).build();
    store.writeTagged(tag, tampered);
  }

  /** Attaches a keyless bundle made by the recipe Sigstore as a referrer of {@code image}. */
  private static void attachKeyless(Path layoutDir, Image image, TestSigstore sigstore, String identity, Instant notBefore, Instant notAfter, Instant logged)
      throws Exception {
    TestSigstore.Leaf leaf = sigstore.leaf(identity, ISSUER, notBefore, notAfter);
    InTotoStatement st = InTotoStatement.v1(List.of(InTotoStatement.Subject.of("registry.example/app", image.digest())),
        Conventions.COSIGN_SIGN_PREDICATE_TYPE, Json.MAPPER.createObjectNode());
    byte[] bundle = sigstore.dsseBundle(leaf, st, logged);
    store(layoutDir).referrers().attach(StaticImage.builder().artifactType(Conventions.BUNDLE_ARTIFACT_TYPE)
        .blob(Conventions.BUNDLE_ARTIFACT_TYPE, bundle, Map.of()).subject(image.descriptor().bare())
        .annotation(Conventions.BUNDLE_PREDICATE_TYPE_ANNOTATION, Conventions.COSIGN_SIGN_PREDICATE_TYPE)
        .annotation(Conventions.BUNDLE_CONTENT_ANNOTATION, "dsse-envelope").build());
  }

  private String[] keylessTrust(Path root) {
    return new String[] {"--certificate-identity", IDENTITY, "--certificate-oidc-issuer", ISSUER, "--trusted-root", root.toString()};
  }

  // ---------------------------------------------------------------- round trips

  @Test
  void signThenVerify_inARegistry_passes_andTheSigTagHasCosignsShape() throws Exception {
    Image image = publish("sign/app:1", "registry round trip");
    String ref = "docker://" + registry.host() + "/sign/app:1";
    Run signed = jscan("sign", "--key", key.toString(), "-a", "team=payments", ref);
    assertEquals(0, signed.code(), signed.err());
    String tag = "sha256-" + image.digest().encoded() + ".sig";
    assertTrue(signed.out().contains("docker://" + registry.host() + "/sign/app:" + tag), signed.out());

    Run ok = verify(ref, "--key", pub.toString());
    assertEquals(0, ok.code(), ok.out() + ok.err());

    // exactly cosign's shape: OCI manifest, one simple-signing layer, the signature in its annotation
    RegistryClient.FetchedManifest m = client().fetchManifest(ImageName.parse(registry.host() + "/sign/app:1"), tag);
    assertEquals(MediaTypes.OCI_MANIFEST, m.descriptor().mediaType());
    var manifest = OciJson.parseManifest(m.bytes(), "sig", Optional.empty());
    assertEquals(1, manifest.layers().size());
    Descriptor layer = manifest.layers().get(0);
    assertEquals("application/vnd.dev.cosign.simplesigning.v1+json", layer.mediaType());
    assertEquals(List.of("dev.cosignproject.cosign/signature"), List.copyOf(layer.annotations().keySet()));
    byte[] payload = client().read(ImageName.parse(registry.host() + "/sign/app@" + m.descriptor().digest())) instanceof Image sig
        ? sig.openBlob(layer).readAllBytes() : null;
    Map<String, Object> optional = new LinkedHashMap<>();
    optional.put("team", "payments");
    assertArrayEquals(new SimpleSigningPayload(registry.host() + "/sign/app", image.digest(), optional).toJson(), payload);

    Run wrongKey = verify(ref, "--key", otherPub.toString());
    assertFailsWith(wrongKey, "does not match the key");
  }

  @Test
  void signBundle_inARegistryWithoutReferrersApi_usesTheFallbackTag_andVerifies() throws Exception {
    Image image = publish("bundle/app:1", "bundle round trip");
    String ref = "docker://" + registry.host() + "/bundle/app:1";
    Run signed = jscan("sign", "--key", key.toString(), "--bundle", ref);
    assertEquals(0, signed.code(), signed.err());
    assertTrue(signed.out().contains("(referrer of " + image.digest() + ")"), signed.out());

    List<Descriptor> refs = client().referrers(ImageName.parse(registry.host() + "/bundle/app:1")).list(image.digest());
    assertEquals(1, refs.size());
    Descriptor d = refs.get(0);
    assertEquals(Optional.of("application/vnd.dev.sigstore.bundle.v0.3+json"), d.artifactType());
    assertEquals("https://sigstore.dev/cosign/sign/v1", d.annotations().get("dev.sigstore.bundle.predicateType"));
    // distribution 2.8 answers the referrers API with 404: the list is the fallback tag's OCI index, named by the referrers tag schema
    RegistryClient.FetchedManifest index = client().fetchManifest(ImageName.parse(registry.host() + "/bundle/app:1"), "sha256-" + image.digest().encoded());
    assertEquals(MediaTypes.OCI_INDEX, index.descriptor().mediaType());
    assertEquals(refs, OciJson.parseIndex(index.bytes(), "referrers index", Optional.empty()).manifests());

    assertEquals(0, verify(ref, "--key", pub.toString()).code());
    Run logRequired = verify(ref, "--key", pub.toString(), "--require-tlog", "--trusted-root",
        TestSigstore.create("any").writeTrustedRoot(tmp.resolve("root.json")).toString());
    assertFailsWith(logRequired, "the bundle has no transparency log entry");
  }

  @Test
  void signAndAttest_inAnOciLayout_verify() throws Exception {
    Path dir = layoutWith("app");
    String ref = "oci:" + dir + ":app";
    assertEquals(0, jscan("sign", "--key", key.toString(), ref).code());
    Path predicate = Files.writeString(tmp.resolve("provenance.json"), "{\"runDetails\":{\"builder\":{\"id\":\"https://ci.example/runner\"}}}");
    Run attested = jscan("attest", "--key", key.toString(), "--predicate", predicate.toString(), "--type", "slsaprovenance", ref);
    assertEquals(0, attested.code(), attested.err());
    assertTrue(attested.out().contains("attested https://slsa.dev/provenance/v1"), attested.out());
    Image image = image(dir, "app");
    List<String> names = OciLayout.open(dir).index().manifests().stream().map(x -> x.refName().orElse("")).toList();
    assertTrue(names.containsAll(List.of("sha256-" + image.digest().encoded() + ".sig", "sha256-" + image.digest().encoded() + ".att")), names.toString());

    Run ok = jscan("verify", ref, "--policy", policy.toString(), "--key", pub.toString(), "--output", "json");
    assertEquals(0, ok.code(), ok.out() + ok.err());
    JsonNode input = JSON.readTree(ok.out()).at("/images/0/input");
    assertFalse(input.isMissingNode(), ok.out());
    assertTrue(input.at("/signatures/0/verified").asBoolean(), input.toString());
    assertEquals("https://ci.example/runner", input.at("/attestations/0/predicate/runDetails/builder/id").asText());
  }

  /** The text report names each signature and attestation that verified, how it is stored and the key, as the JSON does. */
  @Test
  void verify_text_namesWhatVerified_howItIsStored_andTheKey() throws Exception {
    Path dir = layoutWith("app");
    String ref = "oci:" + dir + ":app";
    assertEquals(0, jscan("sign", "--key", key.toString(), ref).code());
    assertEquals(0, jscan("sign", "--key", key.toString(), "--bundle", ref).code());
    Path predicate = Files.writeString(tmp.resolve("provenance.json"), "{\"runDetails\":{\"builder\":{\"id\":\"https://ci.example/runner\"}}}");
    assertEquals(0, jscan("attest", "--key", key.toString(), "--predicate", predicate.toString(), "--type", "slsaprovenance", ref).code());
    String fingerprint = io.jscan.signing.key.Keys.hint(KeyFiles.readPublicKey(pub)).substring(0, 12);
    String signer = "signed by key " + pub + " (" + fingerprint + "…)  no transparency log entry verified";

    Run text = verify(ref, "--key", pub.toString());
    assertEquals(0, text.code(), text.out() + text.err());
    List<String> lines = text.out().lines().toList();
    int at = lines.indexOf("Signatures and attestations");
    assertTrue(at > 0, text.out());
    assertEquals(List.of(
            "  ✔ signature (Sigstore bundle referrer)  " + signer,
            "  ✔ signature (cosign .sig tag)  " + signer,
            "  ✔ attestation https://slsa.dev/provenance/v1 (cosign .att tag)  " + signer),
        lines.subList(at + 1, at + 4), text.out());

    JsonNode input = JSON.readTree(verify(ref, "--key", pub.toString(), "--output", "json").out()).at("/images/0/input");
    for (JsonNode s : input.get("signatures")) {
      assertEquals("key " + pub + " (" + fingerprint + "…)", s.get("identity").asText(), s.toString());
    }
    assertEquals("key " + pub + " (" + fingerprint + "…)", input.at("/attestations/0/identity").asText(), input.toString());
    assertEquals("cosign", input.at("/attestations/0/kind").asText());
  }

  @Test
  void signThenVerify_inTheLocalStore() throws Exception {
    Image image = TestImages.withLayers("stored");
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      store.write(image, List.of(ImageName.parse("registry.example/team/app:1")));
    }
    // registry.example cannot be asked whether it has the image: --local says the store's copy is meant
    Run signed = jscan("sign", "--key", key.toString(), "--bundle", "--local", "registry.example/team/app:1");
    assertEquals(0, signed.code(), signed.err());
    assertEquals(0, jscan("sign", "--key", key.toString(), "--local", "registry.example/team/app:1").code());
    Run ok = verify("registry.example/team/app:1", "--key", pub.toString());
    assertEquals(0, ok.code(), ok.out() + ok.err());
    Run images = jscan("images", "--output", "json");
    assertEquals(0, images.code(), images.err());
    assertEquals(2, JSON.readTree(images.out()).at("/images/0/attached/signatures").asInt(), images.out());
    Run all = jscan("images", "--all");
    assertTrue(all.out().contains("sha256-" + image.digest().encoded() + ".sig"), all.out());
  }

  @Test
  void verify_keyGivenButUnsigned_isExit4NoSignatureFound() throws Exception {
    Path dir = layoutWith("app");
    assertFailsWith(verify("oci:" + dir + ":app", "--key", pub.toString()), "no signature found for " + image(dir, "app").digest());
  }

  // ---------------------------------------------------------------- each way a signature is wrong: exit 4 and why

  @Test
  void verify_tamperedPayload_isRejected() throws Exception {
    Path dir = layoutWith("app");
    assertEquals(0, jscan("sign", "--key", key.toString(), "oci:" + dir + ":app").code());
    tamperSignature(dir, image(dir, "app"),
        p -> new String(p, StandardCharsets.UTF_8).replace("\"optional\":null", "\"optional\":{\"approved\":\"yes\"}").getBytes(StandardCharsets.UTF_8), a -> a);
    assertFailsWith(verify("oci:" + dir + ":app", "--key", pub.toString()), "signature does not match the key and content");
  }

  @Test
  void verify_signatureCopiedFromOtherImage_isRejected() throws Exception {
    Path dir = layoutWith("a", "b");
    assertEquals(0, jscan("sign", "--key", key.toString(), "oci:" + dir + ":a").code());
    Image a = image(dir, "a");
    Image b = image(dir, "b");
    LayoutSignatureStore store = store(dir);
    store.writeTagged(Conventions.signatureTag(b.digest()), store.readTagged(Conventions.signatureTag(a.digest())).orElseThrow());
    assertFailsWith(verify("oci:" + dir + ":b", "--key", pub.toString()),
        "the payload signs manifest " + a.digest() + ", not " + b.digest() + " (a signature copied from another image)");
  }

  @Test
  void verify_attestationWhoseSubjectIsAnotherImage_isRejected() throws Exception {
    Path dir = layoutWith("a", "b");
    Path predicate = Files.writeString(tmp.resolve("sbom.json"), "{\"bomFormat\":\"CycloneDX\"}");
    assertEquals(0, jscan("attest", "--key", key.toString(), "--predicate", predicate.toString(), "--type", "cyclonedx", "oci:" + dir + ":a").code());
    assertEquals(0, jscan("sign", "--key", key.toString(), "oci:" + dir + ":b").code());
    Image a = image(dir, "a");
    Image b = image(dir, "b");
    LayoutSignatureStore store = store(dir);
    store.writeTagged(Conventions.attestationTag(b.digest()), store.readTagged(Conventions.attestationTag(a.digest())).orElseThrow());
    assertFailsWith(verify("oci:" + dir + ":b", "--key", pub.toString()),
        "the attestation is about sha256:" + a.digest().encoded() + ", not " + b.digest() + " (made for another image)");
  }

  @Test
  void verify_malformedBase64Signature_isRejected() throws Exception {
    Path dir = layoutWith("app");
    assertEquals(0, jscan("sign", "--key", key.toString(), "oci:" + dir + ":app").code());
    tamperSignature(dir, image(dir, "app"), p -> p, a -> {
      a.put(Conventions.SIGNATURE_ANNOTATION, "not*base64!");
      return a;
    });
    assertFailsWith(verify("oci:" + dir + ":app", "--key", pub.toString()), "malformed base64 in the dev.cosignproject.cosign/signature annotation");
  }

  @Test
  void verify_signedPayloadThatIsNotJson_isRejected() throws Exception {
    Path dir = layoutWith("app");
    assertEquals(0, jscan("sign", "--key", key.toString(), "oci:" + dir + ":app").code());
    SigningKey signer = KeyFiles.readPrivateKey(key, () -> PASSWORD.toCharArray());
    byte[] notJson = "{\"critical\": ".getBytes(StandardCharsets.UTF_8);
    String sig = Base64.getEncoder().encodeToString(signer.signer().sign(notJson));
    tamperSignature(dir, image(dir, "app"), p -> notJson, a -> {
      a.put(Conventions.SIGNATURE_ANNOTATION, sig);
      return a;
    });
    assertFailsWith(verify("oci:" + dir + ":app", "--key", pub.toString()), "malformed payload: parsing simple signing payload: not valid JSON");
  }

  @Test
  void verify_malformedBundleJson_isRejected() throws Exception {
    Path dir = layoutWith("app");
    Image image = image(dir, "app");
    store(dir).referrers().attach(StaticImage.builder().artifactType(Conventions.BUNDLE_ARTIFACT_TYPE)
        .blob(Conventions.BUNDLE_ARTIFACT_TYPE, "{\"mediaType\": ".getBytes(StandardCharsets.UTF_8), Map.of()).subject(image.descriptor().bare())
        .annotation(Conventions.BUNDLE_PREDICATE_TYPE_ANNOTATION, Conventions.COSIGN_SIGN_PREDICATE_TYPE).build());
    assertFailsWith(verify("oci:" + dir + ":app", "--key", pub.toString()), "malformed bundle: parsing bundle");
  }

  @Test
  void verify_malformedCertificatePem_isRejected() throws Exception {
    Path dir = layoutWith("app");
    assertEquals(0, jscan("sign", "--key", key.toString(), "oci:" + dir + ":app").code());
    tamperSignature(dir, image(dir, "app"), p -> p, a -> {
      a.put(Conventions.CERTIFICATE_ANNOTATION, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
      return a;
    });
    Path root = TestSigstore.create("fulcio").writeTrustedRoot(tmp.resolve("root.json"));
    assertFailsWith(verify("oci:" + dir + ":app", keylessTrust(root)), "malformed keyless evidence: reading dev.sigstore.cosign/certificate: malformed PEM certificate");
  }

  @Test
  void verify_keylessIdentityThatDoesNotMatch_isRejected() throws Exception {
    Path dir = layoutWith("app");
    TestSigstore sigstore = TestSigstore.create("fulcio");
    Instant now = Instant.now();
    attachKeyless(dir, image(dir, "app"), sigstore, "https://github.com/mallory/app/.github/workflows/x.yml@refs/heads/main",
        now.minusSeconds(60), now.plusSeconds(540), now);
    assertFailsWith(verify("oci:" + dir + ":app", keylessTrust(sigstore.writeTrustedRoot(tmp.resolve("root.json")))),
        "No provided certificate identities matched values in certificate: wanted identity \"" + IDENTITY + "\"");
  }

  @Test
  void verify_keylessCertificateExpiredBeforeItWasLogged_isRejected() throws Exception {
    Path dir = layoutWith("app");
    TestSigstore sigstore = TestSigstore.create("fulcio");
    Instant issued = Instant.parse("2025-03-01T10:00:00Z");
    attachKeyless(dir, image(dir, "app"), sigstore, IDENTITY, issued, issued.plusSeconds(600), issued.plusSeconds(7200));
    assertFailsWith(verify("oci:" + dir + ":app", keylessTrust(sigstore.writeTrustedRoot(tmp.resolve("root.json")))),
        "the log's integrated time 2025-03-01T12:00:00Z is outside the signing certificate's validity");
  }

  @Test
  void verify_keylessCertificateFromAnUntrustedCa_isRejected() throws Exception {
    Path dir = layoutWith("app");
    Instant now = Instant.now();
    attachKeyless(dir, image(dir, "app"), TestSigstore.create("rogue"), IDENTITY, now.minusSeconds(60), now.plusSeconds(540), now);
    Path trusted = TestSigstore.create("fulcio").writeTrustedRoot(tmp.resolve("root.json"));
    assertFailsWith(verify("oci:" + dir + ":app", keylessTrust(trusted)), "Certificate was not verifiable against CAs");
  }

  @Test
  void verify_keylessBundleWithoutLogEntry_isRejected() throws Exception {
    Path dir = layoutWith("app");
    Image image = image(dir, "app");
    TestSigstore sigstore = TestSigstore.create("fulcio");
    Instant now = Instant.now();
    byte[] bundle = sigstore.dsseBundle(sigstore.leaf(IDENTITY, ISSUER, now.minusSeconds(60), now.plusSeconds(540)),
        InTotoStatement.v1(List.of(InTotoStatement.Subject.of("x", image.digest())), Conventions.COSIGN_SIGN_PREDICATE_TYPE, Json.MAPPER.createObjectNode()),
        now);
    com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(bundle);
    ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("verificationMaterial")).remove("tlogEntries");
    store(dir).referrers().attach(StaticImage.builder().artifactType(Conventions.BUNDLE_ARTIFACT_TYPE)
        .blob(Conventions.BUNDLE_ARTIFACT_TYPE, Json.MAPPER.writeValueAsBytes(json), Map.of()).subject(image.descriptor().bare()).build());
    assertFailsWith(verify("oci:" + dir + ":app", keylessTrust(sigstore.writeTrustedRoot(tmp.resolve("root.json")))),
        "the bundle has no transparency log entry, which keyless verification requires");
  }

  @Test
  void sign_wrongPassword_isExit2WithAClearError() throws Exception {
    Path dir = layoutWith("app");
    env.put("COSIGN_PASSWORD", "wrong");
    Run r = jscan("sign", "--key", key.toString(), "oci:" + dir + ":app");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("password"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(store(dir).readTagged(Conventions.signatureTag(image(dir, "app").digest())).isEmpty(), "nothing stored");
  }

  @Test
  void sign_dockerArchive_hasNowhereToStoreSignatures() throws Exception {
    Path dir = layoutWith("app");
    Path archive = tmp.resolve("app.tar");
    assertEquals(0, jscan("save", "-o", archive.toString(), "oci:" + dir + ":app").code(), "saved");
    Run r = jscan("sign", "--key", key.toString(), "docker-archive:" + archive);
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("a docker-archive has no place for signatures"), r.err());
  }

  // ---------------------------------------------------------------- build --sign

  private Path context() throws Exception {
    Path ctx = tmp.resolve("ctx");
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("hello.txt"), "hello\n");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY hello.txt /\n");
    return ctx;
  }

  @Test
  void buildSign_signsInTheStoreAndEachPushedRepository() throws Exception {
    String name = registry.host() + "/built/signed:1";
    Run build = jscan("build", "-q", "-t", name, "--push", "--sign", "--key", key.toString(), context().toString());
    assertEquals(0, build.code(), build.err());
    String digest = build.out().strip();
    Run local = verify(name, "--key", pub.toString());
    assertEquals(0, local.code(), local.out() + local.err());
    Run remote = verify("docker://" + name, "--key", pub.toString());
    assertEquals(0, remote.code(), remote.out() + remote.err());
    assertTrue(client().fetchManifestIfPresent(ImageName.parse(name), "sha256-" + Digest.parse(digest).encoded() + ".sig").isPresent());
    assertFailsWith(verify("docker://" + name, "--key", otherPub.toString()), "does not match the key");
  }

  @Test
  void buildSign_toAnOciLayoutWithBundle_andRefusals() throws Exception {
    Path out = tmp.resolve("out");
    Run build = jscan("build", "-q", "-o", "oci:" + out + ":app", "--sign", "--bundle", "--key", key.toString(), context().toString());
    assertEquals(0, build.code(), build.err());
    assertEquals(0, verify("oci:" + out + ":app", "--key", pub.toString()).code());

    Run noKey = jscan("build", "-q", "-t", "x:1", "--sign", context().toString());
    assertEquals(2, noKey.code(), noKey.err());
    assertTrue(noKey.err().contains("give --key or --keyless"), noKey.err());
    Run archive = jscan("build", "-q", "-o", "docker-archive:" + tmp.resolve("a.tar"), "--sign", "--key", key.toString(), context().toString());
    assertEquals(2, archive.code(), archive.err());
    assertTrue(archive.err().contains("a docker-archive has no place for signatures"), archive.err());
    assertFalse(Files.exists(tmp.resolve("a.tar")), "refused before building");
  }

  // ---------------------------------------------------------------- policies

  @Test
  void policy_signatureRequiredWithKey_passesSigned_failsUnsigned_attestationCel() throws Exception {
    Path dir = layoutWith("signed", "unsigned");
    assertEquals(0, jscan("sign", "--key", key.toString(), "oci:" + dir + ":signed").code());
    Path predicate = Files.writeString(tmp.resolve("provenance.json"),
        "{\"buildDefinition\":{\"buildType\":\"https://jscan.io/build/v1\"},\"runDetails\":{\"builder\":{\"id\":\"https://ci.example/runner\"}}}");
    assertEquals(0, jscan("attest", "--key", key.toString(), "--bundle", "--predicate", predicate.toString(), "--type", "slsaprovenance",
        "oci:" + dir + ":signed").code());
    Files.copy(pub, tmp.resolve("release.pub"));
    Path signingPolicy = Files.writeString(tmp.resolve("signing.yaml"), """
        apiVersion: jscan.io/v1
        kind: Policy
        name: signing
        rules:
          - id: signature-required
            parameters:
              keys: [release.pub]
          - id: attestation-required
            parameters:
              predicateType: slsaprovenance
              keys: [release.pub]
              condition: "predicate.runDetails.builder.id == 'https://ci.example/runner'"
        """);
    Run ok = jscan("verify", "oci:" + dir + ":signed", "--policy", signingPolicy.toString());
    assertEquals(0, ok.code(), ok.out() + ok.err());
    Run unsigned = jscan("verify", "oci:" + dir + ":unsigned", "--policy", signingPolicy.toString());
    assertEquals(4, unsigned.code(), unsigned.out());
    assertTrue(unsigned.out().contains("no signature found"), unsigned.out());
    assertTrue(unsigned.out().contains("no verified https://slsa.dev/provenance/v1 attestation"), unsigned.out());

    Files.writeString(signingPolicy, Files.readString(signingPolicy).replace("https://ci.example/runner", "https://other.example/runner"));
    Run wrongBuilder = jscan("verify", "oci:" + dir + ":signed", "--policy", signingPolicy.toString());
    assertEquals(4, wrongBuilder.code(), wrongBuilder.out());
    assertTrue(wrongBuilder.out().contains("attestation satisfies the condition"), wrongBuilder.out());
  }

  // ---------------------------------------------------------------- keyless signing up to the network boundary

  private static String jwt() {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString("{\"iss\":\"https://issuer.example\",\"sub\":\"dev@example.com\",\"email\":\"dev@example.com\"}".getBytes(StandardCharsets.UTF_8))
        + "." + b64.encodeToString(new byte[] {1});
  }

  @Test
  void signKeyless_unreachableFulcio_isOneLineExit1_tokenFromEnvOrFile() throws Exception {
    Path dir = layoutWith("app");
    String closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = "http://127.0.0.1:" + s.getLocalPort();
    }
    Path root = TestSigstore.create("fulcio").writeTrustedRoot(tmp.resolve("root.json"));
    String[] custom = {"--fulcio-url", closed, "--rekor-url", closed, "--signing-trusted-root", root.toString()};

    env.put("SIGSTORE_ID_TOKEN", jwt());
    List<String> args = new java.util.ArrayList<>(List.of("sign", "--keyless", "oci:" + dir + ":app"));
    args.addAll(List.of(custom));
    Run fromEnv = jscan(args.toArray(new String[0]));
    assertEquals(1, fromEnv.code(), fromEnv.err());
    assertTrue(fromEnv.err().contains("cannot reach Fulcio " + closed), fromEnv.err());
    assertTrue(fromEnv.err().contains("needs network access"), fromEnv.err());
    assertEquals(1, fromEnv.err().strip().lines().count(), fromEnv.err());

    env.remove("SIGSTORE_ID_TOKEN");
    Path token = Files.writeString(tmp.resolve("token"), jwt());
    args.addAll(List.of("--identity-token", token.toString()));
    Run fromFile = jscan(args.toArray(new String[0]));
    assertEquals(1, fromFile.code(), fromFile.err());
    assertTrue(fromFile.err().contains("cannot reach Fulcio"), fromFile.err());

    Run noToken = jscan("sign", "--keyless", "oci:" + dir + ":app");
    assertEquals(2, noToken.code(), noToken.err());
    assertTrue(noToken.err().contains("SIGSTORE_ID_TOKEN"), noToken.err());
    assertTrue(store(dir).referrers().list(image(dir, "app").digest()).isEmpty(), "nothing stored");
  }

  // ---------------------------------------------------------------- tools we did not write

  private static Path fetch(String url, String accept, Path to) throws Exception {
    Processes.Result r = Processes.run(to.getParent(), List.of(ExternalTool.require("curl").toString(), "-sSf", "-H", "Accept: " + accept, "-o", to.toString(), url));
    assertEquals(0, r.exitCode(), url + ": " + r.output());
    return to;
  }

  @Test
  void openssl_verifiesTheSignatureJscanPushed_fetchedWithCurl() throws Exception {
    ExternalTool.require("openssl");
    publish("interop/openssl:1", "openssl interop");
    assertEquals(0, jscan("sign", "--key", key.toString(), "docker://" + registry.host() + "/interop/openssl:1").code());
    Image image = (Image) client().read(ImageName.parse(registry.host() + "/interop/openssl:1"));
    String base = "http://" + registry.host() + "/v2/interop/openssl";
    Path manifest = fetch(base + "/manifests/sha256-" + image.digest().encoded() + ".sig", MediaTypes.OCI_MANIFEST, tmp.resolve("sig-manifest.json"));
    JsonNode layer = JSON.readTree(manifest.toFile()).at("/layers/0");
    Path payload = fetch(base + "/blobs/" + layer.get("digest").asText(), "*/*", tmp.resolve("payload.json"));
    Path der = Files.write(tmp.resolve("sig.der"), Base64.getDecoder().decode(layer.at("/annotations/dev.cosignproject.cosign~1signature").asText()));
    Processes.Result ok = Processes.run(tmp, List.of("openssl", "dgst", "-sha256", "-verify", pub.toString(), "-signature", der.toString(), payload.toString()));
    assertEquals(0, ok.exitCode(), ok.output());
    assertTrue(ok.output().contains("Verified OK"), ok.output());
    // the check is real: another key does not verify it
    Processes.Result bad = Processes.run(tmp, List.of("openssl", "dgst", "-sha256", "-verify", otherPub.toString(), "-signature", der.toString(), payload.toString()));
    assertEquals(1, bad.exitCode(), bad.output());
    assertEquals(image.digest().toString(), JSON.readTree(payload.toFile()).at("/critical/image/docker-manifest-digest").asText());
  }

  @Test
  void sigstoreJs_verifiesTheBundleJscanStoredAsAReferrer() throws Exception {
    ExternalTool.require("node");
    ExternalTool.require("npm");
    Path npmDir = Path.of("target", "sigstore-js").toAbsolutePath();
    Files.createDirectories(npmDir);
    if (!Files.isDirectory(npmDir.resolve("node_modules/@sigstore/verify"))) {
      Processes.Result r = Processes.run(npmDir, List.of("npm", "install", "--no-audit", "--no-fund", "--no-save", "sigstore@4.1.1"), Map.of(), 300);
      assertEquals(0, r.exitCode(), r.output());
    }
    try (var script = io.jscan.signing.Json.class.getResourceAsStream("/io/jscan/signing/bundle/verify-with-sigstore-js.js")) {
      Files.copy(script, npmDir.resolve("verify.js"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    publish("interop/sigstorejs:1", "sigstore-js interop");
    assertEquals(0, jscan("sign", "--key", key.toString(), "--bundle", "docker://" + registry.host() + "/interop/sigstorejs:1").code());
    Image image = (Image) client().read(ImageName.parse(registry.host() + "/interop/sigstorejs:1"));
    String base = "http://" + registry.host() + "/v2/interop/sigstorejs";
    // without the referrers API, the referrers are listed in the index tagged sha256-<hex>
    Path index = fetch(base + "/manifests/sha256-" + image.digest().encoded(), MediaTypes.OCI_INDEX, tmp.resolve("referrers.json"));
    String referrer = JSON.readTree(index.toFile()).at("/manifests/0/digest").asText();
    Path manifest = fetch(base + "/manifests/" + referrer, MediaTypes.OCI_MANIFEST, tmp.resolve("referrer.json"));
    Path bundle = fetch(base + "/blobs/" + JSON.readTree(manifest.toFile()).at("/layers/0/digest").asText(), "*/*", tmp.resolve("image.sigstore.json"));
    Path artifact = Files.write(tmp.resolve("manifest.bin"), image.manifestBytes());

    Path root = io.jscan.core.testing.Conformance.dir("sigstore").resolve("trusted-roots/public-good_sigstore-java-snapshot.json");
    Processes.Result ok = Processes.run(npmDir, List.of("node", "verify.js", bundle.toString(), artifact.toString(), pub.toString(), root.toString()), Map.of(), 120);
    assertEquals(0, ok.exitCode(), ok.output());
    assertTrue(ok.output().contains("sigstore-js: verified"), ok.output());
    // what sigstore-js verified binds this image: the signed statement's subject is its manifest digest
    JsonNode env = JSON.readTree(bundle.toFile()).get("dsseEnvelope");
    JsonNode statement = JSON.readTree(Base64.getDecoder().decode(env.get("payload").asText()));
    assertEquals(image.digest().encoded(), statement.at("/subject/0/digest/sha256").asText());
    // and it is a real check: sigstore-js refuses the bundle under another key
    Processes.Result bad = Processes.run(npmDir, List.of("node", "verify.js", bundle.toString(), artifact.toString(), otherPub.toString(), root.toString()), Map.of(), 120);
    assertEquals(3, bad.exitCode(), bad.output());
  }

  @Test
  void digest_ofFetchedReferrerMatches() throws Exception {
    // the manifest jscan pushes as a referrer is stored byte for byte: its digest is what the index lists
    Image image = publish("interop/bytes:1", "byte for byte");
    assertEquals(0, jscan("sign", "--key", key.toString(), "--bundle", "docker://" + registry.host() + "/interop/bytes:1").code());
    Descriptor d = client().referrers(ImageName.parse(registry.host() + "/interop/bytes:1")).list(image.digest()).get(0);
    RegistryClient.FetchedManifest m = client().fetchManifest(ImageName.parse(registry.host() + "/interop/bytes:1"), d.digest().toString());
    assertEquals(d.digest(), Digest.sha256(m.bytes()));
    assertEquals(image.digest(), OciJson.parseManifest(m.bytes(), "referrer", Optional.empty()).subject().orElseThrow().digest());
  }
}
