package io.jscan.core.oci.json;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.oci.ChainIds;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.Conformance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The image-spec's own valid/invalid documents (conformance/oci-image-spec, see its SOURCE.md),
 * judged by jscan's parser and validator ({@link OciJson#validate}).
 */
class OciSpecConformanceTest {

  static Path corpus() {
    return Conformance.dir("oci-image-spec");
  }

  /** Rows of a TSV file without comment lines. */
  static List<String[]> rows(Path tsv) throws IOException {
    List<String[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(tsv)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      rows.add(line.split("\t", -1));
    }
    return rows;
  }

  @TestFactory
  Stream<DynamicTest> cases_eachDocument_isJudgedAsUpstreamExpects() throws IOException {
    List<String[]> rows = rows(corpus().resolve("cases/expected.tsv"));
    assertEquals(67, rows.size(), "cases/expected.tsv rows (SOURCE.md: 67 documents)");
    return rows.stream()
        .map(
            row ->
                DynamicTest.dynamicTest(
                    row[0] + " " + row[2] + " (" + row[3] + ")",
                    () -> {
                      byte[] bytes = Files.readAllBytes(corpus().resolve(row[0]));
                      String mediaType = row[1];
                      if (row[2].equals("valid")) {
                        assertDoesNotThrow(() -> OciJson.validate(mediaType, bytes, row[0]));
                      } else {
                        assertEquals("invalid", row[2]);
                        OciException e = assertThrows(OciException.class, () -> OciJson.validate(mediaType, bytes, row[0]));
                        assertTrue(e.getMessage().startsWith(row[0] + ": "), "error names the document: " + e.getMessage());
                      }
                    }));
  }

  @TestFactory
  Stream<DynamicTest> dockerCompat_realDockerHubDocuments_areValidWithTheirDockerMediaTypes() throws IOException {
    Path dir = corpus().resolve("docker-compat");
    List<String[]> rows = rows(dir.resolve("expected.tsv"));
    assertEquals(4, rows.size());
    return rows.stream()
        .map(
            row ->
                DynamicTest.dynamicTest(
                    row[0],
                    () -> {
                      byte[] bytes = Files.readAllBytes(dir.resolve(row[0]));
                      assertEquals(row[1], Digest.sha256(bytes).toString(), "the corpus file is byte-exact");
                      String original = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
                      // read as jscan reads them: with the Docker media type the document declares
                      String dockerType = dockerTypeOf(row[2]);
                      assertDoesNotThrow(() -> OciJson.validate(dockerType, bytes, row[0]));
                      // and after SOURCE.md's plain media-type replacement, as the OCI type
                      byte[] converted = toOci(original).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                      assertDoesNotThrow(() -> OciJson.validate(row[2], converted, row[0] + " (OCI types)"));
                      assertEquals("valid", row[3]);
                    }));
  }

  static String dockerTypeOf(String ociType) {
    return switch (ociType) {
      case "application/vnd.oci.image.index.v1+json" -> "application/vnd.docker.distribution.manifest.list.v2+json";
      case "application/vnd.oci.image.manifest.v1+json" -> "application/vnd.docker.distribution.manifest.v2+json";
      case "application/vnd.oci.image.config.v1+json" -> "application/vnd.docker.container.image.v1+json";
      default -> throw new IllegalArgumentException(ociType);
    };
  }

  static String toOci(String document) {
    return document
        .replace("application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.oci.image.index.v1+json")
        .replace("application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json")
        .replace("application/vnd.docker.image.rootfs.diff.tar.gzip", "application/vnd.oci.image.layer.v1.tar+gzip")
        .replace("application/vnd.docker.container.image.v1+json", "application/vnd.oci.image.config.v1+json");
  }

  @TestFactory
  Stream<DynamicTest> examples_everySpecExample_isValid() throws IOException {
    Path dir = corpus().resolve("examples");
    List<String[]> rows = rows(dir.resolve("expected.tsv"));
    assertEquals(13, rows.size());
    return rows.stream()
        .map(
            row ->
                DynamicTest.dynamicTest(
                    row[0] + " (" + row[2] + ")",
                    () -> {
                      assertEquals("valid", row[3]);
                      byte[] bytes = Files.readAllBytes(dir.resolve(row[0]));
                      assertDoesNotThrow(() -> OciJson.validate(row[1], bytes, row[0]));
                    }));
  }

  @TestFactory
  Stream<DynamicTest> chainIds_matchTheSpecVectors() throws IOException {
    List<String[]> rows = rows(corpus().resolve("chainid.tsv"));
    assertEquals(4, rows.size());
    return rows.stream()
        .map(
            row ->
                DynamicTest.dynamicTest(
                    row[0],
                    () -> {
                      List<String> in = split(row[1]);
                      List<String> expected = split(row[2]);
                      assertEquals(expected, ChainIds.ofStrings(in));
                    }));
  }

  private static List<String> split(String field) {
    String trimmed = field.trim();
    return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split(" +"));
  }

  @org.junit.jupiter.api.Test
  void chainIds_ofRealDigests_agreesWithTheStringRule() {
    Digest a = Digest.sha256("a");
    Digest b = Digest.sha256("b");
    List<Digest> chain = ChainIds.of(List.of(a, b));
    assertEquals(a, chain.get(0));
    assertEquals(ChainIds.ofStrings(List.of(a.toString(), b.toString())).get(1), chain.get(1).toString());
    assertFalse(chain.get(1).equals(b));
    assertEquals(chain.get(1), ChainIds.top(List.of(a, b)));
  }
}
