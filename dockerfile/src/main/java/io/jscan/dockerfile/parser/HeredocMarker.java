package io.jscan.dockerfile.parser;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.shell.ShellLexer;
import io.jscan.dockerfile.shell.VariableLookup;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A heredoc marker word such as {@code <<EOF}, {@code <<-"EOF"} or {@code 3<<EOF}, before its body
 * is read (BuildKit's {@code ParseHeredoc}).
 */
public record HeredocMarker(String name, boolean expand, boolean chomp, int fileDescriptor) {

  // BuildKit: ^(\d*)<<(-?)\s*([^<]*)$ with Go's ASCII \d and \s
  private static final Pattern MARKER = Pattern.compile("([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)", Pattern.DOTALL);

  /** BuildKit always uses a backslash lexer for heredoc words, whatever the escape directive says. */
  private static final ShellLexer WORD_LEXER = ShellLexer.withEscapeToken('\\').leavingUnsetVariables();

  /**
   * Parses one word; empty when it is not a heredoc marker.
   *
   * @throws DockerfileException when it looks like a marker but its delimiter is malformed (an
   *     unterminated quote such as {@code <<'EOF})
   */
  public static Optional<HeredocMarker> parse(String word, SourceLocation at) throws DockerfileException {
    Matcher m = MARKER.matcher(word);
    if (!m.matches()) {
      return Optional.empty();
    }
    String rest = m.group(3);
    if (rest.isEmpty()) {
      return Optional.empty();
    }
    List<String> words = WORD_LEXER.processWords(rest, VariableLookup.none(), at).words();
    if (words.size() != 1) {
      return Optional.empty(); // "<<EOF sh" is not a marker
    }
    List<String> rawWords = WORD_LEXER.keepingQuotes().processWords(rest, VariableLookup.none(), at).words();
    if (rawWords.size() != words.size()) {
      throw DockerfileException.at(at, "internal lexing of heredoc produced inconsistent results: " + rest);
    }
    // if quote removal changed the number of quote characters, part of the delimiter was quoted,
    // and a quoted delimiter disables expansion of the body (as in sh)
    String name = words.get(0);
    String raw = rawWords.get(0);
    boolean expand = countQuotes(name) == countQuotes(raw);
    return Optional.of(new HeredocMarker(name, expand, !m.group(2).isEmpty(), parseFileDescriptor(m.group(1))));
  }

  /** Like {@link #parse} but a malformed marker is "not a marker" (BuildKit's {@code MustParseHeredoc}). */
  public static Optional<HeredocMarker> parseLenient(String word) {
    try {
      return parse(word, SourceLocation.line("-", 1));
    } catch (DockerfileException e) {
      return Optional.empty();
    }
  }

  /**
   * The heredoc markers among the words of an instruction line, in order (BuildKit's {@code
   * heredocsFromLine}): the line is split like a shell would, keeping quotes and escapes, so
   * {@code "<<EOF"} in quotes is not a marker.
   */
  static List<HeredocMarker> findInLine(String line, SourceLocation at) throws DockerfileException {
    List<String> words =
        ShellLexer.withEscapeToken('\\')
            .keepingQuotes()
            .keepingEscapes()
            .leavingUnsetVariables()
            .processWordsOrNone(line, VariableLookup.none());
    List<HeredocMarker> markers = new ArrayList<>();
    for (String word : words) {
      Optional<HeredocMarker> marker = parse(word, at);
      marker.ifPresent(markers::add);
    }
    return markers;
  }

  private static int countQuotes(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\'' || c == '"') {
        n++;
      }
    }
    return n;
  }

  private static int parseFileDescriptor(String digits) {
    if (digits.isEmpty()) {
      return 0;
    }
    String significant = digits.replaceFirst("^0+(?=.)", "");
    // BuildKit ignores the parse error of an absurdly long number; clamping keeps a valid record
    return significant.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(significant);
  }
}
