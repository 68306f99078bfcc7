package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.signing.testing.Processes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where {@code sign} and {@code attest} write for a name (the registry's copy, as cosign, and the
 * local store's), and signatures travelling with the image through {@code push}, {@code pull} and
 * {@code build --push}; {@code images} and {@code rmi} treating them as part of their image. Checked
 * with tools jscan did not write: skopeo (tags, raw manifests), curl of the registry API and OpenSSL
 * on the signed payload, against a real distribution registry.
 */
class SignaturesTravelTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "travel password";

  @TempDir static Path shared;
  static TestRegistry registry;
  static Path key;
  static Path pub;
  static Path otherKey;
  static Path otherPub;

  @TempDir Path tmp;
  Map<String, String> env;

  record Run(int code, String out, String err) {}

  @BeforeAll
  static void startRegistryAndMakeKeys() throws Exception {
    registry = TestRegistry.start(shared.resolve("registry"));
    Map<String, String> env = Map.of("COSIGN_PASSWORD", PASSWORD);
    for (String prefix : List.of("cosign", "other")) {
      int code = Jscan.run(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), env,
          "generate-key-pair", "--output-key-prefix", shared.resolve(prefix).toString());
      assertEquals(0, code);
    }
    key = shared.resolve("cosign.key");
    pub = shared.resolve("cosign.pub");
    otherKey = shared.resolve("other.key");
    otherPub = shared.resolve("other.pub");
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  @BeforeEach
  void setUp() {
    useStore("home");
    env = new HashMap<>();
    env.put("COSIGN_PASSWORD", PASSWORD);
    env.put("DOCKER_CONFIG", tmp.resolve("docker").toString());
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  private void useStore(String name) {
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve(name).toString());
  }

  private Run jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out, true), new PrintWriter(err, true), env, args);
    return new Run(code, out.toString(), err.toString());
  }

  private Run ok(String... args) {
    Run r = jscan(args);
    assertEquals(0, r.code(), String.join(" ", args) + ":\n" + r.out() + r.err());
    return r;
  }

  /** Builds a one-file image into the store under {@code name}; {@code variant} changes its digest. */
  private Digest build(String name, String variant) throws Exception {
    Path ctx = tmp.resolve("ctx-" + variant);
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("hello.txt"), "hello " + variant + "\n");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY hello.txt /\n");
    return Digest.parse(ok("build", "-q", "-t", name, ctx.toString()).out().strip());
  }

  private String name(String repoAndTag) {
    return registry.host() + "/" + repoAndTag;
  }

  /** A policy of the integrity rule alone: what these tests verify is the signatures {@code --key} asks for. */
  private Path integrityPolicy() throws Exception {
    Path policy = tmp.resolve("integrity.yaml");
    if (!Files.exists(policy)) {
      Files.writeString(policy, "apiVersion: jscan.io/v1\nkind: Policy\nname: integrity-only\nrules:\n  - id: integrity\n");
    }
    return policy;
  }

  private Run verify(String image, Path publicKey) throws Exception {
    return jscan("verify", image, "--policy", integrityPolicy().toString(), "--key", publicKey.toString());
  }

  // ---------------------------------------------------------------- tools we did not write

  private static byte[] skopeo(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(ExternalTool.require("skopeo").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
    byte[] out = p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), "skopeo " + String.join(" ", args) + ": " + err);
    return out;
  }

  /** The repository's tags, as skopeo lists them. */
  private List<String> tags(String repository) throws Exception {
    List<String> out = new ArrayList<>();
    JSON.readTree(skopeo("list-tags", "--tls-verify=false", "docker://" + name(repository))).get("Tags").forEach(t -> out.add(t.asText()));
    return out;
  }

  /** A manifest's raw bytes, as skopeo reads them from the registry. */
  private byte[] rawManifest(String reference) throws Exception {
    return skopeo("inspect", "--tls-verify=false", "--raw", "docker://" + name(reference));
  }

  private Path curl(String path, String accept, String file) throws Exception {
    Path to = tmp.resolve(file);
    Processes.Result r = Processes.run(tmp, List.of(ExternalTool.require("curl").toString(), "-sSf", "-H", "Accept: " + accept, "-o",
        to.toString(), "http://" + registry.host() + path));
    assertEquals(0, r.exitCode(), path + ": " + r.output());
    return to;
  }

  /** OpenSSL checks each simple-signing layer of the registry's {@code .sig} manifest (fetched with curl) and returns the keys that verified. */
  private List<Path> opensslVerifiedKeys(String repository, Digest image) throws Exception {
    Path manifest = curl("/v2/" + repository + "/manifests/" + image.toTagForm() + ".sig", MediaTypes.OCI_MANIFEST, "sig.json");
    List<Path> verified = new ArrayList<>();
    int i = 0;
    for (JsonNode layer : JSON.readTree(manifest.toFile()).get("layers")) {
      Path payload = curl("/v2/" + repository + "/blobs/" + layer.get("digest").asText(), "*/*", "payload-" + i + ".json");
      assertEquals(image.toString(), JSON.readTree(payload.toFile()).at("/critical/image/docker-manifest-digest").asText());
      Path der = Files.write(tmp.resolve("sig-" + i + ".der"),
          Base64.getDecoder().decode(layer.at("/annotations/dev.cosignproject.cosign~1signature").asText()));
      for (Path candidate : List.of(pub, otherPub)) {
        Processes.Result r = Processes.run(tmp, List.of(ExternalTool.require("openssl").toString(), "dgst", "-sha256", "-verify",
            candidate.toString(), "-signature", der.toString(), payload.toString()));
        if (r.exitCode() == 0 && r.output().contains("Verified OK")) {
          verified.add(candidate);
        }
      }
      i++;
    }
    return verified;
  }

  private List<String> storeNames() throws Exception {
    try (LocalStore store = LocalStore.openDefault()) {
      return store.list().stream().map(e -> e.name().map(Object::toString).orElse(e.descriptor().digest().toString())).toList();
    }
  }

  // ---------------------------------------------------------------- sign and attest: which places

  @Test
  void signByName_afterPush_signsTheRegistrysCopyAndTheStores_withOneSignature() throws Exception {
    String image = name("places/pushed:1");
    Digest digest = build(image, "pushed");
    ok("push", "-q", image);

    Run signed = ok("sign", "--key", key.toString(), image);

    String sigTag = digest.toTagForm() + ".sig";
    String pinned = registry.host() + "/places/pushed@" + digest;
    assertTrue(signed.err().contains("jscan: signed " + pinned + " in the registry (docker://" + registry.host() + "/places/pushed:" + sigTag + ")"),
        signed.err());
    assertTrue(signed.err().contains("jscan: signed " + pinned + " in the local store (store " + registry.host() + "/places/pushed:" + sigTag + ")"),
        signed.err());
    assertTrue(tags("places/pushed").contains(sigTag), "skopeo lists the .sig tag in the registry");
    assertEquals(List.of(pub), opensslVerifiedKeys("places/pushed", digest));
    // the very same signature in both places: a later push adds nothing
    try (LocalStore store = LocalStore.openDefault()) {
      byte[] local = store.read(StoreReference.byName(ImageName.parse(registry.host() + "/places/pushed:" + sigTag))).manifestBytes();
      assertArrayEquals(rawManifest("places/pushed:" + sigTag), local);
    }
    assertEquals(0, verify("docker://" + image, pub).code(), "the registry's copy verifies (what jscan serve checks)");
    assertEquals(0, verify(image, pub).code(), "and so does the store's");
    assertEquals(4, verify("docker://" + image, otherPub).code());
  }

  @Test
  void signByName_onlyInTheStore_signsThereAndSaysSo_thenPushCarriesIt() throws Exception {
    String image = name("places/local:1");
    Digest digest = build(image, "local");

    Run signed = ok("sign", "--key", key.toString(), image);

    assertTrue(signed.err().contains("jscan: signed " + registry.host() + "/places/local@" + digest + " in the local store only"), signed.err());
    assertTrue(signed.err().contains("registry " + registry.host() + " has no " + image + "; jscan push carries the signature there"), signed.err());
    assertEquals(1, signed.err().strip().lines().count(), signed.err());

    Run pushed = ok("push", image);
    String sigTag = digest.toTagForm() + ".sig";
    assertTrue(pushed.err().contains("jscan: carried 1 signature to docker://" + registry.host() + "/places/local:" + sigTag), pushed.err());
    assertEquals(List.of("1", sigTag), tags("places/local").stream().sorted().toList());
    assertEquals(List.of(pub), opensslVerifiedKeys("places/local", digest));
    assertEquals(0, verify("docker://" + image, pub).code());
  }

  @Test
  void signByName_storeAndRegistryDiffer_signsNothing_andNamesBothDigests() throws Exception {
    String image = name("places/differ:1");
    Digest pushed = build(image, "first");
    ok("push", "-q", image);
    Digest rebuilt = build(image, "second");

    Run refused = jscan("sign", "--key", key.toString(), image);

    assertEquals(2, refused.code(), refused.err());
    assertEquals(1, refused.err().strip().lines().count(), refused.err());
    assertTrue(refused.err().startsWith("jscan: signing " + image + ": the local store's copy (" + rebuilt + ") is not the registry's ("
        + pushed + "); nothing was signed"), refused.err());
    assertTrue(refused.err().contains("docker://" + image) && refused.err().contains("--local"), refused.err());
    assertEquals(List.of("1"), tags("places/differ"));
    assertEquals(List.of(image), storeNames());

    // each explicit form signs exactly its place
    ok("sign", "--key", key.toString(), "docker://" + image);
    assertTrue(tags("places/differ").contains(pushed.toTagForm() + ".sig"));
    assertEquals(List.of(image), storeNames(), "docker://NAME leaves the store alone");
    Run local = ok("sign", "--key", key.toString(), "--local", image);
    assertTrue(local.err().contains("in the local store only"), local.err());
    assertEquals(List.of(image, registry.host() + "/places/differ:" + rebuilt.toTagForm() + ".sig"), storeNames());
    assertFalse(tags("places/differ").contains(rebuilt.toTagForm() + ".sig"), "--local leaves the registry alone");
    ok("sign", "--key", key.toString(), registry.host() + "/places/differ@" + rebuilt);
    assertFalse(tags("places/differ").contains(rebuilt.toTagForm() + ".sig"), "by digest: the registry does not have that one");
  }

  @Test
  void signByName_registryUnreachable_signsNothing_localSignsOnPurpose() throws Exception {
    // .invalid never resolves (RFC 6761), so this fails at once on any machine
    String image = "registry.invalid/places/offline:1";
    build(image, "offline");

    Run refused = jscan("sign", "--key", key.toString(), image);

    assertEquals(1, refused.code(), refused.err());
    assertEquals(1, refused.err().strip().lines().count(), refused.err());
    assertTrue(refused.err().startsWith("jscan: signing " + image + ": the local store has it, but whether registry registry.invalid has it"
        + " cannot be told (registry registry.invalid: cannot resolve host registry.invalid); nothing was signed. For the local store's copy"
        + " only, add --local"), refused.err());
    assertEquals(List.of(image), storeNames(), "nothing signed");

    Run local = ok("sign", "--key", key.toString(), "--local", image);
    assertTrue(local.err().contains("in the local store only") && local.err().contains("--local was given"), local.err());
    assertEquals(0, verify(image, pub).code());
    Run refusedAttest = jscan("attest", "--key", key.toString(), "--predicate", predicate().toString(), image);
    assertEquals(1, refusedAttest.code(), refusedAttest.err());
    assertTrue(refusedAttest.err().contains("nothing was attested"), refusedAttest.err());
  }

  /**
   * {@code jscan build -t app:1} then {@code jscan sign app:1}: a short name means the local image
   * (as docker, podman and {@code jscan verify} read it), so Docker Hub is not asked and signing
   * works offline; {@code jscan push} to a registry name then carries the signature.
   */
  @Test
  void signShortName_theStoreHasIt_signsTheLocalImageWithoutAskingDockerHub() throws Exception {
    Digest digest = build("shortname:1", "short");

    Run signed = ok("sign", "--key", key.toString(), "shortname:1");

    assertTrue(signed.err().contains("jscan: signed docker.io/library/shortname@" + digest + " in the local store only"), signed.err());
    assertTrue(signed.err().contains("a short name means the local image"), signed.err());
    assertEquals(0, verify("shortname:1", pub).code());
    ok("tag", "shortname:1", name("places/short:1"));
    Run pushed = ok("push", name("places/short:1"));
    assertTrue(pushed.err().contains("jscan: carried 1 signature"), pushed.err());
    assertEquals(List.of(pub), opensslVerifiedKeys("places/short", digest));
  }

  private Path predicate() throws Exception {
    return Files.writeString(tmp.resolve("predicate.json"), "{\"builder\":{\"id\":\"https://ci.example/runner\"}}");
  }

  @Test
  void attestByName_afterPush_attestsInBothPlaces() throws Exception {
    String image = name("places/attested:1");
    Digest digest = build(image, "attested");
    ok("push", "-q", image);

    Run attested = ok("attest", "--key", key.toString(), "--predicate", predicate().toString(), "--type", "slsaprovenance", image);

    String attTag = digest.toTagForm() + ".att";
    assertTrue(attested.err().contains("jscan: attested https://slsa.dev/provenance/v1 for " + registry.host() + "/places/attested@" + digest
        + " in the registry (docker://" + registry.host() + "/places/attested:" + attTag + ")"), attested.err());
    assertTrue(attested.err().contains(" in the local store (store "), attested.err());
    assertTrue(tags("places/attested").contains(attTag));
    JsonNode manifest = JSON.readTree(rawManifest("places/attested:" + attTag));
    assertEquals("https://slsa.dev/provenance/v1", manifest.at("/layers/0/annotations/predicateType").asText());
    try (LocalStore store = LocalStore.openDefault()) {
      assertTrue(store.resolve(StoreReference.byName(ImageName.parse(registry.host() + "/places/attested:" + attTag))).isPresent());
    }
  }

  // ---------------------------------------------------------------- push, pull and build --push carry them

  @Test
  void push_carriesSignaturesAttestationsAndReferrers_asCosignCopyDoes() throws Exception {
    String image = name("travel/all:1");
    Path ctx = tmp.resolve("ctx-all");
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("hello.txt"), "all\n");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY hello.txt /\n");
    Digest digest = Digest.parse(ok("build", "-q", "--sbom", "--provenance", "-t", image, ctx.toString()).out().strip());
    ok("sign", "--key", key.toString(), "--local", image);
    ok("sign", "--key", key.toString(), "--bundle", "--local", image);
    ok("attest", "--key", key.toString(), "--local", "--predicate", predicate().toString(), "--type", "slsaprovenance", image);

    Run pushed = ok("push", image);

    String base = "docker://" + registry.host() + "/travel/all";
    assertTrue(pushed.err().contains("jscan: carried 1 signature to " + base + ":" + digest.toTagForm() + ".sig"), pushed.err());
    assertTrue(pushed.err().contains("jscan: carried 1 attestation to " + base + ":" + digest.toTagForm() + ".att"), pushed.err());
    assertEquals(4, pushed.err().lines().filter(l -> l.startsWith("jscan: carried referrer ")).count(), "two SBOMs, the provenance, the bundle:\n"
        + pushed.err());
    assertTrue(pushed.err().contains("jscan: carried referrer application/vnd.dev.sigstore.bundle.v0.3+json (https://sigstore.dev/cosign/sign/v1)"),
        pushed.err());
    assertTrue(pushed.out().startsWith("1: digest: " + digest), pushed.out());
    // distribution 2.8 has no referrers API: skopeo sees the referrers tag schema's index beside cosign's tags
    assertEquals(List.of("1", digest.toTagForm(), digest.toTagForm() + ".att", digest.toTagForm() + ".sig"), tags("travel/all").stream().sorted().toList());
    Path index = curl("/v2/travel/all/manifests/" + digest.toTagForm(), MediaTypes.OCI_INDEX, "referrers.json");
    List<String> types = new ArrayList<>();
    JSON.readTree(index.toFile()).get("manifests").forEach(m -> types.add(m.get("artifactType").asText()));
    assertEquals(List.of("application/vnd.dev.sigstore.bundle.v0.3+json", "application/vnd.in-toto+json", "application/vnd.in-toto+json",
        "application/vnd.in-toto+json"), types.stream().sorted().toList());
    assertEquals(List.of(pub), opensslVerifiedKeys("travel/all", digest));

    Run remote = jscan("verify", "docker://" + image, "--policy", integrityPolicy().toString(), "--key", pub.toString(), "--output", "json");
    assertEquals(0, remote.code(), remote.out() + remote.err());
    JsonNode input = JSON.readTree(remote.out()).at("/images/0/input");
    List<Boolean> verified = new ArrayList<>();
    input.get("signatures").forEach(sig -> verified.add(sig.get("verified").asBoolean()));
    assertEquals(List.of(true, true), verified, "the tag signature and the bundle, both carried: " + input.get("signatures"));
    assertEquals("https://slsa.dev/provenance/v1", input.at("/attestations/0/predicateType").asText(), input.toString());
    assertEquals(2, input.at("/sbom/attached").size(), "the unsigned SBOMs came along: " + remote.out());

    // pushed again: nothing new, nothing doubled, and -q says nothing
    Run again = ok("push", "-q", image);
    assertEquals("", again.err());
    assertEquals(4, JSON.readTree(curl("/v2/travel/all/manifests/" + digest.toTagForm(), MediaTypes.OCI_INDEX, "again.json").toFile()).get("manifests").size());
    assertEquals(1, JSON.readTree(rawManifest("travel/all:" + digest.toTagForm() + ".sig")).get("layers").size());
  }

  @Test
  void push_toARegistryWithOtherSignatures_keepsThemAndAddsOurs() throws Exception {
    String image = name("travel/shared:1");
    Digest digest = build(image, "shared");
    ok("push", "-q", image);
    ok("sign", "--key", otherKey.toString(), "docker://" + image); // another party signed the registry's copy
    ok("sign", "--key", key.toString(), "--local", image);

    Run pushed = ok("push", image);

    assertTrue(pushed.err().contains("jscan: carried 1 signature to docker://" + registry.host() + "/travel/shared:" + digest.toTagForm() + ".sig"),
        pushed.err());
    assertEquals(List.of(otherPub, pub), opensslVerifiedKeys("travel/shared", digest), "theirs first, then ours");
    assertEquals(0, verify("docker://" + image, pub).code());
    assertEquals(0, verify("docker://" + image, otherPub).code());
  }

  @Test
  void push_toAnotherRepository_andSkipAttachments() throws Exception {
    String image = name("travel/source:1");
    Digest digest = build(image, "source");
    ok("sign", "--key", key.toString(), "--local", image);

    ok("push", "--skip-attachments", image);
    assertEquals(List.of("1"), tags("travel/source"), "the image alone");
    assertEquals(4, verify("docker://" + image, pub).code());

    Run copied = ok("push", image, name("travel/copy:2"));
    assertTrue(copied.err().contains("carried 1 signature to docker://" + registry.host() + "/travel/copy:" + digest.toTagForm() + ".sig"),
        copied.err());
    assertEquals(List.of("2", digest.toTagForm() + ".sig"), tags("travel/copy").stream().sorted().toList());
  }

  @Test
  void pull_bringsSignaturesAndReferrers_soTheStoreCopyVerifiesOffline() throws Exception {
    String image = name("travel/pulled:1");
    Digest digest = build(image, "pulled");
    ok("push", "-q", image);
    ok("sign", "--key", key.toString(), "docker://" + image);
    ok("sign", "--key", key.toString(), "--bundle", "docker://" + image);

    useStore("elsewhere");
    Run pulled = ok("pull", image);
    assertTrue(pulled.err().contains("jscan: carried 1 signature to store " + registry.host() + "/travel/pulled:" + digest.toTagForm() + ".sig"),
        pulled.err());
    assertTrue(pulled.err().contains("jscan: carried referrer application/vnd.dev.sigstore.bundle.v0.3+json"), pulled.err());
    Run images = ok("images");
    assertTrue(images.out().lines().skip(1).allMatch(l -> l.contains("2 signatures")), images.out());
    assertEquals(2, images.out().lines().count(), images.out());
    registry.kill(); // the store's copy verifies with the registry gone
    try {
      assertEquals(0, verify(image, pub).code());
    } finally {
      registry.restart(); // same port and storage, for the other tests
    }
  }

  @Test
  void pull_skipAttachments_bringsTheImageAlone() throws Exception {
    String image = name("travel/bare:1");
    build(image, "bare");
    ok("push", "-q", image);
    ok("sign", "--key", key.toString(), "docker://" + image);
    useStore("elsewhere");
    ok("pull", "-q", "--skip-attachments", image);
    assertEquals(List.of(image), storeNames());
    assertEquals(4, verify(image, pub).code());
  }

  @Test
  void buildPush_carriesWhatAnEarlierBuildOfTheSameDigestHad() throws Exception {
    String image = name("travel/rebuilt:1");
    Digest digest = build(image, "rebuilt");
    ok("sign", "--key", key.toString(), "--local", image);
    Path ctx = tmp.resolve("ctx-rebuilt");

    Run rebuilt = ok("build", "-t", image, "--push", ctx.toString());

    assertEquals(digest.toString(), rebuilt.out().strip(), "reproducible: the same digest");
    assertTrue(rebuilt.err().contains("carried 1 signature to docker://" + registry.host() + "/travel/rebuilt:" + digest.toTagForm() + ".sig"),
        rebuilt.err());
    assertEquals(0, verify("docker://" + image, pub).code());
  }

  // ---------------------------------------------------------------- images and rmi

  @Test
  void images_listsImagesOnly_andCountsWhatIsAttached_allListsThemToo() throws Exception {
    String image = name("listed/app:1");
    Digest digest = build(image, "listed");
    Path ctx = tmp.resolve("ctx-listed");
    ok("build", "-q", "--sbom", "-t", image, ctx.toString());
    ok("sign", "--key", key.toString(), "--local", image);
    ok("sign", "--key", otherKey.toString(), "--local", image);
    ok("attest", "--key", key.toString(), "--local", "--bundle", "--predicate", predicate().toString(), image);
    build(name("listed/plain:1"), "plain");

    Run images = ok("images");
    List<String> lines = images.out().lines().toList();
    assertEquals(3, lines.size(), images.out());
    assertTrue(lines.get(0).matches("REPOSITORY +TAG +DIGEST +CREATED +SIZE +ATTACHED"), lines.get(0));
    assertTrue(lines.get(1).matches(".*/listed/app +1 +sha256:" + digest.encoded().substring(0, 12)
        + " .* 2 signatures, 1 attestation, 2 artifacts"), lines.get(1));
    assertTrue(lines.get(2).matches(".*/listed/plain +1 .* -"), lines.get(2));

    JsonNode json = JSON.readTree(ok("images", "--output", "json").out()).get("images");
    assertEquals(2, json.size(), json.toString());
    assertEquals(2, json.get(0).at("/attached/signatures").asInt());
    assertEquals(1, json.get(0).at("/attached/attestations").asInt());
    assertEquals(2, json.get(0).at("/attached/artifacts").asInt());

    Run all = ok("images", "--all");
    assertTrue(all.out().contains(digest.toTagForm() + ".sig"), all.out());
    assertEquals(3 + 1 + 3, all.out().lines().count(), "the .sig tag and three referrers too:\n" + all.out());
  }

  @Test
  void rmi_removesTheImagesSignaturesAndReferrers_andGcReclaimsTheirBlobs() throws Exception {
    String image = name("removed/app:1");
    Digest digest = build(image, "removed");
    ok("build", "-q", "--provenance", "-t", image, tmp.resolve("ctx-removed").toString());
    ok("sign", "--key", key.toString(), "--local", image);
    ok("sign", "--key", key.toString(), "--local", "--bundle", image);
    String kept = name("removed/kept:1");
    build(kept, "kept");
    ok("sign", "--key", key.toString(), "--local", kept);
    List<Path> blobsBefore;
    try (LocalStore store = LocalStore.openDefault()) {
      blobsBefore = List.copyOf(store.layout().listBlobs().values());
    }

    Run removed = ok("rmi", image);

    assertTrue(removed.out().contains("Untagged: " + image + "\n"), removed.out());
    assertTrue(removed.out().contains("Untagged: " + registry.host() + "/removed/app:" + digest.toTagForm() + ".sig\n"), removed.out());
    List<String> names = storeNames();
    assertEquals(2, names.size(), "the other image and its signature: " + names);
    assertTrue(names.contains(kept), names.toString());
    try (LocalStore store = LocalStore.openDefault()) {
      assertEquals(List.of(), store.referrers().list(digest));
      assertFalse(store.layout().hasBlob(digest));
      long gone = blobsBefore.stream().filter(p -> !Files.exists(p)).count();
      // the image (manifest, config, layer), the .sig manifest (manifest, config, payload), the provenance
      // referrer (manifest, statement; the empty config is shared with the bundle's), the bundle (manifest, bundle)
      assertTrue(gone >= 9, gone + " blobs deleted: " + removed.out());
      assertEquals(List.of(), store.gc(), "nothing left for a later collection");
    }
    assertEquals(0, verify(kept, pub).code(), "the other image keeps its signature");
  }
}
