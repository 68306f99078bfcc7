package io.jscan.dockerfile.shell;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jscan.core.testing.FuzzChecks;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Fuzzes the shell-word expander (fuzz/README.md): any word, with any variables, escape token and
 * lexer options, expands or fails with a one-line {@link DockerfileException}.
 *
 * <p>Input layout, so that seeds can be written by hand: the first byte chooses the escape token
 * (bit 0: backtick), the lexer options (bits 1 to 4: keep quotes, keep escapes, ignore quotes,
 * leave unset variables) and the entry point (bits 5 to 7); the rest is UTF-8 text, NUL-separated:
 * the word, then {@code NAME=VALUE} variables. Seeds:
 * {@code src/test/resources/io/jscan/dockerfile/shell/WordExpanderFuzzTestInputs/}.
 */
class WordExpanderFuzzTest {
  private static final SourceLocation AT = SourceLocation.line("Dockerfile", 7);

  @FuzzTest(maxDuration = "60s")
  void expand_anyWordAndVariables_isAWordOrAOneLineError(byte[] input) {
    if (input.length == 0) {
      return;
    }
    int control = input[0] & 0xff;
    char escape = (control & 1) != 0 ? '`' : '\\';
    String[] parts = new String(input, 1, input.length - 1, StandardCharsets.UTF_8).split("\0", -1);
    String word = parts[0];
    Map<String, String> variables = new HashMap<>();
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      variables.put(eq < 0 ? parts[i] : parts[i].substring(0, eq), eq < 0 ? "" : parts[i].substring(eq + 1));
    }
    VariableLookup lookup = VariableLookup.of(variables);
    ShellLexer lexer = ShellLexer.withEscapeToken(escape);
    if ((control & 2) != 0) {
      lexer = lexer.keepingQuotes();
    }
    if ((control & 4) != 0) {
      lexer = lexer.keepingEscapes();
    }
    if ((control & 8) != 0) {
      lexer = lexer.ignoringQuotes();
    }
    if ((control & 16) != 0) {
      lexer = lexer.leavingUnsetVariables();
    }
    try {
      switch ((control >>> 5) % 5) {
        case 0 -> lexer.processWord(word, lookup, AT);
        case 1 -> lexer.processWords(word, lookup, AT);
        case 2 -> lexer.processWordsOrNone(word, lookup);
        case 3 -> new WordExpander(escape, lookup).expandHeredocBody(word, AT);
        default -> {
          WordExpander expander = new WordExpander(escape, lookup);
          expander.expand(word, AT);
          expander.expandToWords(word, AT);
        }
      }
    } catch (DockerfileException e) {
      FuzzChecks.requireOneLine(e);
    }
  }
}
