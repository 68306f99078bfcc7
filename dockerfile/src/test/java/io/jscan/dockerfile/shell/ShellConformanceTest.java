package io.jscan.dockerfile.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.testing.Conformance;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.internal.GoText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BuildKit's shell lexer tables {@code shell/envVarTest} and {@code shell/wordsTest}, read in place
 * (format in dockerfile-parser/SOURCE.md).
 */
class ShellConformanceTest {
  private static final ShellLexer LEXER = ShellLexer.withEscapeToken('\\');

  private static Path shellDir() {
    return Conformance.dir("dockerfile-parser").resolve("shell");
  }

  /** Rows: line number, platform tag, input, expected. */
  static Stream<Arguments> envVarRows() throws IOException {
    List<String> lines = Files.readAllLines(shellDir().resolve("envVarTest"), StandardCharsets.UTF_8);
    List<Arguments> rows = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("#") || GoText.trimSpace(line).isEmpty()) {
        continue;
      }
      String[] fields = GoText.trimSpace(line).split("\\|", -1);
      assertEquals(3, fields.length, "line " + (i + 1));
      rows.add(Arguments.of(i + 1, GoText.trimSpace(fields[0]), GoText.trimSpace(fields[1]), GoText.trimSpace(fields[2])));
    }
    assertFalse(rows.isEmpty());
    return rows.stream();
  }

  @ParameterizedTest(name = "line {0}: [{1}] {2} -> {3}")
  @MethodSource("envVarRows")
  void processWord_envVarTestRow_givesTheExpectedValue(int line, String platform, String input, String expected)
      throws Exception {
    // W rows describe Windows, where variable names are case-insensitive; jscan builds Linux
    // images only, so they are skipped (U and A rows are the Unix expectations)
    org.junit.jupiter.api.Assumptions.assumeFalse(platform.equals("W"), "Windows-only row");
    assertTrue(platform.equals("A") || platform.equals("U"), "unknown platform tag " + platform);
    VariableLookup env = VariableLookup.of(Map.of("PWD", "/home", "SHELL", "bash", "KOREAN", "한국어", "NULL", ""));
    SourceLocation at = SourceLocation.line("envVarTest", line);

    if (expected.equals("error")) {
      DockerfileException e = assertThrows(DockerfileException.class, () -> LEXER.processWord(input, env, at));
      assertEquals(line, e.line());
    } else {
      assertEquals(expected, LEXER.processWord(input, env, at).value());
    }
  }

  /** Rows: line number, input, env entries so far, expected words (or "error"). */
  static Stream<Arguments> wordsRows() throws IOException {
    List<String> lines = Files.readAllLines(shellDir().resolve("wordsTest"), StandardCharsets.UTF_8);
    List<Arguments> rows = new ArrayList<>();
    List<String> env = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("ENV ")) {
        env.add(stripLeadingSpaces(line.substring(3)));
        continue;
      }
      String[] fields = line.split("\\|", -1);
      assertEquals(2, fields.length, "line " + (i + 1));
      List<String> expected = Arrays.asList(stripLeadingSpaces(fields[1]).split(",", -1));
      rows.add(Arguments.of(i + 1, GoText.trimSpace(fields[0]), List.copyOf(env), expected));
    }
    assertFalse(rows.isEmpty());
    return rows.stream();
  }

  @ParameterizedTest(name = "line {0}: {1} -> {3}")
  @MethodSource("wordsRows")
  void processWords_wordsTestRow_givesTheExpectedWords(int line, String input, List<String> env, List<String> expected)
      throws Exception {
    VariableLookup variables = VariableLookup.fromEnvList(env);
    SourceLocation at = SourceLocation.line("wordsTest", line);

    if (expected.equals(List.of("error"))) {
      assertThrows(DockerfileException.class, () -> LEXER.processWords(input, variables, at));
    } else {
      assertEquals(expected, LEXER.processWords(input, variables, at).words());
    }
  }

  private static String stripLeadingSpaces(String s) {
    int i = 0;
    while (i < s.length() && s.charAt(i) == ' ') {
      i++;
    }
    return s.substring(i);
  }
}
