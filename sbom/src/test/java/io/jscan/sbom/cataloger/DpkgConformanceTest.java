package io.jscan.sbom.cataloger;

import static io.jscan.sbom.testing.Fixtures.corpus;
import static io.jscan.sbom.testing.Fixtures.json;
import static io.jscan.sbom.testing.Fixtures.read;
import static io.jscan.sbom.testing.Fixtures.strings;
import static io.jscan.sbom.testing.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.sbom.SbomGenerator;
import io.jscan.sbom.model.License;
import io.jscan.sbom.model.Location;
import io.jscan.sbom.model.OwnedFile;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.PackageMetadata;
import io.jscan.sbom.model.PackageType;
import io.jscan.sbom.model.Sbom;
import io.jscan.sbom.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** dpkg against ../shared/conformance/sbom-fixtures/dpkg (syft's and trivy's test tables). */
class DpkgConformanceTest {
  @TempDir Path tmp;

  private static final SbomGenerator GENERATOR = SbomGenerator.withDefaultCatalogers();

  @TestFactory
  List<DynamicTest> parseStatus_syftParseCases_yieldTheirEntriesInOrder() {
    JsonNode expected = json(corpus("dpkg/parse/expected.json"));
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : expected.get("cases")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
        DpkgCataloger.ParseResult parsed = DpkgCataloger.parseStatus(read(corpus("dpkg/" + c.get("file").asText())));
        assertEquals(List.of(), parsed.problems());
        JsonNode entries = c.get("entries");
        assertEquals(entries.size(), parsed.entries().size(), "entries of " + c.get("file"));
        for (int i = 0; i < entries.size(); i++) {
          assertEntry(entries.get(i), parsed.entries().get(i));
        }
        if (c.has("licenses")) {
          assertEquals(strings(c, "licenses"), parsed.entries().stream().map(e -> e.license().orElse("")).toList());
        }
      }));
    }
    return tests;
  }

  private static void assertEntry(JsonNode want, DpkgCataloger.Entry got) {
    String what = got.packageName();
    assertEquals(want.get("Package").asText(), got.packageName());
    assertEquals(text(want, "Version"), got.version(), what);
    assertEquals(text(want, "Source"), got.source(), what);
    assertEquals(text(want, "Architecture"), got.architecture(), what);
    assertEquals(text(want, "Maintainer"), got.maintainer(), what);
    assertEquals(Optional.ofNullable(want.get("InstalledSize")).map(JsonNode::asLong), got.installedSize(), what);
    assertEquals(text(want, "Description"), got.description(), what);
    assertEquals(strings(want, "Depends"), got.depends(), what);
    assertEquals(strings(want, "PreDepends"), got.preDepends(), what);
    assertEquals(strings(want, "Provides"), got.provides(), what);
    assertEquals(files(want.get("Files")), got.conffiles().stream().map(DpkgConformanceTest::fileKey).collect(Collectors.toCollection(TreeSet::new)), what);
  }

  /** {@code path md5 config} keys of the expected file records. */
  private static Set<String> files(JsonNode files) {
    Set<String> keys = new TreeSet<>();
    if (files != null) {
      for (JsonNode f : files) {
        String digest = f.has("Digest") ? f.get("Digest").get("Algorithm").asText() + ":" + f.get("Digest").get("Value").asText() : "-";
        keys.add(f.get("Path").asText() + " " + digest + " " + f.path("IsConfigFile").asBoolean(false));
      }
    }
    return keys;
  }

  private static String fileKey(OwnedFile f) {
    return f.path() + " " + f.digest().map(d -> d.algorithm() + ":" + d.hex()).orElse("-") + " " + f.configFile();
  }

  @TestFactory
  List<DynamicTest> catalog_recordedFilesOnly_keepsEveryRecordedChecksum_butNoLicensesOrListedOnlyFiles() {
    List<DynamicTest> tests = new ArrayList<>();
    SbomGenerator light = new SbomGenerator(List.of(DpkgCataloger.recordedFilesOnly()));
    for (String image : List.of("image-dpkg", "image-distroless-deb")) {
      tests.add(DynamicTest.dynamicTest(image, () -> {
        Package full = Fixtures.only(GENERATOR.catalogDirectory(corpus("dpkg/" + image)).packagesOf(PackageType.DEB));
        Package recorded = Fixtures.only(light.catalogDirectory(corpus("dpkg/" + image)).packages());
        assertEquals(full.id(), recorded.id());
        assertEquals(full.version(), recorded.version());
        assertEquals(full.layer(), recorded.layer());
        assertEquals(List.of(), recorded.licenses());
        assertFalse(full.licenses().isEmpty(), "the full cataloger reads the copyright file");
        List<OwnedFile> withDigest = full.files().stream().filter(f -> f.digest().isPresent()).toList();
        assertFalse(withDigest.isEmpty(), image + " records checksums");
        assertEquals(withDigest, recorded.files().stream().filter(f -> f.digest().isPresent()).toList());
        assertTrue(full.files().containsAll(recorded.files()), "nothing the full cataloger does not also list");
      }));
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> catalog_syftImageFixtures_yieldTheirPackage() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String image : List.of("image-dpkg", "image-distroless-deb")) {
      tests.add(DynamicTest.dynamicTest(image, () -> {
        Sbom sbom = GENERATOR.catalogDirectory(corpus("dpkg/" + image));
        JsonNode want = json(corpus("dpkg/" + image + "/expected.json")).get("packages").get(0);
        Package got = Fixtures.only(sbom.packages());
        assertEquals(PackageType.DEB, got.type());
        assertEquals(want.get("Name").asText(), got.name());
        assertEquals(text(want, "Version"), got.version());
        assertEquals(text(want, "PURL"), got.purl().map(Object::toString));
        assertEquals(
            licenseValues(want),
            got.licenses().stream().map(License::declared).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(files(want.get("Metadata").get("Files")), got.files().stream().map(DpkgConformanceTest::fileKey).collect(Collectors.toCollection(TreeSet::new)));
        PackageMetadata.Dpkg meta = (PackageMetadata.Dpkg) got.metadata();
        JsonNode wm = want.get("Metadata");
        assertEquals(text(wm, "Source"), meta.source());
        assertEquals(text(wm, "Architecture"), meta.architecture());
        assertEquals(text(wm, "Maintainer"), meta.maintainer());
        assertEquals(Optional.of(wm.get("InstalledSize").asLong()), meta.installedSizeKib());
        assertEquals(strings(wm, "Depends"), meta.depends());
        // every expected location that exists in the corpus copy is evidence here too
        Set<String> ours = got.locations().stream().map(Location::path).collect(Collectors.toSet());
        for (JsonNode loc : want.get("Locations")) {
          String path = loc.get("path").asText();
          if (Files.exists(corpus("dpkg/" + image + path))) {
            assertTrue(ours.contains(path), path + " in " + ours);
          }
        }
        assertEquals(want.get("Locations").get(0).get("path").asText(), got.primaryLocation().path());
        assertEquals(List.of(), sbom.warnings());
      }));
    }
    return tests;
  }

  private static Set<String> licenseValues(JsonNode pkg) {
    Set<String> values = new TreeSet<>();
    pkg.get("Licenses").forEach(l -> values.add(l.get("value").asText()));
    return values;
  }

  @TestFactory
  List<DynamicTest> catalog_syftRelationshipCases_resolveDependsAndProvides() {
    JsonNode expected = json(corpus("dpkg/relationships/expected.json"));
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : expected.get("cases")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
        Path root = statusRootfs(c.get("file").asText());
        Sbom sbom = GENERATOR.catalogDirectory(root);
        Map<String, Set<String>> want = new TreeMap<>();
        c.get("dependsOn").fields().forEachRemaining(e -> {
          Set<String> names = new TreeSet<>();
          e.getValue().forEach(n -> names.add(n.asText()));
          want.put(e.getKey(), names);
        });
        assertEquals(want, Fixtures.dependsOnByName(sbom));
      }));
    }
    return tests;
  }

  /** A root file system whose only content is {@code var/lib/dpkg/status} = the corpus file. */
  private Path statusRootfs(String corpusFile) throws Exception {
    Path root = Files.createTempDirectory(tmp, "rootfs");
    return Fixtures.rootfs(root, Map.of("var/lib/dpkg/status", Files.readAllBytes(corpus("dpkg/" + corpusFile))));
  }

  @Test
  void catalog_trivyUbuntuStatus_matchesTrivyPackages() throws Exception {
    JsonNode expected = json(corpus("dpkg/ubuntu-18.04-trivy/expected.json"));
    Sbom sbom = GENERATOR.catalogDirectory(corpus("dpkg/ubuntu-18.04-trivy"));
    assertEquals(List.of(), sbom.warnings());
    Map<String, Package> byName = new HashMap<>();
    sbom.packages().forEach(p -> byName.put(p.name(), p));
    assertEquals(expected.get("packages").size(), sbom.packages().size());
    Map<String, Set<String>> deps = Fixtures.dependsOnByName(sbom);
    for (JsonNode want : expected.get("packages")) {
      String name = want.get("Name").asText();
      Package got = byName.get(name);
      assertTrue(got != null, "missing " + name);
      String epoch = want.has("Epoch") ? want.get("Epoch").asInt() + ":" : "";
      String release = want.has("Release") ? "-" + want.get("Release").asText() : "";
      String version = epoch + want.get("Version").asText() + release;
      assertEquals(want.get("ID").asText(), name + "@" + version, "trivy's ID is name@version");
      assertEquals(Optional.of(version), got.version(), name);
      PackageMetadata.Dpkg meta = (PackageMetadata.Dpkg) got.metadata();
      assertEquals(text(want, "Arch"), meta.architecture(), name);
      assertEquals(text(want, "Maintainer"), meta.maintainer(), name);
      assertEquals(want.get("SrcName").asText(), meta.source().orElse(name), name);
      String srcEpoch = want.has("SrcEpoch") ? want.get("SrcEpoch").asInt() + ":" : "";
      String srcRelease = want.has("SrcRelease") ? "-" + want.get("SrcRelease").asText() : "";
      assertEquals(srcEpoch + want.get("SrcVersion").asText() + srcRelease, meta.sourceVersion().orElse(version), name);
      Set<String> wantDeps = new TreeSet<>();
      want.path("DependsOn").forEach(d -> wantDeps.add(d.asText().substring(0, d.asText().indexOf('@'))));
      // trivy reads only Depends; jscan (like syft, see the relationships cases) also follows
      // Pre-Depends, so any extra edge must come from a Pre-Depends entry of this package
      Set<String> ours = new TreeSet<>(deps.getOrDefault(name, Set.of()));
      assertTrue(ours.containsAll(wantDeps), name + ": " + ours + " lacks some of " + wantDeps);
      Set<String> extra = new TreeSet<>(ours);
      extra.removeAll(wantDeps);
      for (String e : extra) {
        Package target = byName.get(e);
        Set<String> viaPreDepends = new TreeSet<>();
        meta.preDepends().forEach(d -> viaPreDepends.add(DpkgCataloger.relationName(d.split("\\|")[0])));
        for (String d : meta.preDepends()) {
          for (String alt : d.split("\\|")) {
            viaPreDepends.add(DpkgCataloger.relationName(alt));
          }
        }
        boolean provided = ((PackageMetadata.Dpkg) target.metadata()).provides().stream()
            .map(DpkgCataloger::relationName).anyMatch(viaPreDepends::contains);
        assertTrue(viaPreDepends.contains(e) || provided, name + " -> " + e + " is not explained by Pre-Depends " + meta.preDepends());
      }
    }
  }

  @Test
  void catalog_truncatedDpkgStatus_warnsAndKeepsOtherPackages() throws Exception {
    byte[] full = Files.readAllBytes(corpus("dpkg/ubuntu-18.04-trivy/var/lib/dpkg/status"));
    String text = new String(full, StandardCharsets.UTF_8);
    // the first ten paragraphs whole, then the eleventh cut inside its Maintainer line, as a copy
    // interrupted mid-write leaves it
    String[] paragraphs = text.split("\n\n");
    String head = String.join("\n\n", java.util.Arrays.copyOf(paragraphs, 10)) + "\n\n";
    String eleventh = paragraphs[10];
    String cutPackage = eleventh.substring("Package: ".length(), eleventh.indexOf('\n'));
    String truncated = head + eleventh.substring(0, eleventh.indexOf("\nMaintainer: ") + 8);
    Path root = Fixtures.rootfs(Files.createTempDirectory(tmp, "rootfs"),
        Map.of("var/lib/dpkg/status", truncated.getBytes(StandardCharsets.UTF_8)));

    Sbom sbom = GENERATOR.catalogDirectory(root);

    assertEquals(1, sbom.warnings().size(), sbom.warnings().toString());
    assertEquals("/var/lib/dpkg/status", sbom.warnings().get(0).path());
    assertTrue(sbom.warnings().get(0).message().contains("(package " + cutPackage + ")"), sbom.warnings().toString());
    assertEquals(
        DpkgCataloger.parseStatus(head).entries().stream().map(DpkgCataloger.Entry::packageName).sorted().toList(),
        sbom.packages().stream().map(Package::name).toList());
    assertTrue(sbom.packages().stream().noneMatch(p -> p.name().equals(cutPackage)));
  }

  @Test
  void catalog_statusWithBinaryGarbageParagraph_warnsAndKeepsTheRest() throws Exception {
    String status = "Package: good-one\nStatus: install ok installed\nVersion: 1.0\nArchitecture: all\nDescription: ok\n\n"
        + "Package: broken\n\u0000\u0000garbage\n\n"
        + "Package: good-two\nStatus: install ok installed\nVersion: 2.0\nArchitecture: all\nDescription: ok\n";
    Path root = Fixtures.rootfs(Files.createTempDirectory(tmp, "rootfs"), Map.of("var/lib/dpkg/status", status.getBytes(StandardCharsets.UTF_8)));

    Sbom sbom = GENERATOR.catalogDirectory(root);

    assertEquals(List.of("good-one", "good-two"), sbom.packages().stream().map(Package::name).toList());
    assertEquals(1, sbom.warnings().size());
    assertTrue(sbom.warnings().get(0).toString().startsWith("/var/lib/dpkg/status: paragraph at line 7 (package broken)"), sbom.warnings().toString());
  }
}
