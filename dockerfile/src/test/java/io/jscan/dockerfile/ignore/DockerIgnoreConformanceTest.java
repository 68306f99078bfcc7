package io.jscan.dockerfile.ignore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.testing.Conformance;
import io.jscan.dockerfile.DockerfileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shared {@code dockerignore/} corpus (moby/patternmatcher and BuildKit tests, see SOURCE.md).
 * {@code legacy_matches.tsv} and {@code legacy_multi.tsv} describe the deprecated {@code Matches()}
 * that BuildKit no longer uses, and {@code compile.tsv} an implementation detail (the RE2 text of a
 * compiled pattern); SOURCE.md marks them optional and jscan implements neither, so they are not
 * run here.
 */
class DockerIgnoreConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path corpus() {
    return Conformance.dir("dockerignore");
  }

  private static List<String[]> tsv(String name) throws IOException {
    List<String[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(corpus().resolve(name), StandardCharsets.UTF_8)) {
      if (line.startsWith("#") || line.isEmpty()) {
        continue;
      }
      rows.add(line.split("\t", -1));
    }
    assertFalse(rows.isEmpty(), name + " has no rows");
    return rows;
  }

  static Stream<Arguments> singlePatternCases() throws IOException {
    return tsv("cases.tsv").stream().map(r -> Arguments.of(r[0], r[1], r[2]));
  }

  @ParameterizedTest(name = "{0} vs {1} -> {2}")
  @MethodSource("singlePatternCases")
  void isExcluded_singlePattern_matchesLikePatternmatcher(String pattern, String path, String expected)
      throws Exception {
    DockerIgnore ignore = DockerIgnore.of(List.of(pattern));

    assertEquals(Boolean.parseBoolean(expected), ignore.isExcluded(path));
  }

  static Stream<Arguments> multiPatternCases() throws IOException {
    return tsv("multi_cases.tsv").stream().map(r -> Arguments.of(r[0], r[1], r[2]));
  }

  @ParameterizedTest(name = "{0} vs {1} -> {2}")
  @MethodSource("multiPatternCases")
  void isExcluded_patternList_matchesLikePatternmatcher(String patternsJson, String path, String expected)
      throws Exception {
    List<String> patterns = new ArrayList<>();
    JSON.readTree(patternsJson).forEach(p -> patterns.add(p.asText()));

    if (expected.equals("error")) {
      // patternmatcher accepts the list but fails every match; so must we, and keep failing
      DockerIgnore ignore = DockerIgnore.of(patterns);
      assertThrows(DockerfileException.class, () -> ignore.isExcluded(path));
      assertThrows(DockerfileException.class, () -> ignore.isExcluded(path));
    } else {
      assertEquals(Boolean.parseBoolean(expected), DockerIgnore.of(patterns).isExcluded(path));
    }
  }

  @Test
  void readPatterns_ignorefileInput_givesExpectedPatterns() throws Exception {
    String input = Files.readString(corpus().resolve("ignorefile/input.dockerignore"), StandardCharsets.UTF_8);
    List<String> expected =
        Files.readAllLines(corpus().resolve("ignorefile/expected-patterns.txt"), StandardCharsets.UTF_8);

    assertEquals(expected, DockerIgnore.readPatterns(input));
  }

  static Stream<Arguments> scenarios() throws IOException {
    JsonNode root = JSON.readTree(corpus().resolve("scenarios.json").toFile());
    List<Arguments> out = new ArrayList<>();
    root.get("scenarios").forEach(s -> out.add(Arguments.of(s.get("name").asText(), s)));
    assertFalse(out.isEmpty());
    return out.stream();
  }

  /**
   * BuildKit's end-to-end test copies the whole context into scratch ({@code COPY . .}); without
   * the builder, the files that survive the ignore file are exactly what that copy gets.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void includedFiles_buildkitScenario_keepsExactlyTheExpectedFiles(String name, JsonNode scenario, @TempDir Path context)
      throws Exception {
    Files.writeString(context.resolve("Dockerfile"), scenario.get("dockerfile").asText());
    Files.writeString(context.resolve(".dockerignore"), scenario.get("dockerignore").asText());
    for (Map.Entry<String, JsonNode> file : scenario.get("context_files").properties()) {
      if (!file.getValue().isNull()) {
        Files.writeString(context.resolve(file.getKey()), file.getValue().asText());
      }
    }

    if (scenario.get("expect_error").asBoolean()) {
      assertThrows(DockerfileException.class, () -> DockerIgnore.load(context, context.resolve("Dockerfile")));
      return;
    }
    List<String> included = DockerIgnore.load(context, context.resolve("Dockerfile")).includedFiles(context);

    for (Map.Entry<String, JsonNode> present : scenario.get("expected_present").properties()) {
      assertTrue(included.contains(present.getKey()), present.getKey() + " missing from " + included);
      assertEquals(present.getValue().asText(), Files.readString(context.resolve(present.getKey())));
    }
    for (JsonNode absent : scenario.get("expected_absent")) {
      assertFalse(included.contains(absent.asText()), absent.asText() + " should be excluded: " + included);
    }
  }
}
