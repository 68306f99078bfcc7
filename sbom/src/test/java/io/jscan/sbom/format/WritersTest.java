package io.jscan.sbom.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.core.oci.Digest;
import io.jscan.sbom.SbomGenerator;
import io.jscan.sbom.model.LayerInfo;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.Sbom;
import io.jscan.sbom.model.SbomSource;
import io.jscan.sbom.testing.Fixtures;
import io.jscan.sbom.testing.SbomSchemas;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** CycloneDX 1.6 and SPDX 2.3 output: schema-valid, complete and byte-for-byte reproducible. */
class WritersTest {
  private static final SbomGenerator GENERATOR = SbomGenerator.withDefaultCatalogers();
  private static final ToolInfo TOOL = ToolInfo.jscan("0.1.0-test");
  private static final List<String> FIXTURES = List.of(
      "dpkg/image-dpkg", "dpkg/image-distroless-deb", "dpkg/ubuntu-18.04-trivy", "alpine/multiple-1", "alpine/multiple-2", "alpine/trivy-apk", "alpine/corrupt");

  /** The fixture's catalogue presented as an image: a digest and a created time of its own. */
  static Sbom asImage(Sbom dir, Instant created) {
    SbomSource s = dir.source();
    SbomSource image = new SbomSource(
        SbomSource.Kind.IMAGE, "example.com/test:1", Digest.sha256("image of " + s.name()), Optional.of(created), Optional.of("linux/amd64"),
        List.of(new LayerInfo(0, Optional.of(Digest.sha256("diff")), Optional.of(Digest.sha256("blob")), Optional.of("COPY . ."))));
    return new Sbom(image, dir.operatingSystem(), dir.packages(), dir.relationships(), dir.warnings());
  }

