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
import io.jscan.sbom.model.FileDigest;
import io.jscan.sbom.model.License;
import io.jscan.sbom.model.OwnedFile;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.PackageMetadata;
import io.jscan.sbom.model.Sbom;
import io.jscan.sbom.testing.Fixtures;
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

/** apk against ../shared/conformance/sbom-fixtures/alpine (syft's and trivy's test tables). */
class ApkConformanceTest {
  private static final SbomGenerator GENERATOR = SbomGenerator.withDefaultCatalogers();

  @TestFactory
  List<DynamicTest> parse_syftSinglePackageCases_yieldTheirFields() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : json(corpus("alpine/parse/expected.json")).get("cases")) {
      tests.add(DynamicTest.dynamicTest(c.get("file").asText(), () -> {
        ApkCataloger.ParseResult parsed = ApkCataloger.parse(read(corpus("alpine/" + c.get("file").asText())));
        assertEquals(List.of(), parsed.problems());
        ApkCataloger.Entry got = parsed.entries().get(0);
        assertEquals(1, parsed.entries().size());
        JsonNode want = c.get("package");
        JsonNode m = want.get("Metadata");
        assertEquals(want.get("Name").asText(), got.packageName());
        assertEquals(want.get("Version").asText(), got.version());
        assertEquals(strings(want, "Licenses"), ApkCataloger.licenses(got.license().orElse("")).stream().map(License::declared).toList());
        assertEquals(text(m, "OriginPackage"), got.originPackage());
        assertEquals(text(m, "Description"), got.description());
        assertEquals(text(m, "Maintainer"), got.maintainer());
        assertEquals(text(m, "Architecture"), got.architecture());
        assertEquals(text(m, "URL"), got.url());
        assertEquals(Optional.of(m.get("Size").asLong()), got.size());
        assertEquals(Optional.of(m.get("InstalledSize").asLong()), got.installedSize());
        assertEquals(strings(m, "Dependencies"), got.dependencies());
        assertEquals(strings(m, "Provides"), got.provides());
        assertEquals(text(m, "Checksum"), got.checksum());
        assertEquals(text(m, "GitCommit"), got.gitCommit());
        // syft lists directories (F:) and files (R:); jscan's owned files are the R: entries, so
        // ours must be among syft's, with the same digests, and every syft entry with a digest must be ours
        Map<String, Optional<String>> syft = new TreeMap<>();
        for (JsonNode f : m.get("Files")) {
          syft.put(f.get("Path").asText(), Optional.ofNullable(f.get("Digest")).map(d -> d.get("Value").asText()));
        }
        for (OwnedFile f : got.files()) {
          assertTrue(syft.containsKey(f.path()), f.path());
          assertEquals(syft.get(f.path()).flatMap(ApkCataloger::checksum), f.digest(), f.path());
        }
        Set<String> ours = got.files().stream().map(OwnedFile::path).collect(Collectors.toSet());
        syft.forEach((path, digest) -> assertTrue(digest.isEmpty() || ours.contains(path), path));
      }));
    }
    return tests;
  }

  @Test
  void catalog_syftMultiple1_yieldsItsPackagesAndRelationships() throws Exception {
    JsonNode expected = json(corpus("alpine/multiple-1/expected.json"));
    Sbom sbom = GENERATOR.catalogDirectory(corpus("alpine/multiple-1"));
    assertEquals(List.of(), sbom.warnings());
    Map<String, Package> byName = new HashMap<>();
    sbom.packages().forEach(p -> byName.put(p.name(), p));
    assertEquals(expected.get("packages").size(), sbom.packages().size());
    for (JsonNode want : expected.get("packages")) {
      Package got = byName.get(want.get("Name").asText());
      assertEquals(text(want, "Version"), got.version());
      assertEquals("apk", got.type().id());
      Set<String> licenses = new TreeSet<>();
      want.get("Licenses").forEach(l -> licenses.add(l.get("value").asText()));
      assertEquals(licenses, got.licenses().stream().map(License::declared).collect(Collectors.toCollection(TreeSet::new)));
      PackageMetadata.Apk meta = (PackageMetadata.Apk) got.metadata();
      JsonNode m = want.get("Metadata");
      assertEquals(text(m, "OriginPackage"), meta.originPackage());
      assertEquals(strings(m, "Dependencies"), meta.dependencies());
      assertEquals(strings(m, "Provides"), meta.provides());
      assertEquals(Optional.of(m.get("InstalledSize").asLong()), meta.installedSize());
    }
    Map<String, Set<String>> want = new TreeMap<>();
    for (JsonNode r : expected.get("relationships")) {
      assertEquals("dependency-of", r.get("type").asText());
      want.computeIfAbsent(r.get("to").asText(), k -> new TreeSet<>()).add(r.get("from").asText());
    }
    assertEquals(want, Fixtures.dependsOnByName(sbom));
  }

  @Test
  void catalog_syftMultiple2_matchesItsDependencyTree() throws Exception {
    JsonNode expected = json(corpus("alpine/multiple-2/expected.json"));
    Sbom sbom = GENERATOR.catalogDirectory(corpus("alpine/multiple-2"));
    Map<String, Set<String>> want = new TreeMap<>();
    expected.get("dependencies").fields().forEachRemaining(e -> {
      Set<String> names = new TreeSet<>();
      e.getValue().forEach(n -> names.add(n.asText()));
      want.put(e.getKey(), names);
    });
    assertEquals(want, Fixtures.dependsOnByName(sbom));
    List<String> fromFile = new ArrayList<>();
    expected.get("packages_from_file").forEach(p -> fromFile.add(p.get("name").asText() + "@" + p.get("version").asText()));
    List<String> parsed = ApkCataloger.parse(read(corpus("alpine/multiple-2/lib/apk/db/installed"))).entries().stream()
        .map(e -> e.packageName() + "@" + e.version()).toList();
    assertEquals(fromFile, parsed);
  }

  @Test
  void catalog_trivyApkDatabase_matchesTrivyPackagesAndFiles() throws Exception {
    JsonNode expected = json(corpus("alpine/trivy-apk/expected.json"));
    ApkCataloger.ParseResult parsed = ApkCataloger.parse(read(corpus("alpine/trivy-apk/lib/apk/db/installed")));
    // trivy drops the record without V: silently; jscan drops it and says so
    assertEquals(1, parsed.problems().size(), parsed.problems().toString());
    assertTrue(parsed.problems().get(0).contains("invalidPackageWithoutAVersion"));
    assertEquals(expected.get("packages").size(), parsed.entries().size());
    Sbom sbom = GENERATOR.catalogDirectory(corpus("alpine/trivy-apk"));
    Map<String, Set<String>> deps = Fixtures.dependsOnByName(sbom);
    List<String> allFiles = new ArrayList<>();
    for (int i = 0; i < parsed.entries().size(); i++) {
      JsonNode want = expected.get("packages").get(i);
      ApkCataloger.Entry got = parsed.entries().get(i);
      assertEquals(want.get("ID").asText(), got.packageName() + "@" + got.version());
      assertEquals(want.get("SrcName").asText(), got.originPackage().orElse(got.packageName()));
      assertLicenses(strings(want, "Licenses"), ApkCataloger.licenses(got.license().orElse("")), got.packageName());
      assertEquals(text(want, "Maintainer"), got.maintainer());
      assertEquals(text(want, "Arch"), got.architecture());
      assertEquals(want.get("Digest").asText(), "sha1:" + ApkCataloger.checksum(got.checksum().orElseThrow()).map(FileDigest::hex).orElseThrow());
      assertEquals(strings(want, "InstalledFiles"), got.files().stream().map(f -> f.path().substring(1)).toList());
      Set<String> wantDeps = new TreeSet<>();
      want.path("DependsOn").forEach(d -> wantDeps.add(d.asText().substring(0, d.asText().indexOf('@'))));
      assertEquals(wantDeps, deps.getOrDefault(got.packageName(), Set.of()), got.packageName());
      allFiles.addAll(got.files().stream().map(f -> f.path().substring(1)).toList());
    }
    assertEquals(strings(expected, "installedFiles"), allFiles);
  }

  /** Names jscan deliberately leaves without an SPDX form: trivy guesses a version for them. */
  private static final Set<String> AMBIGUOUS = Set.of("GPL", "BSD");

  /**
   * trivy lists licenses as SPDX ids, splitting expressions into their ids. jscan keeps the
   * declared text and its SPDX form: the ids of that form must be trivy's, and a name without an
   * SPDX form must be one trivy also keeps as is, or one of the {@link #AMBIGUOUS} names.
   */
  private static void assertLicenses(List<String> trivy, List<License> ours, String pkg) {
    Set<String> terms = new TreeSet<>();
    for (License l : ours) {
      if (l.spdx().isPresent()) {
        for (String t : l.spdx().get().replace("(", " ").replace(")", " ").split("\\s+")) {
          if (!t.isEmpty() && !List.of("AND", "OR", "WITH").contains(t)) {
            terms.add(t);
          }
        }
      } else if (AMBIGUOUS.contains(l.declared())) {
        continue;
      } else {
        terms.add(l.declared());
      }
    }
    assertTrue(new TreeSet<>(trivy).containsAll(terms), pkg + ": " + terms + " vs trivy " + trivy);
    long guessed = ours.stream().filter(l -> l.spdx().isEmpty() && AMBIGUOUS.contains(l.declared())).count();
    assertEquals(trivy.size(), terms.size() + guessed, pkg + ": " + terms + " vs trivy " + trivy);
  }

  @Test
  void catalog_apkDbWithBrokenRecord_warnsAndKeepsTheOtherRecords() throws Exception {
    // syft's "corrupt" fixture: a first record that is no record at all ("this is a corrupt db")
    String db = read(corpus("alpine/corrupt/lib/apk/db/installed"));
    assertTrue(json(corpus("alpine/corrupt/expected.json")).get("expect_error").asBoolean());
    Sbom sbom = GENERATOR.catalogDirectory(corpus("alpine/corrupt"));
    assertFalse(sbom.warnings().isEmpty());
    assertTrue(sbom.warnings().stream().allMatch(w -> w.path().equals("/lib/apk/db/installed")), sbom.warnings().toString());
    assertTrue(sbom.warnings().get(0).message().startsWith("record at line 1: line 1 is not a field"), sbom.warnings().toString());
    List<String> good = ApkCataloger.parse(db).entries().stream().map(e -> e.packageName() + "@" + e.version()).sorted().toList();
    assertFalse(good.isEmpty());
    assertEquals(good, sbom.packages().stream().map(p -> p.name() + "@" + p.version().orElseThrow()).sorted().toList());
  }
}
