package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.image.Image;
import io.jscan.core.image.Referrers;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.testing.ProvenanceSchema;
import io.jscan.core.testing.RepoPaths;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.core.transport.store.LocalStore;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jscan build --sbom --provenance --sbom-dir: files, unsigned attachments per sink, an image left bit-identical. */
class BuildAttestTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> ALL_TYPES =
      Set.of("https://cyclonedx.org/bom", "https://spdx.dev/Document", "https://slsa.dev/provenance/v1");

  @TempDir Path tmp;
  Map<String, String> env = new HashMap<>();

  record Result(int code, String out, String err) {}

  @BeforeEach
  void useTempStore() {
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
    env.put("SOURCE_DATE_EPOCH", "1700000000");
    env.put("DOCKER_CONFIG", tmp.resolve("docker").toString());
  }

  @AfterEach
  void restore() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  Result jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), env, args);
    return new Result(code, out.toString().strip(), err.toString());
  }

  static String golden() throws Exception {
    return Files.readAllLines(RepoPaths.testdata("sample.digest")).stream().filter(l -> l.startsWith("sha256:")).findFirst().orElseThrow();
  }

  /** The predicate types of the statements attached to {@code subject}, each read back and checked to be about it. */
  static Set<String> attachedPredicates(Referrers referrers, Digest subject) throws Exception {
    Set<String> types = new TreeSet<>();
    for (Descriptor d : referrers.list(subject, "application/vnd.in-toto+json")) {
      Image artifact = (Image) referrers.read(d);
      assertEquals(subject, artifact.manifest().subject().orElseThrow().digest());
      try (InputStream in = artifact.openBlob(artifact.manifest().layers().get(0))) {
        JsonNode statement = JSON.readTree(in);
        assertEquals(subject.encoded(), statement.at("/subject/0/digest/sha256").asText());
        assertEquals(d.annotations().get("in-toto.io/predicate-type"), statement.get("predicateType").asText());
        types.add(statement.get("predicateType").asText());
      }
    }
    return types;
  }

  @Test
  void build_sbomProvenanceAndSbomDir_writesTheFiles_attachesInTheStore_andKeepsTheGoldenDigest() throws Exception {
    Path dir = tmp.resolve("attest");
    Result r = jscan("build", "-t", "sample:1", "--sbom", "--provenance", "--sbom-dir", dir.toString(),
        RepoPaths.testdata("sample").toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(golden(), r.out(), "attachments never change the image");
    Digest digest = Digest.parse(r.out());

    JsonNode cdx = JSON.readTree(Files.readAllBytes(dir.resolve("sbom.cdx.json")));
    assertEquals("CycloneDX", cdx.get("bomFormat").asText());
    JsonNode spdx = JSON.readTree(Files.readAllBytes(dir.resolve("sbom.spdx.json")));
    assertEquals("SPDX-2.3", spdx.get("spdxVersion").asText());
    byte[] provenance = Files.readAllBytes(dir.resolve("provenance.intoto.json"));
    assertEquals(List.of(), ProvenanceSchema.problems(provenance));
    JsonNode statement = JSON.readTree(provenance);
    assertEquals("docker.io/library/sample", statement.at("/subject/0/name").asText());
    assertEquals(digest.encoded(), statement.at("/subject/0/digest/sha256").asText());
    assertEquals("1700000000", statement.at("/predicate/buildDefinition/externalParameters/buildArgs/SOURCE_DATE_EPOCH").asText());

    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      assertEquals(ALL_TYPES, attachedPredicates(store.referrers(), digest));
    }
    Result verify = jscan("verify", "sample:1", "--output", "json");
    assertEquals(0, verify.code(), verify.out() + verify.err());
    assertEquals(2, ((List<?>) ((Map<?, ?>) input(verify.out()).get("sbom")).get("attached")).size(), "found in the store");
    Result images = jscan("images");
    assertEquals(0, images.code(), images.err());
    assertEquals(2, images.out().lines().count(), "the header and the image; attachments are not images: " + images.out());

    // rebuilding attaches the same SBOM artifacts (deterministic) and a new provenance (new run) that replaces the old one
    Result again = jscan("build", "-q", "-t", "sample:1", "--sbom", "--provenance", RepoPaths.testdata("sample").toString());
    assertEquals(0, again.code(), again.err());
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      List<Descriptor> all = store.referrers().list(digest);
      assertEquals(3, all.size(), "the two SBOMs once each, the latest provenance: " + all);
    }
  }

  @Test
  void build_sbomDirAlone_impliesSbom_andWritesNoProvenance() throws Exception {
    Path dir = tmp.resolve("attest");
    Result r = jscan("build", "-q", "--sbom-dir", dir.toString(), RepoPaths.testdata("sample").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.exists(dir.resolve("sbom.cdx.json")));
    assertTrue(Files.exists(dir.resolve("sbom.spdx.json")));
    assertFalse(Files.exists(dir.resolve("provenance.intoto.json")));
  }

  @Test
  void build_toOciLayout_attachesInThatLayout() throws Exception {
    Path layoutDir = tmp.resolve("out");
    Result r = jscan("build", "--output", "oci:" + layoutDir + ":sample", "--sbom", "--provenance",
        RepoPaths.testdata("sample").toString());
    assertEquals(0, r.code(), r.err());
    OciLayout layout = OciLayout.open(layoutDir);
    assertEquals(ALL_TYPES, attachedPredicates(layout.referrers(), Digest.parse(r.out())));
    assertEquals(Digest.parse(r.out()), layout.resolve(java.util.Optional.of("sample"), java.util.Optional.empty()).descriptor().digest());
  }

  @Test
  void build_toDockerArchiveWithSbomButNoDir_isAUsageErrorBeforeBuilding() throws Exception {
    Path archive = tmp.resolve("a.tar");
    Result r = jscan("build", "--output", "docker-archive:" + archive, "--sbom", RepoPaths.testdata("sample").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().strip().endsWith("jscan: --sbom/--provenance: a docker-archive cannot hold attachments; add --sbom-dir DIR for the files"),
        r.err());
    assertFalse(Files.exists(archive));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> input(String jsonReport) throws Exception {
    JsonNode report = JSON.readTree(jsonReport);
    return JSON.convertValue(report.at("/images/0/input"), Map.class);
  }

  @Test
  void verify_imageBuiltWithUnsignedAttachments_showsThem_butStrictStillWantsASignedSbom() throws Exception {
    Path layoutDir = tmp.resolve("out");
    Result build = jscan("build", "-q", "--output", "oci:" + layoutDir + ":sample", "--sbom", "--provenance",
        RepoPaths.testdata("sample").toString());
    assertEquals(0, build.code(), build.err());
    Path policy = tmp.resolve("team.yaml");
    Files.writeString(policy, String.join("\n",
        "apiVersion: jscan.io/v1", "kind: Policy", "name: team", "rules:",
        "  - id: sbom-required", "    parameters: {acceptUnsigned: true}",
        "  - id: forbidden-packages", "    parameters:", "      packages: [{name: openssl, type: deb, versions: \"< 3.0.7\"}]",
        "  - id: provenance-attached", "    expression: \"has(provenance.builder) && provenance.builder.id == 'https://jscan.io/builders/cli/v1'\"",
        ""));
    Result team = jscan("verify", "oci:" + layoutDir + ":sample", "--policy", policy.toString(), "--output", "json");
    assertEquals(0, team.code(), team.out() + team.err());
    Map<String, Object> input = input(team.out());
    Map<String, Object> provenance = (Map<String, Object>) input.get("provenance");
    assertEquals(false, provenance.get("verified"), "attached without a signature");
    assertEquals("artifact", provenance.get("source"));
    String dockerfilePath = ((Map<String, Object>) ((Map<String, Object>) provenance.get("parameters")).get("dockerfile")).get("path").toString();
    assertTrue(dockerfilePath.endsWith("sample/Dockerfile"), dockerfilePath);
    Map<String, Object> sbom = (Map<String, Object>) input.get("sbom");
    assertEquals("generated", sbom.get("source"), "package rules judge what the image's own bytes hold");
    assertEquals(2, ((List<?>) sbom.get("attached")).size(), "the CycloneDX and SPDX attachments");

    Result strict = jscan("verify", "oci:" + layoutDir + ":sample", "--policy", "strict");
    // strict's signature rules fail as signature failures (exit 4): an unsigned SBOM counts as none
    assertEquals(4, strict.code(), strict.out() + strict.err());
    assertTrue(strict.out().contains("no signed SBOM: the SBOM attached as sha256:"), strict.out());
  }

  @Test
  void build_pushWithSbomAndProvenance_attachesInTheRegistry() throws Exception {
    try (TestRegistry registry = TestRegistry.start(tmp.resolve("registry"))) {
      String target = registry.host() + "/team/sample:1";
      Result r = jscan("build", "-q", "-t", target, "--push", "--sbom", "--provenance", RepoPaths.testdata("sample").toString());
      assertEquals(0, r.code(), r.err());
      RegistryClient client = new RegistryClient(RegistryOptions.defaults());
      ImageName name = ImageName.parse(target);
      assertEquals(ALL_TYPES, attachedPredicates(client.referrers(name), Digest.parse(r.out())));
      assertArrayEquals(Files.readAllBytes(tmp.resolve("home").resolve("blobs/sha256/" + Digest.parse(r.out()).encoded())),
          client.read(name).manifestBytes(), "the pushed image is the one built");
      Result verify = jscan("verify", "docker://" + target, "--output", "json");
      assertEquals(0, verify.code(), verify.out() + verify.err());
      Map<String, Object> input = input(verify.out());
      assertEquals(false, ((Map<?, ?>) input.get("provenance")).get("verified"), "found through the registry's referrers tag");
      assertEquals(2, ((List<?>) ((Map<?, ?>) input.get("sbom")).get("attached")).size());
    }
  }
}
