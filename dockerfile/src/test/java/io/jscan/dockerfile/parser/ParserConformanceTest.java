package io.jscan.dockerfile.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.testing.Conformance;
import io.jscan.dockerfile.DockerfileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BuildKit's parser test corpus ({@code dockerfile-parser/} in the shared conformance folder, see
 * its SOURCE.md): {@code TestParseCases}, {@code TestParseErrorCases} and {@code
 * TestParseIncludesLineNumbers}, read in place.
 */
class ParserConformanceTest {

  static Stream<Path> positiveCases() throws IOException {
    return folders("testfiles");
  }

  static Stream<Path> negativeCases() throws IOException {
    return folders("testfiles-negative");
  }

  private static Stream<Path> folders(String name) throws IOException {
    Path dir = Conformance.dir("dockerfile-parser").resolve(name);
    List<Path> cases;
    try (Stream<Path> list = Files.list(dir)) {
      cases = list.filter(Files::isDirectory).sorted().toList();
    }
    assertFalse(cases.isEmpty(), "no cases in " + dir);
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("positiveCases")
  void parse_buildkitTestfile_dumpEqualsResultByteForByte(Path caseDir) throws Exception {
    byte[] dockerfile = Files.readAllBytes(caseDir.resolve("Dockerfile"));
    String expected = Files.readString(caseDir.resolve("result"), StandardCharsets.UTF_8);

    Ast ast = DockerfileParser.parse("Dockerfile", dockerfile);

    assertEquals(expected, ast.dump() + "\n");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("negativeCases")
  void parse_buildkitNegativeTestfile_isRejectedNamingTheLine(Path caseDir) throws Exception {
    byte[] dockerfile = Files.readAllBytes(caseDir.resolve("Dockerfile"));

    DockerfileException e =
        assertThrows(DockerfileException.class, () -> DockerfileParser.parse("Dockerfile", dockerfile));

    assertTrue(e.line() >= 1, "line " + e.line());
    assertTrue(e.getMessage().startsWith("Dockerfile:" + e.line() + ": "), e.getMessage());
  }

  @Test
  void parse_testfileLine_recordsStartAndEndLinesOfEveryInstruction() throws Exception {
    Path file = Conformance.dir("dockerfile-parser").resolve("testfile-line/Dockerfile");

    Ast ast = DockerfileParser.parse("Dockerfile", Files.readAllBytes(file));

    List<int[]> lines = ast.nodes().stream()
        .map(n -> new int[] {n.location().startLine(), n.location().endLine()})
        .toList();
    assertEquals(3, lines.size());
    assertEquals(List.of(5, 5), List.of(lines.get(0)[0], lines.get(0)[1]));
    assertEquals(List.of(11, 12), List.of(lines.get(1)[0], lines.get(1)[1]));
    assertEquals(List.of(17, 31), List.of(lines.get(2)[0], lines.get(2)[1]));
    // the root spans from the first instruction's start to the last one's end
    assertEquals(5, ast.nodes().get(0).location().startLine());
    assertEquals(31, ast.nodes().get(ast.nodes().size() - 1).location().endLine());
  }
}
