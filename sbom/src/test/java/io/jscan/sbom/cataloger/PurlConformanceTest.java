package io.jscan.sbom.cataloger;

import static io.jscan.sbom.testing.Fixtures.corpus;
import static io.jscan.sbom.testing.Fixtures.json;
import static io.jscan.sbom.testing.Fixtures.strings;
import static io.jscan.sbom.testing.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.sbom.model.OperatingSystem;
import io.jscan.sbom.model.Purl;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Package URLs of dpkg and apk packages against syft's tables (sbom-fixtures/purl-cases.json). */
class PurlConformanceTest {

  private static Optional<OperatingSystem> os(JsonNode c) {
    JsonNode d = c.get("distro");
    if (d == null) {
      return Optional.empty();
    }
    return Optional.of(new OperatingSystem(d.get("ID").asText(), text(d, "VersionID"), Optional.empty(), Optional.empty(), Optional.empty(), strings(d, "IDLike")));
  }

  @TestFactory
  List<DynamicTest> purl_syftCases_matchExpected() {
    JsonNode cases = json(corpus("purl-cases.json"));
    List<DynamicTest> tests = new ArrayList<>();
    int n = 0;
    for (JsonNode c : cases.get("deb")) {
      JsonNode m = c.get("metadata");
      tests.add(DynamicTest.dynamicTest("deb " + n++ + " " + c.path("name").asText(), () -> {
        Optional<Purl> purl = DpkgCataloger.purl(
            m.get("Package").asText(), text(m, "Version"), text(m, "Architecture"), text(m, "Source"), text(m, "SourceVersion"), os(c));
        assertEquals(c.get("expected").asText(), purl.map(Purl::toString).orElse(""));
      }));
    }
    for (JsonNode c : cases.get("apk")) {
      JsonNode m = c.get("metadata").get("ApkDBEntry");
      tests.add(DynamicTest.dynamicTest("apk " + n++ + " " + c.path("name").asText(), () -> {
        Optional<Purl> purl = ApkCataloger.purl(
            m.get("Package").asText(), m.get("Version").asText(), text(m, "Architecture"), text(m, "OriginPackage"), os(c));
        assertEquals(c.get("expected").asText(), purl.map(Purl::toString).orElse(""));
      }));
    }
    return tests;
  }
}
