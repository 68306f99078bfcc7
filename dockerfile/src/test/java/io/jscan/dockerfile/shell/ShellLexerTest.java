package io.jscan.dockerfile.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  @Test
  void processWord_wordThatGrowsPastTheLimit_failsAtItsLineWithoutBuildingIt() {
    // 2 MiB of text from one reference: more than a word may grow
    VariableLookup vars = VariableLookup.of(Map.of("BIG", "x".repeat(ExpansionBudget.MAX_WORD_GROWTH / 2)));
    String word = "${BIG}${BIG}${BIG}${BIG}";

    DockerfileException e = assertThrows(DockerfileException.class,
        () -> ShellLexer.withEscapeToken('\\').processWord(word, vars, AT));

    assertTrue(e.overLimit());
    assertTrue(e.getMessage().startsWith("Dockerfile:7: variable expansion makes this word more than 1 MiB longer than written"),
        e.getMessage());
  }

  @Test
  void processWord_wordThatGrowsToTheLimit_expands() throws Exception {
    VariableLookup vars = VariableLookup.of(Map.of("HALF", "x".repeat(ExpansionBudget.MAX_WORD_GROWTH / 2)));

    String value = ShellLexer.withEscapeToken('\\').processWord("${HALF}${HALF}", vars, AT).value();

    assertEquals(ExpansionBudget.MAX_WORD_GROWTH, value.length());
  }

  @Test
  void processWord_growthInsideQuotesAndDefaults_isBoundedToo() {
    VariableLookup vars = VariableLookup.of(Map.of("BIG", "x".repeat(ExpansionBudget.MAX_WORD_GROWTH / 2)));

    for (String word : List.of("\"${BIG}${BIG}${BIG}\"", "${UNSET:-${BIG}${BIG}${BIG}}", "${BIG:+$BIG$BIG$BIG}")) {
      DockerfileException e = assertThrows(DockerfileException.class,
          () -> ShellLexer.withEscapeToken('\\').processWord(word, vars, AT), word);
      assertTrue(e.overLimit(), word);
    }
  }

  @Test
  void processWord_replaceAllThatMultipliesTheSubject_isBounded() {
    // each of 1024 characters replaced by 1 KiB, then each of 1025 by the match 1100 times (\$0 is the
    // template's $0: unescaped, the lexer would expand it as an unset positional parameter)
    String kib = "y".repeat(1025);
    VariableLookup vars = VariableLookup.of(Map.of("A", "a".repeat(1024), "R", kib));

    DockerfileException e = assertThrows(DockerfileException.class,
        () -> ShellLexer.withEscapeToken('\\').processWord("${A//?/$R}", vars, AT));
    assertTrue(e.overLimit());
    DockerfileException templates = assertThrows(DockerfileException.class,
        () -> ShellLexer.withEscapeToken('\\').processWord("${R//?/" + "\\$0".repeat(1100) + "}", vars, AT));
    assertTrue(templates.overLimit());
  }

  @Test
  void processWord_budget_isChargedWithWhatExpansionAdds_andFailsPastItsTotal() throws Exception {
    VariableLookup vars = VariableLookup.of(Map.of("MIB", "x".repeat(1 << 20)));
    ExpansionBudget budget = ExpansionBudget.perDockerfile();
    ShellLexer lexer = ShellLexer.withEscapeToken('\\');
    for (int i = 0; i < 16; i++) {
      // each adds 1 MiB minus the 6 characters of "${MIB}"
      lexer.processWord("${MIB}", vars, AT, budget);
    }
    // words without variables add nothing, however long
    lexer.processWord("z".repeat(2 << 20), vars, AT, budget);

    DockerfileException e = assertThrows(DockerfileException.class, () -> lexer.processWord("${MIB}", vars, AT, budget));
    assertTrue(e.overLimit());
    assertTrue(e.getMessage().startsWith("Dockerfile:7: variable expansion adds more than 16 MiB of text to this Dockerfile in total"),
        e.getMessage());
  }

  @Test
  void processWord_patternThatBacktracksWithoutEnd_failsAtTheLimitInsteadOfHanging() throws Exception {
    VariableLookup vars = VariableLookup.of(Map.of("A", "a".repeat(300)));
    ShellLexer lexer = ShellLexer.withEscapeToken('\\');
    // an ordinary pattern on the same value answers as before
    assertEquals("", lexer.processWord("${A##*a}", vars, AT).value());

    for (String word : List.of("${A##*a*a*a*a*a*a*a*a*a*a*b}", "${A%%b*a*a*a*a*a*a*a*a*a*a*}", "${A//*a*a*a*a*a*a*a*a*a*a*b/x}")) {
      DockerfileException e = assertThrows(DockerfileException.class, () -> lexer.processWord(word, vars, AT), word);
      assertTrue(e.overLimit(), word);
      assertTrue(e.getMessage().startsWith("Dockerfile:7: matching this word's ${…} patterns takes more than 100000000 steps"),
          e.getMessage());
    }
  }
}
