package io.jscan.dockerfile.shell;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.internal.GoText;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Dockerfile word expansion with the semantics of BuildKit's {@code frontend/dockerfile/shell}
 * lexer: single and double quotes, the escape token ({@code \} or {@code `}), {@code $A}, {@code
 * ${A}}, {@code ${A:-x}}, {@code ${A-x}}, {@code ${A:+x}}, {@code ${A+x}}, {@code ${A:?msg}}, {@code
 * ${A?msg}}, {@code ${A#p}}, {@code ${A##p}}, {@code ${A%p}}, {@code ${A%%p}}, {@code ${A/p/r}} and
 * {@code ${A//p/r}}. Positional and special parameters ({@code $1}, {@code $@}, ...) are never set.
 *
 * <p>Instances are immutable and thread-safe. The default lexer is what BuildKit uses for
 * instructions; the option methods return lexers for BuildKit's special uses (heredoc detection
 * keeps quotes and escapes, heredoc bodies are expanded without quote processing).
 */
public final class ShellLexer {
  private static final int EOF = -1;

  private final int escapeToken;
  private final boolean rawQuotes;
  private final boolean rawEscapes;
  private final boolean skipProcessQuotes;
  private final boolean skipUnsetVariables;

  private ShellLexer(
      int escapeToken, boolean rawQuotes, boolean rawEscapes, boolean skipProcessQuotes, boolean skipUnsetVariables) {
    this.escapeToken = escapeToken;
    this.rawQuotes = rawQuotes;
    this.rawEscapes = rawEscapes;
    this.skipProcessQuotes = skipProcessQuotes;
    this.skipUnsetVariables = skipUnsetVariables;
  }

  /** The lexer for a Dockerfile whose escape token is {@code escapeToken} ({@code \} or {@code `}). */
  public static ShellLexer withEscapeToken(char escapeToken) {
    if (escapeToken != '\\' && escapeToken != '`') {
      throw new IllegalArgumentException("escape token must be \\ or `, got " + escapeToken);
    }
    return new ShellLexer(escapeToken, false, false, false, false);
  }

  /** Keeps quote characters in the result instead of removing them (BuildKit {@code RawQuotes}). */
  public ShellLexer keepingQuotes() {
    return new ShellLexer(escapeToken, true, rawEscapes, skipProcessQuotes, skipUnsetVariables);
  }

  /** Keeps escape tokens in the result instead of removing them (BuildKit {@code RawEscapes}). */
  public ShellLexer keepingEscapes() {
    return new ShellLexer(escapeToken, rawQuotes, true, skipProcessQuotes, skipUnsetVariables);
  }

  /** Treats quotes as ordinary characters (BuildKit {@code SkipProcessQuotes}, used for heredoc bodies). */
  public ShellLexer ignoringQuotes() {
    return new ShellLexer(escapeToken, rawQuotes, rawEscapes, true, skipUnsetVariables);
  }

  /** Leaves references to unset variables as written (BuildKit {@code SkipUnsetEnv}). */
  public ShellLexer leavingUnsetVariables() {
    return new ShellLexer(escapeToken, rawQuotes, rawEscapes, skipProcessQuotes, true);
  }

  /**
   * Expands {@code word} into one string; whitespace is kept (BuildKit's {@code ProcessWord}).
   *
   * @param at where the word comes from, for the error message
   * @throws DockerfileException on a syntax error ({@code ${}}, an unterminated quote, ...) or a
   *     {@code ${A?msg}} whose variable is unset
   */
  public ExpandedWord processWord(String word, VariableLookup variables, SourceLocation at) throws DockerfileException {
    return processWord(word, variables, at, ExpansionBudget.perWordOnly());
  }

  /**
   * As {@link #processWord(String, VariableLookup, SourceLocation)}, charging what expansion adds
   * to the word to {@code budget}; a word that would grow past {@link ExpansionBudget#MAX_WORD_GROWTH}
   * fails before its text is built.
   */
  public ExpandedWord processWord(String word, VariableLookup variables, SourceLocation at, ExpansionBudget budget)
      throws DockerfileException {
    Run run = new Run(word, variables);
    Piece piece = run.top(at);
    budget.charge(word.length(), piece.text.length(), at);
    return new ExpandedWord(piece.text, run.used, run.unset);
  }

  /**
   * Expands {@code word} and splits the result into words at unquoted whitespace (BuildKit's {@code
   * ProcessWords}).
   */
  public ExpandedWords processWords(String word, VariableLookup variables, SourceLocation at)
      throws DockerfileException {
    return processWords(word, variables, at, ExpansionBudget.perWordOnly());
  }

  /** As {@link #processWords(String, VariableLookup, SourceLocation)}, charging the growth to {@code budget}. */
  public ExpandedWords processWords(String word, VariableLookup variables, SourceLocation at, ExpansionBudget budget)
      throws DockerfileException {
    Run run = new Run(word, variables);
    Piece piece = run.top(at);
    budget.charge(word.length(), piece.text.length(), at);
    return new ExpandedWords(piece.words, run.used, run.unset);
  }

  /**
   * Like {@link #processWords} but returns no words instead of failing, as BuildKit does when it
   * looks for heredoc markers in an instruction line.
   */
  public List<String> processWordsOrNone(String word, VariableLookup variables) {
    Run run = new Run(word, variables);
    try {
      return run.processStopOn(EOF, rawEscapes).words;
    } catch (LexFailure e) {
      return List.of();
    }
  }

  /** The outcome of scanning up to a stop character: the text, and the same text split into words. */
  private record Piece(String text, List<String> words) {}

  /** A lexing error; carries BuildKit's message, turned into a {@link DockerfileException} at the API edge. */
  private static class LexFailure extends Exception {
    private static final long serialVersionUID = 1L;

    LexFailure(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The most characters Java's regex engine may look at for the patterns of one word ({@code
   * ${A#p}}, {@code ${A%%p}}, {@code ${A//p/r}}). BuildKit matches them with Go's RE2, in linear
   * time; Java backtracks, and a pattern of many stars ({@code ${A##*a*a*a*a*a*a*a*b}}) would take
   * exponential time on a long value. A hundred million steps is about a second, far more than
   * any real pattern needs.
   */
  static final long MAX_MATCH_STEPS = 100_000_000L;

  /** Thrown from {@link CountedText#charAt} when a word's patterns have used {@link #MAX_MATCH_STEPS}. */
  private static final class TooCostly extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooCostly() {
      super(null, null, false, false);
    }
  }

  /** The characters a regex matches against, counting every look (the regex engine reads only through charAt). */
  private static final class CountedText implements CharSequence {
    private final String text;
    private final long[] steps;

    CountedText(String text, long[] steps) {
      this.text = text;
      this.steps = steps;
    }

    @Override
    public char charAt(int index) {
      if (++steps[0] > MAX_MATCH_STEPS) {
        throw new TooCostly();
      }
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return text.subSequence(start, end);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** The word would grow past {@link ExpansionBudget#MAX_WORD_GROWTH}: not BuildKit's, and the word is not quoted. */
  private static final class TooLarge extends LexFailure {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super("variable expansion makes this word more than " + (ExpansionBudget.MAX_WORD_GROWTH >> 20)
          + " MiB longer than written (the limit; nested ARG or ENV values that repeat each other?)");
    }
  }

  /** Splits text into words the way BuildKit's {@code wordsStruct} does. */
  private static final class Words {
    // BuildKit shares one word buffer between a word and the ${...} words nested in it, and every
    // nested scan starts by clearing it; Run.wordBuffer reproduces that so ProcessWords splits alike.
    private final StringBuilder buf;
    private final List<String> words = new ArrayList<>();
    private boolean inWord;

    Words(StringBuilder sharedBuffer) {
      this.buf = sharedBuffer;
    }

    void addChar(int ch) {
      if (GoText.isSpace(ch) && inWord) {
        if (buf.length() != 0) {
          words.add(buf.toString());
          buf.setLength(0);
          inWord = false;
        }
      } else if (!GoText.isSpace(ch)) {
        addRawChar(ch);
      }
    }

    void addRawChar(int ch) {
      buf.appendCodePoint(ch);
      inWord = true;
    }

    void addString(String s) {
      s.codePoints().forEach(this::addChar);
    }

    void addRawString(String s) {
      buf.append(s);
      inWord = true;
    }

    List<String> finish() {
      if (buf.length() > 0) {
        words.add(buf.toString());
        buf.setLength(0);
        inWord = false;
      }
      return words;
    }
  }

  /** One expansion: the scanner over the word's code points and the variables it touched. */
  private final class Run {
    private final String source;
    private final int[] chars;
    private int pos;
    private final VariableLookup variables;
    private boolean escapesKept;
    private final StringBuilder wordBuffer = new StringBuilder();
    /** The longest any text built for this word may be: as written plus {@link ExpansionBudget#MAX_WORD_GROWTH}. */
    private final long cap;
    /** Characters the regex engine has looked at for this word's patterns (see {@link #MAX_MATCH_STEPS}). */
    private final long[] matchSteps = {0};
    final Set<String> used = new LinkedHashSet<>();
    final Set<String> unset = new LinkedHashSet<>();

    Run(String source, VariableLookup variables) {
      this.source = source;
      this.chars = source.codePoints().toArray();
      this.variables = variables;
      this.escapesKept = rawEscapes;
      this.cap = (long) source.length() + ExpansionBudget.MAX_WORD_GROWTH;
    }

    Piece top(SourceLocation at) throws DockerfileException {
      try {
        return processStopOn(EOF, rawEscapes);
      } catch (TooLarge e) {
        // the word itself is not quoted: it may be megabytes long
        throw DockerfileException.overLimit(at, e.getMessage());
      } catch (TooCostly e) {
        throw DockerfileException.overLimit(at, "matching this word's ${…} patterns takes more than " + MAX_MATCH_STEPS
            + " steps (the limit; a pattern with many stars against a long value?)");
      } catch (LexFailure e) {
        // the detail may quote the word's text (a modifier, a pattern, a ${A:?message}): escaped, so
        // that the error stays one line
        throw DockerfileException.at(
            at, "failed to process " + GoText.quote(source) + ": " + GoText.escapeNonPrintable(e.getMessage()));
      }
    }

    /** Fails once text being built for this word passes {@link #cap}; called after every append of expanded text. */
    void bounded(CharSequence text) throws TooLarge {
      if (text.length() > cap) {
        throw new TooLarge();
      }
    }

    /** Fails before {@code a + b} is built when it would pass {@link #cap}. */
    void bounded(long a, long b) throws TooLarge {
      if (a + b > cap) {
        throw new TooLarge();
      }
    }

    int peek() {
      return pos < chars.length ? chars[pos] : EOF;
    }

    int next() {
      return pos < chars.length ? chars[pos++] : EOF;
    }

    Piece processStopOn(int stopChar, boolean keepEscapes) throws LexFailure {
      StringBuilder result = new StringBuilder();
      wordBuffer.setLength(0);
      Words words = new Words(wordBuffer);
      boolean saved = escapesKept;
      escapesKept = keepEscapes;
      try {
        while (peek() != EOF) {
          int ch = peek();
          if (stopChar != EOF && ch == stopChar) {
            next();
            return new Piece(result.toString(), words.finish());
          }
          if (ch == '$') {
            String value = processDollar();
            bounded(result.length(), value.length());
            result.append(value);
            // a variable's value is split at its whitespace, like an unquoted shell expansion
            words.addString(value);
          } else if (ch == '<') {
            String marker = processPossibleHeredoc();
            result.append(marker);
            words.addRawString(marker);
          } else if (!skipProcessQuotes && ch == '\'') {
            String quoted = processSingleQuote();
            result.append(quoted);
            words.addRawString(quoted);
          } else if (!skipProcessQuotes && ch == '"') {
            String quoted = processDoubleQuote();
            result.append(quoted);
            words.addRawString(quoted);
          } else {
            ch = next();
            if (ch == escapeToken) {
              if (escapesKept) {
                words.addRawChar(ch);
                result.appendCodePoint(ch);
              }
              // the escape token escapes the next character; at the end of the word it is dropped
              ch = next();
              if (ch == EOF) {
                break;
              }
              words.addRawChar(ch);
            } else {
              words.addChar(ch);
            }
            result.appendCodePoint(ch);
          }
        }
        if (stopChar != EOF) {
          throw new LexFailure(
              "unexpected end of statement while looking for matching " + new String(Character.toChars(stopChar)));
        }
        return new Piece(result.toString(), words.finish());
      } finally {
        escapesKept = saved;
      }
    }

    String processSingleQuote() throws LexFailure {
      // everything up to the next ' is literal; a single quote cannot be escaped inside (POSIX sh)
      StringBuilder result = new StringBuilder();
      int ch = next();
      if (rawQuotes) {
        result.appendCodePoint(ch);
      }
      while (true) {
        ch = next();
        if (ch == EOF) {
          throw new LexFailure("unexpected end of statement while looking for matching single-quote");
        }
        if (ch == '\'') {
          if (rawQuotes) {
            result.appendCodePoint(ch);
          }
          return result.toString();
        }
        result.appendCodePoint(ch);
      }
    }

    String processDoubleQuote() throws LexFailure {
      // literal except $ expansions; the escape token only escapes " $ and itself, else it stays
      StringBuilder result = new StringBuilder();
      int ch = next();
      if (rawQuotes) {
        result.appendCodePoint(ch);
      }
      while (true) {
        int peeked = peek();
        if (peeked == EOF) {
          throw new LexFailure("unexpected end of statement while looking for matching double-quote");
        }
        if (peeked == '"') {
          ch = next();
          if (rawQuotes) {
            result.appendCodePoint(ch);
          }
          return result.toString();
        }
        if (peeked == '$') {
          String value = processDollar();
          bounded(result.length(), value.length());
          result.append(value);
          continue;
        }
        ch = next();
        if (ch == escapeToken) {
          if (escapesKept) {
            result.appendCodePoint(ch);
          }
          int following = peek();
          if (following == EOF) {
            continue; // dropped; the loop then reports the missing closing quote
          }
          if (following == '"' || following == '$' || following == escapeToken) {
            ch = next();
          }
        }
        result.appendCodePoint(ch);
      }
    }

    String processDollar() throws LexFailure {
      next(); // the $
      if (peek() != '{') {
        String name = processName();
        if (name.isEmpty()) {
          return "$";
        }
        Optional<String> value = lookup(name);
        if (value.isEmpty() && skipUnsetVariables) {
          return "$" + name;
        }
        return value.orElse("");
      }
      next(); // the {
      int first = peek();
      if (first == EOF) {
        throw new LexFailure("syntax error: missing '}'");
      }
      if (first == '{' || first == '}' || first == ':') {
        throw new LexFailure("syntax error: bad substitution");
      }
      String name = processName();
      int ch = next();
      String modifier = codePointString(ch);
      switch (ch) {
        case '}' -> {
          Optional<String> value = lookup(name);
          if (value.isEmpty() && skipUnsetVariables) {
            return "${" + name + "}";
          }
          return value.orElse("");
        }
        case ':', '+', '-', '?', '#', '%' -> {
          boolean nullIsUnset = false;
          if (ch == ':') {
            nullIsUnset = true;
            ch = next();
            modifier += codePointString(ch);
          }
          // BuildKit keeps escapes in # and % patterns so that \* stays a literal star
          boolean patternOperator = ch == '#' || ch == '%';
          if (nullIsUnset && patternOperator) {
            throw new LexFailure("unsupported modifier (" + modifier + ") in substitution");
          }
          String word = scanNested('}', patternOperator, "syntax error: missing '}'");
          Optional<String> value = lookup(name);
          if (value.isEmpty() && skipUnsetVariables) {
            return "${" + name + modifier + word + "}";
          }
          boolean empty = value.isEmpty() || (nullIsUnset && value.get().isEmpty());
          switch (ch) {
            case '-' -> {
              return empty ? word : value.get();
            }
            case '+' -> {
              return empty ? "" : word;
            }
            case '?' -> {
              if (value.isEmpty()) {
                throw new LexFailure(name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
              }
              if (nullIsUnset && value.get().isEmpty()) {
                throw new LexFailure(name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word));
              }
              return value.get();
            }
            case '#', '%' -> {
              // # and % remove the shortest match, ## and %% the longest
              boolean greedy = !word.isEmpty() && word.codePointAt(0) == ch;
              String pattern = greedy ? word.substring(1) : word;
              String subject = value.orElse("");
              return ch == '%' ? trimSuffix(pattern, subject, greedy, matchSteps) : trimPrefix(pattern, subject, greedy, matchSteps);
            }
            default -> throw new LexFailure("unsupported modifier (" + modifier + ") in substitution");
          }
        }
        case '/' -> {
          boolean replaceAll = peek() == '/';
          if (replaceAll) {
            next();
          }
          String pattern = scanNested('/', true, "syntax error: missing '/' in ${}");
          String replacement = scanNested('}', true, "syntax error: missing '}'");
          Optional<String> value = lookup(name);
          if (value.isEmpty() && skipUnsetVariables) {
            return "${" + name + "/" + pattern + "/" + replacement + "}";
          }
          Pattern regex = shellPatternToRegex(pattern, true, false);
          String subject = value.orElse("");
          if (replaceAll) {
            String replaced = GoRegexReplace.replaceAll(regex, subject, new CountedText(subject, matchSteps), replacement, cap);
            if (replaced == null) {
              throw new TooLarge();
            }
            return replaced;
          }
          Matcher m = regex.matcher(new CountedText(subject, matchSteps));
          if (m.find()) {
            bounded(subject.length(), replacement.length());
            // a single replacement inserts the replacement text literally (Go's string slicing)
            return subject.substring(0, m.start()) + replacement + subject.substring(m.end());
          }
          return subject;
        }
        default -> throw new LexFailure("unsupported modifier (" + modifier + ") in substitution");
      }
    }

    private String scanNested(int stopChar, boolean keepEscapes, String missingMessage) throws LexFailure {
      try {
        return processStopOn(stopChar, keepEscapes).text;
      } catch (LexFailure e) {
        if (peek() == EOF) {
          throw new LexFailure(missingMessage);
        }
        throw e;
      }
    }

    String processName() {
      StringBuilder name = new StringBuilder();
      while (peek() != EOF) {
        int ch = peek();
        if (name.length() == 0 && GoText.isDigit(ch)) {
          // positional parameter: all the digits belong to it ($10 is parameter ten)
          while (peek() != EOF && GoText.isDigit(peek())) {
            name.appendCodePoint(next());
          }
          return name.toString();
        }
        if (name.length() == 0 && isSpecialParameter(ch)) {
          next();
          return codePointString(ch);
        }
        if (!GoText.isLetter(ch) && !GoText.isDigit(ch) && ch != '_') {
          break;
        }
        name.appendCodePoint(next());
      }
      return name.toString();
    }

    String processPossibleHeredoc() {
      next(); // the first <
      if (peek() != '<') {
        return "<";
      }
      next();
      // "<< EOF" stays one word so the heredoc detection sees the marker and its name together
      StringBuilder marker = new StringBuilder("<<");
      while (peek() == '\t' || peek() == '\r' || peek() == ' ') {
        marker.appendCodePoint(next());
      }
      return marker.toString();
    }

    Optional<String> lookup(String name) {
      Optional<String> value = variables.get(name);
      if (value.isPresent()) {
        used.add(name);
      } else {
        unset.add(name);
      }
      return value;
    }
  }

  /** POSIX special parameters ({@code $@ $* $# $? $- $$ $! $0}); a Dockerfile never sets them. */
  private static boolean isSpecialParameter(int ch) {
    return switch (ch) {
      case '@', '*', '#', '?', '-', '$', '!', '0' -> true;
      default -> false;
    };
  }

  private static String codePointString(int ch) {
    // Go turns the end-of-input marker into U+FFFD when it formats it
    return ch == EOF ? "\uFFFD" : new String(Character.toChars(ch));
  }

  private static String trimPrefix(String pattern, String value, boolean greedy, long[] steps) throws LexFailure {
    Matcher m = shellPatternToRegex(pattern, greedy, true).matcher(new CountedText(value, steps));
    return m.find() ? value.substring(m.end()) : value;
  }

  private static String trimSuffix(String pattern, String value, boolean greedy, long[] steps) throws LexFailure {
    // a regex cannot find the shortest match that ends at the end, so reverse both and trim a prefix
    String trimmed = trimPrefix(reversePattern(pattern), reverse(value), greedy, steps);
    return reverse(trimmed);
  }

  /** Reverses a pattern but keeps each escape in front of the character it escapes. */
  static String reversePattern(String pattern) {
    int[] in = pattern.codePoints().toArray();
    int[] out = new int[in.length];
    int last = in.length - 1;
    for (int i = 0; i <= last; ) {
      int outIndex = last - i;
      if (in[i] == '\\' && i != last) {
        out[outIndex - 1] = in[i];
        out[outIndex] = in[i + 1];
        i += 2;
      } else {
        out[outIndex] = in[i];
        i++;
      }
    }
    return new String(out, 0, out.length);
  }

  private static String reverse(String s) {
    int[] cps = s.codePoints().toArray();
    StringBuilder b = new StringBuilder(s.length());
    for (int i = cps.length - 1; i >= 0; i--) {
      b.appendCodePoint(cps[i]);
    }
    return b.toString();
  }

  /**
   * Compiles a shell pattern ({@code ?} one character, {@code *} shortest or longest run, {@code \}
   * escaping {@code * ? \}; no bracket expressions, as in BuildKit) into a regex.
   */
  static Pattern shellPatternToRegex(String pattern, boolean greedy, boolean anchored) throws LexFailure {
    StringBuilder re = new StringBuilder();
    if (anchored) {
      re.append('^');
    }
    String star = greedy ? ".*" : ".*?";
    int[] cps = pattern.codePoints().toArray();
    for (int i = 0; i < cps.length; i++) {
      int ch = cps[i];
      switch (ch) {
        case '*' -> re.append(star);
        case '?' -> re.append('.');
        case '\\' -> {
          int following = i + 1 < cps.length ? cps[i + 1] : EOF;
          if (following == '}' || following == '/') {
            continue; // the escape only protected the ${} syntax; it is not part of the pattern
          }
          i++;
          if (following != '*' && following != '?' && following != '\\') {
            throw new LexFailure(
                "invalid pattern (" + pattern + ") in substitution: invalid escape '\\" + codePointString(following) + "'");
          }
          re.append('\\').appendCodePoint(following);
        }
        default -> appendLiteral(re, ch);
      }
    }
    try {
      // UNIX_LINES: like Go, '.' stops only at '\n'
      return Pattern.compile(re.toString(), Pattern.UNIX_LINES);
    } catch (PatternSyntaxException e) {
      throw new LexFailure("invalid pattern (" + pattern + ") in substitution: " + e.getDescription());
    }
  }

  private static void appendLiteral(StringBuilder re, int ch) {
    if (ch < 0x80 && !Character.isLetterOrDigit(ch) && ch != ' ' && ch != '_') {
      re.append('\\'); // any ASCII punctuation may be escaped in a Java regex
    }
    re.appendCodePoint(ch);
  }
}