  @TestFactory
  List<DynamicTest> write_conformanceFixtures_validateAgainstOfficialSchemas() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String fixture : FIXTURES) {
      for (SbomFormat format : List.of(SbomFormat.CYCLONEDX_JSON, SbomFormat.SPDX_JSON)) {
        tests.add(DynamicTest.dynamicTest(format + " " + fixture, () -> {
          Sbom dir = GENERATOR.catalogDirectory(Fixtures.corpus(fixture));
          for (Sbom sbom : List.of(dir, asImage(dir, Instant.parse("2023-11-14T22:13:20Z")))) {
            String doc = format.toString(sbom, TOOL);
            var problems = format == SbomFormat.CYCLONEDX_JSON ? SbomSchemas.validateCycloneDx(doc) : SbomSchemas.validateSpdx(doc);
            assertEquals(Set.of(), problems, fixture);
          }
        }));
      }
    }
    return tests;
  }

  @Test
  void write_samePackagesTwice_givesIdenticalBytes() throws Exception {
    Sbom first = asImage(GENERATOR.catalogDirectory(Fixtures.corpus("dpkg/ubuntu-18.04-trivy")), Instant.parse("2023-11-14T22:13:20Z"));
    Sbom second = asImage(GENERATOR.catalogDirectory(Fixtures.corpus("dpkg/ubuntu-18.04-trivy")), Instant.parse("2023-11-14T22:13:20Z"));
    for (SbomFormat format : SbomFormat.values()) {
      assertEquals(format.toString(first, TOOL), format.toString(second, TOOL), format.id());
    }
  }

  @Test
  void cycloneDx_serialAndTimestamp_comeFromTheImageNotTheClock() throws Exception {
    Sbom sbom = asImage(GENERATOR.catalogDirectory(Fixtures.corpus("dpkg/image-dpkg")), Instant.parse("2023-11-14T22:13:20Z"));
    JsonNode doc = Fixtures.JSON.readTree(SbomFormat.CYCLONEDX_JSON.toString(sbom, TOOL));
    assertEquals("2023-11-14T22:13:20Z", doc.at("/metadata/timestamp").asText());
    assertEquals("urn:uuid:" + Json.uuidFor("cyclonedx", sbom.source().digest()), doc.get("serialNumber").asText());
    assertTrue(doc.get("serialNumber").asText().matches("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
    Sbom other = asImage(GENERATOR.catalogDirectory(Fixtures.corpus("alpine/multiple-1")), Instant.parse("2023-11-14T22:13:20Z"));
    String otherSerial = Fixtures.JSON.readTree(SbomFormat.CYCLONEDX_JSON.toString(other, TOOL)).get("serialNumber").asText();
    assertFalse(otherSerial.equals(doc.get("serialNumber").asText()), "a different image has a different serial number");
    assertEquals(sbom.source().digest().toString(), doc.at("/metadata/component/version").asText());
    assertEquals("container", doc.at("/metadata/component/type").asText());
  }

  @Test
  void cycloneDx_debPackage_carriesPurlLicensesFilesAndLayer() throws Exception {
    Sbom sbom = asImage(GENERATOR.catalogDirectory(Fixtures.corpus("dpkg/image-dpkg")), Instant.parse("2023-11-14T22:13:20Z"));
    JsonNode doc = Fixtures.JSON.readTree(SbomFormat.CYCLONEDX_JSON.toString(sbom, TOOL));
    JsonNode os = doc.get("components").get(0);
    assertEquals("operating-system", os.get("type").asText());
    assertEquals("debian", os.get("name").asText());
    JsonNode pam = doc.get("components").get(1);
    Package p = sbom.packages().get(0);
    assertEquals(p.id(), pam.get("bom-ref").asText());
    assertEquals("libpam-runtime", pam.get("name").asText());
    assertEquals("1.1.8-3.6", pam.get("version").asText());
    assertEquals("pkg:deb/debian/libpam-runtime@1.1.8-3.6?arch=all&distro=debian-12&upstream=pam", pam.get("purl").asText());
    Set<String> licenses = new HashSet<>();
    pam.get("licenses").forEach(l -> licenses.add(l.at("/license/id").asText(l.at("/license/name").asText())));
    // GPL-2 and LGPL-2.1 are Debian short names for SPDX ids; GPL-1 names an SPDX id only through its alias
    assertEquals(Set.of("GPL-1.0-only", "GPL-2.0-only", "LGPL-2.1-only"), licenses);
    assertEquals(p.files().size(), pam.get("components").size());
    JsonNode conf = pam.get("components").get(0);
    assertEquals("/etc/pam.conf", conf.get("name").asText());
    assertEquals("MD5", conf.at("/hashes/0/alg").asText());
    assertEquals("87fc76f18e98ee7d3848f6b81b3391e5", conf.at("/hashes/0/content").asText());
    List<String> props = new ArrayList<>();
    pam.get("properties").forEach(x -> props.add(x.get("name").asText() + "=" + x.get("value").asText()));
    assertTrue(props.contains("jscan:layer:number=1"), "layers are numbered from 1, as in every jscan report: " + props);
    assertTrue(props.contains("jscan:layer:diffId=" + Digest.sha256("diff")), props.toString());
    assertTrue(props.contains("jscan:location:0:path=/var/lib/dpkg/status"), props.toString());
  }

  @Test
  void spdx_packagesFilesAndRelationships_linkUp() throws Exception {
    Sbom sbom = asImage(GENERATOR.catalogDirectory(Fixtures.corpus("alpine/multiple-1")), Instant.parse("2023-11-14T22:13:20Z"));
    JsonNode doc = Fixtures.JSON.readTree(SbomFormat.SPDX_JSON.toString(sbom, TOOL));
    assertEquals("2023-11-14T22:13:20Z", doc.at("/creationInfo/created").asText());
    assertEquals("Tool: jscan-0.1.0-test", doc.at("/creationInfo/creators/0").asText());
    assertTrue(doc.get("documentNamespace").asText().endsWith("-" + Json.uuidFor("spdx", sbom.source().digest())));
    Set<String> ids = new HashSet<>();
    doc.get("packages").forEach(p -> ids.add(p.get("SPDXID").asText()));
    doc.path("files").forEach(f -> ids.add(f.get("SPDXID").asText()));
    ids.add("SPDXRef-DOCUMENT");
    int dependsOn = 0;
    for (JsonNode r : doc.get("relationships")) {
      assertTrue(ids.contains(r.get("spdxElementId").asText()), r.toString());
      assertTrue(ids.contains(r.get("relatedSpdxElement").asText()), r.toString());
      if (r.get("relationshipType").asText().equals("DEPENDS_ON")) {
        dependsOn++;
      }
    }
    assertEquals(sbom.relationships().size(), dependsOn);
    assertTrue(sbom.operatingSystem().isEmpty(), "the fixture has no os-release");
    assertEquals(sbom.packages().size() + 1, doc.get("packages").size(), "the image and its packages");
    long withDigest = sbom.packages().stream().flatMap(p -> p.files().stream()).filter(f -> f.digest().isPresent()).map(f -> f.path()).distinct().count();
    assertEquals(withDigest, doc.get("files").size());
  }

  @Test
  void table_listsNameVersionTypeLayer() throws Exception {
    Sbom sbom = GENERATOR.catalogDirectory(Fixtures.corpus("alpine/corrupt"));
    String table = SbomFormat.TABLE.toString(sbom, TOOL);
    List<String> lines = table.lines().toList();
    assertTrue(lines.get(0).matches("NAME +VERSION +TYPE +LAYER"), lines.get(0));
    assertTrue(lines.get(1).matches("\\S+ +\\S+ +apk +1"), "a directory is one layer, number 1: " + lines.get(1));
    assertEquals(sbom.packages().size() + 1, lines.size());
  }
}
