package io.jscan.dockerfile.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The expansion forms the shared corpus does not cover (BuildKit lex_test.go behaviours). */
class ShellLexerTest {
  private static final SourceLocation AT = SourceLocation.line("Dockerfile", 7);
  private static final VariableLookup VARS =
      VariableLookup.of(Map.of("FILE", "archive.tar.gz", "PATH_", "/usr/local/bin", "EMPTY", ""));

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "${FILE#*.} | tar.gz",
      "${FILE##*.} | gz",
      "${FILE%.*} | archive.tar",
      "${FILE%%.*} | archive",
      "${FILE#nomatch} | archive.tar.gz",
      "${FILE/a/A} | Archive.tar.gz",
      "${FILE//a/A} | Archive.tAr.gz",
      "${FILE//?/x} | xxxxxxxxxxxxxx",
      "${PATH_//\\//:} | :usr:local:bin",
      "${FILE/#/x} | archive.tar.gz",
      "${UNSET#x} | ''",
      "${FILE#\\*} | archive.tar.gz",
  })
  void processWord_patternForms_matchBuildKit(String word, String expected) throws Exception {
    assertEquals(expected, ShellLexer.withEscapeToken('\\').processWord(word, VARS, AT).value());
  }

  @Test
  void processWord_replaceAllWithEmptyMatches_skipsEmptyMatchAfterAMatch() throws Exception {
    // the shell pattern * is the regex .*; Go's ReplaceAllString gives "-" where Java's replaceAll gives "--"
    VariableLookup vars = VariableLookup.of(Map.of("V", "axb"));

    assertEquals("-", ShellLexer.withEscapeToken('\\').processWord("${V//*/-}", vars, AT).value());
    assertEquals("a-", ShellLexer.withEscapeToken('\\').processWord("${V//x*/-}", vars, AT).value());
  }

  @Test
  void processWord_requiredVariable_failsWithItsMessageAtTheLine() {
    DockerfileException e = assertThrows(
        DockerfileException.class,
        () -> ShellLexer.withEscapeToken('\\').processWord("${EMPTY:?must be set}", VARS, AT));

    assertEquals("Dockerfile:7: failed to process \"${EMPTY:?must be set}\": EMPTY: must be set", e.getMessage());
  }

  @Test
  void expandHeredocBody_unsupportedModifierIsALineBreak_errorStaysOneLine() {
    // found by WordExpanderFuzzTest: the modifier was quoted raw in the message
    DockerfileException e = assertThrows(DockerfileException.class,
        () -> new WordExpander('\\', VARS).expandHeredocBody("echo hi\n${E\n", AT));

    assertEquals("Dockerfile:7: failed to process \"echo hi\\n${E\\n\": unsupported modifier (\\n) in substitution", e.getMessage());
  }

  @Test
  void processWord_requiredVariableMessageWithControlCharacters_errorStaysOneLine() {
    DockerfileException e = assertThrows(DockerfileException.class,
        () -> ShellLexer.withEscapeToken('\\').processWord("${NOPE?two\nlines\u001b[2J}", VARS, AT));

    assertEquals("Dockerfile:7: failed to process \"${NOPE?two\\nlines\\x1b[2J}\": NOPE: two\\nlines\\x1b[2J", e.getMessage());
  }

  @Test
  void processWord_colonWithPatternOperator_isUnsupported() {
    assertThrows(DockerfileException.class, () -> ShellLexer.withEscapeToken('\\').processWord("${FILE:#x}", VARS, AT));
  }

  @Test
  void processWord_backtickEscapeToken_escapesDollar() throws Exception {
    assertEquals("$FILE\\x", ShellLexer.withEscapeToken('`').processWord("`$FILE\\x", VARS, AT).value());
  }

  @Test
  void processWord_recordsUsedAndUnsetVariables() throws Exception {
    ExpandedWord word = ShellLexer.withEscapeToken('\\').processWord("$FILE-${NOPE:-x}-$EMPTY-$FILE", VARS, AT);

    assertEquals(Set.of("FILE", "EMPTY"), word.usedVariables());
    assertEquals(Set.of("NOPE"), word.unsetVariables());
  }

  @Test
  void processWords_keepsQuotedWhitespaceAndSplitsVariables() throws Exception {
    VariableLookup vars = VariableLookup.of(Map.of("A", "1 2"));

    assertEquals(List.of("1", "2", "3 4"), ShellLexer.withEscapeToken('\\').processWords("$A '3 4'", vars, AT).words());
  }

  @Test
  void leavingUnsetVariables_keepsReferencesAsWritten() throws Exception {
    ShellLexer lexer = ShellLexer.withEscapeToken('\\').leavingUnsetVariables();

    assertEquals("$X ${Y} ${Z:-d} archive.tar.gz", lexer.processWord("$X ${Y} ${Z:-d} $FILE", VARS, AT).value());
  }
}
