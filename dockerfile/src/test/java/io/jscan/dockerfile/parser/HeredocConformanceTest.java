package io.jscan.dockerfile.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.testing.Conformance;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** BuildKit's heredoc tests, transcribed in {@code dockerfile-parser/heredoc/} (see SOURCE.md). */
class HeredocConformanceTest {
  private static final SourceLocation AT = SourceLocation.line("test", 1);

  private static Path heredocDir() {
    return Conformance.dir("dockerfile-parser").resolve("heredoc");
  }

  static Stream<Arguments> expectedHeredocs() throws IOException {
    JsonNode cases = new ObjectMapper().readTree(heredocDir().resolve("expected.json").toFile()).get("cases");
    List<Arguments> args = new ArrayList<>();
    cases.forEach(c -> args.add(Arguments.of(c.get("child").asInt(), c.get("heredocs"))));
    assertFalse(args.isEmpty());
    return args.stream();
  }

  @ParameterizedTest(name = "child {0}")
  @MethodSource("expectedHeredocs")
  void parse_heredocDockerfile_attachesTheListedHeredocs(int child, JsonNode expected) throws Exception {
    Ast ast = DockerfileParser.parse("Dockerfile", Files.readAllBytes(heredocDir().resolve("Dockerfile")));

    List<Heredoc> actual = ast.nodes().get(child).heredocs();

    if (expected.isNull()) {
      assertEquals(List.of(), actual);
      return;
    }
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      JsonNode e = expected.get(i);
      Heredoc h = actual.get(i);
      assertEquals(e.get("name").asText(), h.name(), "name");
      assertEquals(e.get("content").asText(), h.content(), "content");
      assertEquals(e.get("expand").asBoolean(), h.expand(), "expand");
      assertEquals(e.get("chomp").asBoolean(), h.chomp(), "chomp");
      assertEquals(e.get("fileDescriptor").asInt(), h.fileDescriptor(), "fileDescriptor");
    }
  }

  @Test
  void parse_heredocDockerfile_keepsUnknownInstructionAfterUserHeredocAsNode() throws Exception {
    Ast ast = DockerfileParser.parse("Dockerfile", Files.readAllBytes(heredocDir().resolve("Dockerfile")));

    assertEquals("USER", ast.nodes().get(3).keyword());
    assertEquals(List.of("<<INVALID"), ast.nodes().get(3).args());
    assertEquals("INVALID", ast.nodes().get(4).keyword());
  }

  static Stream<Arguments> heredocWords() throws IOException {
    return tsvRows("heredoc-words.tsv");
  }

  @ParameterizedTest(name = "[{0}] -> {1}")
  @MethodSource("heredocWords")
  void parseMarker_word_givesTheExpectedName(String word, String expected) throws Exception {
    switch (expected) {
      case "error" -> assertThrows(DockerfileException.class, () -> HeredocMarker.parse(word, AT));
      case "none" -> assertEquals(Optional.empty(), HeredocMarker.parse(word, AT));
      default -> assertEquals(expected, HeredocMarker.parse(word, AT).orElseThrow().name());
    }
  }

  static Stream<Arguments> heredocLines() throws IOException {
    return tsvRows("heredocs-from-line.tsv");
  }

  /**
   * Rows of heredocs-from-line.tsv where BuildKit's code gives a different answer than the table.
   * Upstream's TestHeredocsFromLine only compares the heredocs it finds, so it passes vacuously
   * when none is found; the table was transcribed assuming one is. BuildKit's lexer keeps blanks
   * after {@code <<} only, so in {@code <<- EOF} the words are {@code <<-} and {@code EOF} and
   * neither is a marker: the following lines stay instructions. We follow BuildKit's behaviour.
   */
  private static final java.util.Map<String, List<String>> BUILDKIT_ACTUAL = java.util.Map.of("RUN <<- EOF", List.of());

  @ParameterizedTest(name = "[{0}] -> [{1}]")
  @MethodSource("heredocLines")
  void findInLine_instructionLine_findsTheExpectedNames(String line, String expected) throws Exception {
    List<String> names = HeredocMarker.findInLine(line, AT).stream().map(HeredocMarker::name).toList();

    List<String> tableNames = expected.isEmpty() ? List.of() : Arrays.asList(expected.split(",", -1));
    assertEquals(BUILDKIT_ACTUAL.getOrDefault(line, tableNames), names);
  }

  @Test
  void parse_chompMarkerWithBlankBeforeName_isNoHeredocAsInBuildKit() throws Exception {
    Ast ast = DockerfileParser.parse("Dockerfile", "FROM a\nRUN <<- EOF\nRUN x\nEOF\n");

    assertEquals(List.of(), ast.nodes().get(1).heredocs());
    assertEquals(4, ast.nodes().size());
  }

  private static Stream<Arguments> tsvRows(String file) throws IOException {
    List<Arguments> rows = new ArrayList<>();
    for (String line : Files.readAllLines(heredocDir().resolve(file), StandardCharsets.UTF_8)) {
      if (line.startsWith("#")) {
        continue;
      }
      int tab = line.indexOf('\t');
      assertTrue(tab >= 0, "no TAB in row: " + line);
      rows.add(Arguments.of(line.substring(0, tab), line.substring(tab + 1)));
    }
    assertFalse(rows.isEmpty());
    return rows.stream();
  }
}
