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
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.signing.oci.Conventions;
import io.jscan.signing.oci.LayoutSignatureStore;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jscan build --sign --key K --sbom --provenance}: the image signed and its SBOMs and
 * provenance attached as signed in-toto attestations (cosign's {@code sha256-<hex>.att}, or
 * Sigstore bundle referrers) in the store, an {@code oci:} layout and a real registry; then
 * {@code jscan verify --policy strict --key} trusting exactly those, and refusing them under another
 * key or after tampering (exit 4).
 */
class BuildSignAttestTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "build and attest";
  private static final Set<String> ALL_TYPES =
      Set.of("https://cyclonedx.org/bom", "https://spdx.dev/Document", "https://slsa.dev/provenance/v1");
  private static final String IN_TOTO = "application/vnd.in-toto+json";

  @TempDir static Path shared;
  static TestRegistry registry;
  static Path key;
  static Path pub;
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
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
    env = new HashMap<>();
    env.put("COSIGN_PASSWORD", PASSWORD);
    env.put("SOURCE_DATE_EPOCH", "1700000000");
    env.put("DOCKER_CONFIG", tmp.resolve("docker").toString());
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  private Run jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out, true), new PrintWriter(err, true), env, args);
    return new Run(code, out.toString().strip(), err.toString());
  }

  private static RegistryClient client() {
    return new RegistryClient(RegistryOptions.defaults());
  }

  /** A context whose image satisfies strict's image rules: a maintainer, a non-root user, {@code FROM} the given base. */
  private Path context(String from) throws Exception {
    Path ctx = tmp.resolve("ctx");
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("hello.txt"), "hello\n");
    Files.writeString(ctx.resolve(".dockerignore"), "jscan.lock\n");
    Files.writeString(ctx.resolve("Dockerfile"),
        "FROM " + from + "\nLABEL org.opencontainers.image.authors=team@example.com\nCOPY hello.txt /\nUSER 1000:1000\n");
    return ctx;
  }

  private static JsonNode input(Run verify) throws Exception {
    return JSON.readTree(verify.out()).at("/images/0/input");
  }

  private static void assertExit4(Run r, String reason) {
    assertEquals(4, r.code(), r.out() + r.err());
    assertTrue(r.out().contains(reason), "expected \"" + reason + "\" in:\n" + r.out());
    assertFalse(r.err().contains("at io.jscan"), "no stack trace: " + r.err());
  }

  /** The predicate types of the layers of a {@code .att} manifest, each checked to have cosign's layer shape. */
  private static Set<String> attestationLayers(List<Descriptor> layers) {
    Set<String> types = new TreeSet<>();
    for (Descriptor l : layers) {
      // cosign ATTESTATION_SPEC.md: a DSSE envelope per layer, an empty signature annotation (the signature is in the envelope)
      assertEquals("application/vnd.dsse.envelope.v1+json", l.mediaType());
      assertEquals("", l.annotations().get("dev.cosignproject.cosign/signature"), l.annotations().toString());
      types.add(l.annotations().get("predicateType"));
    }
    return types;
  }

  /** The statement a DSSE envelope carries. */
  private static byte[] payload(byte[] envelope) throws Exception {
    JsonNode e = JSON.readTree(envelope);
    assertEquals(IN_TOTO, e.get("payloadType").asText());
    return Base64.getDecoder().decode(e.get("payload").asText());
  }

  // ---------------------------------------------------------------- registry and store

  @Test
  void buildSignSbomProvenance_thenVerifyStrictWithKey_passes() throws Exception {
    Image base = TestImages.withLayers("signed base");
    String baseName = registry.host() + "/attest/base:1";
    client().push(base, ImageName.parse(baseName));
    String target = registry.host() + "/attest/app:1";
    Path dir = tmp.resolve("sbom-dir");
    // strict's base-pinned asks for a digest written in FROM (what jscan.lock resolved does not count)
    Run build = jscan("build", "-t", target, "--push", "--sign", "--key", key.toString(), "--sbom", "--provenance",
        "--sbom-dir", dir.toString(), context(baseName + "@" + base.digest()).toString());
    assertEquals(0, build.code(), build.err());
    Digest digest = Digest.parse(build.out());
    assertTrue(build.err().contains("attested https://slsa.dev/provenance/v1 for " + digest + ": docker://" + target.replace(":1", "")
        + ":" + digest.toTagForm() + ".att"), build.err());
    assertFalse(build.err().contains("(unsigned)"), "signed only, no unsigned copies: " + build.err());

    // the registry: three DSSE layers in sha256-<hex>.att, and no unsigned referrers beside them
    ImageName name = ImageName.parse(target);
    RegistryClient.FetchedManifest att = client().fetchManifest(name, Conventions.attestationTag(digest));
    JsonNode manifest = JSON.readTree(att.bytes());
    assertEquals(MediaTypes.OCI_MANIFEST, manifest.get("mediaType").asText());
    Image attImage = (Image) client().read(ImageName.parse(registry.host() + "/attest/app@" + att.descriptor().digest()));
    assertEquals(ALL_TYPES, attestationLayers(attImage.manifest().layers()));
    assertEquals(List.of(), client().referrers(name).list(digest, IN_TOTO), "no unsigned attachments when signing");
    // what is signed is the statement --sbom-dir wrote, byte for byte
    Descriptor provenanceLayer = attImage.manifest().layers().stream()
        .filter(l -> l.annotations().get("predicateType").equals("https://slsa.dev/provenance/v1")).findFirst().orElseThrow();
    assertArrayEquals(Files.readAllBytes(dir.resolve("provenance.intoto.json")), payload(attImage.openBlob(provenanceLayer).readAllBytes()));

    // strict passes in the registry: signature-required, sbom-required, and the base facts come from the signed provenance
    Run remote = jscan("verify", "docker://" + target, "--policy", "strict", "--key", pub.toString(), "--output", "json");
    assertEquals(0, remote.code(), remote.out() + remote.err());
    JsonNode in = input(remote);
    assertEquals("attestation", in.at("/provenance/source").asText(), in.toString());
    assertTrue(in.at("/provenance/verified").asBoolean(), in.toString());
    assertEquals("provenance", in.at("/base/source").asText(), "signed provenance names the base: " + in.at("/base"));
    assertEquals(base.digest().toString(), in.at("/base/digest").asText());
    assertEquals(baseName + "@" + base.digest(), in.at("/base/reference").asText(), "provenance's name: the reference as written");
    assertEquals(base.digest().toString(), in.at("/base/resolvedDigest").asText());
    assertEquals("attestation", in.at("/sbom/source").asText(), "the packages of the signed SBOM: " + in.at("/sbom"));
    for (JsonNode a : in.at("/sbom/attached")) {
      assertEquals("attestation", a.get("source").asText(), in.at("/sbom/attached").toString());
      assertTrue(a.get("verified").asBoolean(), in.at("/sbom/attached").toString());
    }
    assertEquals(2, in.at("/sbom/attached").size());

    // and in the local store, where the same build signed and attested under the repository
    Run local = jscan("verify", target, "--policy", "strict", "--key", pub.toString());
    assertEquals(0, local.code(), local.out() + local.err());
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      assertEquals(List.of(), store.referrers().list(digest, IN_TOTO), "no unsigned attachments in the store either");
    }

    // another key trusts nothing: no signature, no SBOM, no provenance facts
    Run other = jscan("verify", "docker://" + target, "--policy", "strict", "--key", otherPub.toString());
    assertExit4(other, "does not match the key");
  }

  @Test
  void attestAfterBuildSign_appendsToTheSameAttManifest_andARebuildReplacesOnlyItsOwnTypes() throws Exception {
    String target = registry.host() + "/attest/again:1";
    Path ctx = context("scratch");
    String[] build = {"build", "-q", "-t", target, "--push", "--sign", "--key", key.toString(), "--sbom", "--provenance", ctx.toString()};
    Run first = jscan(build);
    assertEquals(0, first.code(), first.err());
    Digest digest = Digest.parse(first.out());
    Path vuln = Files.writeString(tmp.resolve("vuln.json"), "{\"scanner\":{\"uri\":\"https://scanner.example\"}}");
    Run attest = jscan("attest", "--key", key.toString(), "--predicate", vuln.toString(), "--type", "vuln", "docker://" + target);
    assertEquals(0, attest.code(), attest.err());

    Run again = jscan(build);
    assertEquals(0, again.code(), again.err());
    assertEquals(first.out(), again.out());
    ImageName name = ImageName.parse(target);
    RegistryClient.FetchedManifest att = client().fetchManifest(name, Conventions.attestationTag(digest));
    Image attImage = (Image) client().read(ImageName.parse(registry.host() + "/attest/again@" + att.descriptor().digest()));
    Set<String> expected = new TreeSet<>(ALL_TYPES);
    expected.add("https://cosign.sigstore.dev/attestation/vuln/v1");
    assertEquals(expected, attestationLayers(attImage.manifest().layers()));
    assertEquals(4, attImage.manifest().layers().size(), "the rebuild replaced its SBOMs and provenance, kept jscan attest's vuln");

    Run strict = jscan("verify", "docker://" + target, "--policy", "strict", "--key", pub.toString(), "--output", "json");
    assertEquals(0, strict.code(), strict.out() + strict.err());
    assertEquals(4, input(strict).at("/attestations").size(), input(strict).at("/attestations").toString());
  }

  /** The DSSE pre-authentication encoding, written here from the DSSE spec (protocol.md), not taken from jscan. */
  private static byte[] pae(String type, byte[] body) {
    byte[] head = ("DSSEv1 " + type.getBytes(StandardCharsets.UTF_8).length + " " + type + " " + body.length + " ")
        .getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[head.length + body.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(body, 0, out, head.length, body.length);
    return out;
  }

  @Test
  void openssl_verifiesTheDsseSignatureOfABuildAttestation_fetchedWithCurl() throws Exception {
    ExternalTool.require("openssl");
    String curl = ExternalTool.require("curl").toString();
    String target = registry.host() + "/attest/openssl:1";
    Run build = jscan("build", "-q", "-t", target, "--push", "--sign", "--key", key.toString(), "--provenance", context("scratch").toString());
    assertEquals(0, build.code(), build.err());
    Digest digest = Digest.parse(build.out());
    String base = "http://" + registry.host() + "/v2/attest/openssl";
    Path manifest = tmp.resolve("att.json");
    Processes.Result m = Processes.run(tmp, List.of(curl, "-sSf", "-H", "Accept: " + MediaTypes.OCI_MANIFEST, "-o", manifest.toString(),
        base + "/manifests/" + Conventions.attestationTag(digest)));
    assertEquals(0, m.exitCode(), m.output());
    JsonNode layer = JSON.readTree(manifest.toFile()).at("/layers/0");
    assertEquals("https://slsa.dev/provenance/v1", layer.at("/annotations/predicateType").asText());
    Path envelope = tmp.resolve("envelope.json");
    Processes.Result b = Processes.run(tmp, List.of(curl, "-sSf", "-o", envelope.toString(), base + "/blobs/" + layer.get("digest").asText()));
    assertEquals(0, b.exitCode(), b.output());
    JsonNode e = JSON.readTree(envelope.toFile());
    byte[] statement = payload(Files.readAllBytes(envelope));
    assertEquals(digest.encoded(), JSON.readTree(statement).at("/subject/0/digest/sha256").asText());
    Path signed = Files.write(tmp.resolve("pae.bin"), pae(IN_TOTO, statement));
    Path sig = Files.write(tmp.resolve("sig.der"), Base64.getDecoder().decode(e.at("/signatures/0/sig").asText()));
    Processes.Result ok = Processes.run(tmp, List.of("openssl", "dgst", "-sha256", "-verify", pub.toString(), "-signature", sig.toString(), signed.toString()));
    assertEquals(0, ok.exitCode(), ok.output());
    assertTrue(ok.output().contains("Verified OK"), ok.output());
    Processes.Result bad = Processes.run(tmp, List.of("openssl", "dgst", "-sha256", "-verify", otherPub.toString(), "-signature", sig.toString(), signed.toString()));
    assertEquals(1, bad.exitCode(), "another key does not verify it: " + bad.output());
  }

  // ---------------------------------------------------------------- oci: layout, tampering, bundles

  private Digest buildToLayout(Path layout, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("build", "-q", "-o", "oci:" + layout + ":app", "--sign", "--key", key.toString(),
        "--sbom", "--provenance"));
    args.addAll(List.of(extra));
    args.add(context("scratch").toString());
    Run build = jscan(args.toArray(new String[0]));
    assertEquals(0, build.code(), build.err());
    return Digest.parse(build.out());
  }

  /** Rewrites the provenance layer of the layout's {@code .att} manifest, as an attacker with write access could. */
  private static void rewriteProvenanceEnvelope(Path layout, Digest subject, UnaryOperator<byte[]> change) throws Exception {
    LayoutSignatureStore store = new LayoutSignatureStore(OciLayout.open(layout), "app");
    String tag = Conventions.attestationTag(subject);
    Image att = store.readTagged(tag).orElseThrow();
    StaticImage.Builder b = StaticImage.builder().config(MediaTypes.OCI_CONFIG, att.configBytes());
    for (Descriptor l : att.manifest().layers()) {
      byte[] content = att.openBlob(l).readAllBytes();
      if ("https://slsa.dev/provenance/v1".equals(l.annotations().get("predicateType"))) {
        content = change.apply(content);
      }
      b.blob(l.mediaType(), content, l.annotations());
    }
    store.writeTagged(tag, b.build());
  }

  @Test
  void buildSignSbomProvenance_toOciLayout_verifiesStrict_andATamperedAttestationIsExit4() throws Exception {
    Path layout = tmp.resolve("out");
    Digest digest = buildToLayout(layout);
    String ref = "oci:" + layout + ":app";
    Run ok = jscan("verify", ref, "--policy", "strict", "--key", pub.toString(), "--output", "json");
    assertEquals(0, ok.code(), ok.out() + ok.err());
    assertTrue(input(ok).at("/provenance/verified").asBoolean(), input(ok).toString());
    assertEquals(List.of(), OciLayout.open(layout).referrers().list(digest, IN_TOTO), "no unsigned attachments when signing");

    // the signed statement changed (the base the provenance names, say) but its signature kept: the signature no longer matches
    Path changed = tmp.resolve("changed");
    copyTree(layout, changed);
    rewriteProvenanceEnvelope(changed, digest, envelope -> {
      try {
        com.fasterxml.jackson.databind.node.ObjectNode e = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(envelope);
        String statement = new String(Base64.getDecoder().decode(e.get("payload").asText()), StandardCharsets.UTF_8);
        String forged = statement.replace("https://jscan.io/builders/cli/v1", "https://trusted.example/builder");
        assertFalse(forged.equals(statement));
        e.put("payload", Base64.getEncoder().encodeToString(forged.getBytes(StandardCharsets.UTF_8)));
        return JSON.writeValueAsBytes(e);
      } catch (java.io.IOException x) {
        throw new java.io.UncheckedIOException(x);
      }
    });
    Run forged = jscan("verify", "oci:" + changed + ":app", "--policy", "strict", "--key", pub.toString(), "--output", "json");
    assertEquals(4, forged.code(), forged.out() + forged.err());
    assertTrue(forged.out().contains(".att layer 3: verifying DSSE envelope: no signature verifies under the key"), forged.out());
    assertTrue(input(forged).at("/provenance").isEmpty(), "a forged provenance is not shown as facts: " + input(forged).at("/provenance"));

    // one byte of the stored envelope flipped on disk: its digest no longer matches
    Path flipped = tmp.resolve("flipped");
    copyTree(layout, flipped);
    Image att = new LayoutSignatureStore(OciLayout.open(flipped), "app").readTagged(Conventions.attestationTag(digest)).orElseThrow();
    Digest blob = att.manifest().layers().get(0).digest();
    Path file = flipped.resolve("blobs/sha256/" + blob.encoded());
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 1;
    Files.write(file, bytes);
    Run flippedRun = jscan("verify", "oci:" + flipped + ":app", "--policy", "strict", "--key", pub.toString());
    assertExit4(flippedRun, ".att layer 1: unreadable: layer 1 " + blob + ": digest mismatch");
  }

  @Test
  void buildSignBundleSbomProvenance_toOciLayout_storesBundleReferrers_andVerifiesStrictOnlyWithItsKey() throws Exception {
    Path layout = tmp.resolve("out");
    Digest digest = buildToLayout(layout, "--bundle");
    OciLayout l = OciLayout.open(layout);
    Set<String> types = new TreeSet<>();
    for (Descriptor d : l.referrers().list(digest, Conventions.BUNDLE_ARTIFACT_TYPE)) {
      Image referrer = (Image) l.referrers().read(d);
      assertEquals(Conventions.BUNDLE_ARTIFACT_TYPE, referrer.manifest().artifactType().orElseThrow());
      types.add(referrer.manifest().annotations().get(Conventions.BUNDLE_PREDICATE_TYPE_ANNOTATION));
    }
    Set<String> expected = new TreeSet<>(ALL_TYPES);
    expected.add(Conventions.COSIGN_SIGN_PREDICATE_TYPE);
    assertEquals(expected, types, "the signature and the three attestations, each a bundle referrer");
    assertEquals(List.of(), l.referrers().list(digest, IN_TOTO), "no unsigned attachments when signing");
    assertTrue(l.index().manifests().stream().noneMatch(m -> m.refName().orElse("").endsWith(".att")), "bundles only, no .att tag");

    String ref = "oci:" + layout + ":app";
    Run ok = jscan("verify", ref, "--policy", "strict", "--key", pub.toString());
    assertEquals(0, ok.code(), ok.out() + ok.err());
    assertExit4(jscan("verify", ref, "--policy", "strict", "--key", otherPub.toString()), "no signature verified");
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (var paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  @Test
  void buildWithoutSign_keepsUnsignedAttachments_whichStrictWithAKeyRefuses() throws Exception {
    Path layout = tmp.resolve("out");
    Run build = jscan("build", "-q", "-o", "oci:" + layout + ":app", "--sbom", "--provenance", context("scratch").toString());
    assertEquals(0, build.code(), build.err());
    Digest digest = Digest.parse(build.out());
    assertEquals(3, OciLayout.open(layout).referrers().list(digest, IN_TOTO).size(), "without --sign nothing changes");
    assertTrue(OciLayout.open(layout).index().manifests().stream().noneMatch(m -> m.refName().orElse("").endsWith(".att")));
    Run strict = jscan("verify", "oci:" + layout + ":app", "--policy", "strict", "--key", pub.toString());
    assertExit4(strict, "no signed SBOM: the SBOM attached as sha256:");
  }
}
