package io.jscan.dockerfile.parser;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.internal.GoText;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Dockerfile text into a syntax tree with the behaviour of BuildKit's {@code
 * frontend/dockerfile/parser}: parser directives, the escape token, line continuation, comments,
 * heredocs, flags, JSON (exec) form and the per-instruction argument rules. Instruction semantics
 * (known keywords, flag names, argument counts) are checked one layer up, in {@code instructions}.
 */
public final class DockerfileParser {
  /** bufio.Scanner's default limit: BuildKit cannot read a longer line (terminator included). */
  private static final int MAX_LINE_BYTES = 64 * 1024;

  private static final Pattern DIRECTIVE =
      Pattern.compile("([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*", Pattern.UNIX_LINES);
  private static final Set<String> DIRECTIVE_NAMES = Set.of("syntax", "escape", "check");
  /** BuildKit's reWhitespace: note it has no \n and no Unicode spaces. */
  private static final Pattern WHITESPACE = Pattern.compile("[\t\u000B\f\r ]+");
  private static final Set<String> HEREDOC_COMMANDS = Set.of("add", "copy", "run");

  private DockerfileParser() {}

  /**
   * Parses UTF-8 bytes (a leading byte-order mark is ignored). Malformed UTF-8 is read as U+FFFD.
   *
   * @param file the name used in error messages and locations
   */
  public static Ast parse(String file, byte[] content) throws DockerfileException {
    return parse(file, decodeUtf8(content));
  }

  /** Parses text (a leading U+FEFF is ignored). */
  public static Ast parse(String file, String text) throws DockerfileException {
    return new Run(file, text).parse();
  }

  private static String decodeUtf8(byte[] content) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(ByteBuffer.wrap(content))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalStateException("a replacing decoder cannot fail", e);
    }
  }

  /** The arguments a line parser produced for one instruction. */
  private record Parsed(List<String> args, boolean json, Optional<Node> trigger) {
    static final Parsed NONE = new Parsed(List.of(), false, Optional.empty());

    static Parsed shellForm(List<String> args) {
      return new Parsed(args, false, Optional.empty());
    }
  }

  /** The parse state of one file: lines, the directive state and the escape token. */
  private static final class Run {
    private final String file;
    private final List<String> lines; // each with its line ending, as BuildKit's scanner keeps it
    private int nextLine;
    private int currentLine;
    private char escapeToken = '\\';
    private boolean directivesDone;
    private final Map<String, String> directives = new LinkedHashMap<>();
    private final Set<String> seenDirectives = new HashSet<>();
    private final List<ParseWarning> warnings = new ArrayList<>();

    Run(String file, String text) {
      this.file = file;
      this.lines = splitKeepingLineEndings(text);
    }

    Ast parse() throws DockerfileException {
      List<Node> nodes = new ArrayList<>();
      List<String> comments = new ArrayList<>();
      while (nextLine < lines.size()) {
        String raw = readLine();
        if (currentLine == 0 && raw.startsWith("\uFEFF")) {
          raw = raw.substring(1);
        }
        if (isComment(raw)) {
          // BuildKit drops the first byte, not the '#': "  # x" is kept as "# x"
          String comment = GoText.trimSpace(raw.substring(Character.charCount(raw.codePointAt(0))));
          if (comment.isEmpty()) {
            comments.clear();
          } else {
            comments.add(comment);
          }
        }
        String processed = trimNewline(raw);
        processed = GoText.trimLeftSpace(processed);
        if (parseDirective(processed, currentLine + 1) && !comments.isEmpty()) {
          comments.remove(comments.size() - 1); // a directive is not a comment of the next instruction
        }
        processed = isComment(processed) ? "" : processed;
        currentLine++;

        int startLine = currentLine;
        Continuation first = trimContinuation(processed);
        if (first.complete && first.text.isEmpty()) {
          continue;
        }
        StringBuilder buf = new StringBuilder(first.text);
        boolean complete = first.complete;
        boolean emptyContinuationLine = false;
        while (!complete && nextLine < lines.size()) {
          String continued = readLine();
          String continuedText = trimNewline(continued);
          parseDirective(continuedText, currentLine + 1);
          continuedText = isComment(continuedText) ? "" : continuedText;
          currentLine++;
          if (isComment(continued)) {
            continue; // comments inside a continued instruction are dropped
          }
          if (GoText.trimLeftSpace(continuedText).isEmpty()) {
            emptyContinuationLine = true;
            continue;
          }
          Continuation next = trimContinuation(continuedText);
          buf.append(next.text);
          complete = next.complete;
        }
        String line = buf.toString();
        if (emptyContinuationLine) {
          warnings.add(
              new ParseWarning(
                  SourceLocation.line(file, currentLine), "Empty continuation line found in: " + line));
        }

        SourceLocation lineLocation = new SourceLocation(file, startLine, currentLine);
        Node node = nodeFromLine(line, lineLocation, comments);
        List<Heredoc> heredocs = List.of();
        if (canContainHeredoc(node) && line.contains("<<")) {
          heredocs = readHeredocs(HeredocMarker.findInLine(line, lineLocation), startLine);
        }
        SourceLocation location = new SourceLocation(file, startLine, currentLine);
        nodes.add(withLocationAndHeredocs(node, location, heredocs));
        comments.clear();
      }
      if (nodes.isEmpty()) {
        throw DockerfileException.at(file, currentLine, "file with no instructions");
      }
      return new Ast(file, directives, escapeToken, nodes, warnings);
    }

    private String readLine() throws DockerfileException {
      String line = lines.get(nextLine++);
      // a UTF-8 byte takes at most one char, so only long lines need the exact byte count
      if (line.length() > MAX_LINE_BYTES / 3 && line.getBytes(StandardCharsets.UTF_8).length > MAX_LINE_BYTES) {
        throw DockerfileException.at(
            file, currentLine + 1, "dockerfile line greater than max allowed size of " + (MAX_LINE_BYTES - 1));
      }
      return line;
    }

    /**
     * BuildKit's DirectiveParser: directives are {@code # name=value} lines before anything else;
     * the first line that is not a known directive ends them for good.
     *
     * @return whether the line was a directive
     */
    private boolean parseDirective(String line, int lineNumber) throws DockerfileException {
      if (directivesDone) {
        return false;
      }
      if (!line.startsWith("#")) {
        directivesDone = true;
        return false;
      }
      Matcher m = DIRECTIVE.matcher(GoText.trimLeftSpace(line.substring(1)));
      if (!m.matches()) {
        directivesDone = true;
        return false;
      }
      String name = m.group(1).toLowerCase(java.util.Locale.ROOT);
      if (!DIRECTIVE_NAMES.contains(name)) {
        directivesDone = true;
        return false;
      }
      if (!seenDirectives.add(name)) {
        throw DockerfileException.at(file, lineNumber, "only one " + name + " parser directive can be used");
      }
      String value = m.group(2);
      if (name.equals("escape")) {
        if (!value.equals("`") && !value.equals("\\")) {
          throw DockerfileException.at(
              file, lineNumber, "invalid escape token '" + value + "' does not match ` or \\");
        }
        escapeToken = value.charAt(0);
      }
      directives.put(name, value);
      return true;
    }

    private record Continuation(String text, boolean complete) {}

    /**
     * BuildKit's continuation rule: the escape token as the last non-blank character continues the
     * line, unless it is itself escaped (preceded by another escape token); a line holding only the
     * escape token continues too. The token and trailing blanks are removed.
     */
    private Continuation trimContinuation(String line) {
      int end = line.length();
      while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
        end--;
      }
      if (end == 0 || line.charAt(end - 1) != escapeToken) {
        return new Continuation(line, true);
      }
      if (end == 1) {
        return new Continuation("", false);
      }
      if (line.charAt(end - 2) == escapeToken) {
        return new Continuation(line, true);
      }
      return new Continuation(line.substring(0, end - 1), false);
    }

    private List<Heredoc> readHeredocs(List<HeredocMarker> markers, int startLine) throws DockerfileException {
      List<Heredoc> heredocs = new ArrayList<>();
      for (HeredocMarker marker : markers) {
        StringBuilder content = new StringBuilder();
        boolean terminated = false;
        while (nextLine < lines.size()) {
          String raw = readLine();
          currentLine++;
          String candidate = trimNewline(raw);
          if (marker.chomp()) {
            candidate = stripLeadingTabs(candidate);
          }
          if (candidate.equals(marker.name())) {
            terminated = true;
            break;
          }
          content.append(raw);
        }
        if (!terminated) {
          throw DockerfileException.at(file, startLine, "unterminated heredoc");
        }
        heredocs.add(
            new Heredoc(marker.name(), content.toString(), marker.expand(), marker.chomp(), marker.fileDescriptor()));
      }
      return heredocs;
    }

    private static boolean canContainHeredoc(Node node) {
      Node target = node;
      if (node.command().equals("onbuild") && node.trigger().isPresent()) {
        target = node.trigger().get();
      }
      return HEREDOC_COMMANDS.contains(target.command()) && !target.jsonForm();
    }

    private Node nodeFromLine(String line, SourceLocation location, List<String> comments) throws DockerfileException {
      String[] commandAndRest = WHITESPACE.split(GoText.trimSpace(line), 2);
      String keyword = commandAndRest[0];
      List<String> flags = List.of();
      String rest = "";
      if (commandAndRest.length == 2) {
        FlagSplit split = extractFlags(commandAndRest[1]);
        flags = split.flags;
        rest = GoText.trimSpace(split.rest);
      }
      Parsed parsed = dispatch(keyword.toLowerCase(java.util.Locale.ROOT), rest, location);
      return new Node(
          keyword,
          flags,
          parsed.args,
          parsed.trigger,
          parsed.json,
          List.of(),
          location,
          line,
          comments);
    }

    private static Node withLocationAndHeredocs(Node node, SourceLocation location, List<Heredoc> heredocs) {
      return new Node(
          node.keyword(),
          node.flags(),
          node.args(),
          node.trigger().map(t -> withLocationAndHeredocs(t, location, List.of())),
          node.jsonForm(),
          heredocs,
          location,
          node.original(),
          node.comments());
    }

    private Parsed dispatch(String command, String rest, SourceLocation location) throws DockerfileException {
      return switch (command) {
        case "add", "copy", "volume" -> parseMaybeJsonToList(rest, location);
        case "arg" -> listOrNone(parseWords(rest));
        case "cmd", "entrypoint", "run", "shell" -> parseMaybeJson(rest, location);
        case "env" -> parseNameValue(rest, "ENV", location);
        case "label" -> parseNameValue(rest, "LABEL", location);
        case "expose", "from" -> parseWhitespaceDelimited(rest);
        case "healthcheck" -> parseHealthConfig(rest, location);
        case "maintainer", "stopsignal", "user", "workdir" -> rest.isEmpty() ? Parsed.NONE : Parsed.shellForm(List.of(rest));
        case "onbuild" -> rest.isEmpty()
            ? Parsed.NONE
            : new Parsed(List.of(), false, Optional.of(nodeFromLine(rest, location, List.of())));
        // BuildKit keeps unknown instructions with one empty argument; the typed layer rejects them
        default -> Parsed.shellForm(List.of(""));
      };
    }

    private static Parsed listOrNone(List<String> args) {
      return args.isEmpty() ? Parsed.NONE : Parsed.shellForm(args);
    }

    private Parsed parseMaybeJson(String rest, SourceLocation location) throws DockerfileException {
      if (rest.isEmpty()) {
        return Parsed.NONE;
      }
      return parseJson(rest, location).orElse(Parsed.shellForm(List.of(rest)));
    }

    private Parsed parseMaybeJsonToList(String rest, SourceLocation location) throws DockerfileException {
      return parseJson(rest, location).orElse(parseWhitespaceDelimited(rest));
    }

    /** The JSON form; empty when the text is not a JSON array. */
    private Optional<Parsed> parseJson(String rest, SourceLocation location) throws DockerfileException {
      GoJsonArray.Outcome outcome = GoJsonArray.read(GoText.trimLeftSpace(rest));
      if (outcome instanceof GoJsonArray.Strings strings) {
        return Optional.of(new Parsed(strings.values(), true, Optional.empty()));
      }
      if (outcome instanceof GoJsonArray.NotAllStrings) {
        throw DockerfileException.at(
            location, "when using JSON array syntax, arrays must be comprised of strings only");
      }
      return Optional.empty();
    }

    private static Parsed parseWhitespaceDelimited(String rest) {
      if (rest.isEmpty()) {
        return Parsed.NONE;
      }
      return Parsed.shellForm(List.of(WHITESPACE.split(rest, -1)));
    }

    private Parsed parseHealthConfig(String rest, SourceLocation location) throws DockerfileException {
      int sep = 0;
      while (sep < rest.length() && !GoText.isSpace(rest.charAt(sep))) {
        sep++;
      }
      if (sep == 0) {
        return Parsed.NONE;
      }
      int next = sep;
      while (next < rest.length() && GoText.isSpace(rest.charAt(next))) {
        next++;
      }
      Parsed command = parseMaybeJson(rest.substring(next), location);
      List<String> args = new ArrayList<>();
      args.add(rest.substring(0, sep));
      args.addAll(command.args);
      return new Parsed(args, command.json, Optional.empty());
    }

    /**
     * ENV and LABEL: the legacy {@code KEY value} form (the whole rest of the line is the value) when
     * the first word has no {@code =}, else {@code k=v} words; values keep their quotes here.
     */
    private Parsed parseNameValue(String rest, String instruction, SourceLocation location) throws DockerfileException {
      List<String> words = parseWords(rest);
      if (words.isEmpty()) {
        return Parsed.NONE;
      }
      if (!words.get(0).contains("=")) {
        String[] parts = WHITESPACE.split(rest, 2);
        if (parts.length < 2) {
          throw DockerfileException.at(location, instruction + " must have two arguments");
        }
        return Parsed.shellForm(List.of(parts[0], parts[1], ""));
      }
      List<String> args = new ArrayList<>();
      for (String word : words) {
        int eq = word.indexOf('=');
        if (eq < 0) {
          throw DockerfileException.at(
              location,
              "Syntax error - can't find = in " + GoText.quote(word) + ". Must be of the form: name=value");
        }
        args.add(word.substring(0, eq));
        args.add(word.substring(eq + 1));
        args.add("=");
      }
      return Parsed.shellForm(args);
    }

    /**
     * Splits at unquoted whitespace, keeping quotes and escape tokens in the words (they are
     * processed later, by expansion). An escape token at the very end is dropped.
     */
    private List<String> parseWords(String rest) {
      List<String> words = new ArrayList<>();
      StringBuilder word = new StringBuilder();
      boolean inWord = false;
      boolean inQuote = false;
      int quote = 0;
      boolean blankOk = false;
      int[] cps = rest.codePoints().toArray();
      for (int i = 0; i < cps.length; i++) {
        int ch = cps[i];
        if (!inWord && !inQuote) {
          if (GoText.isSpace(ch)) {
            continue;
          }
          inWord = true;
        }
        if (inWord) {
          if (GoText.isSpace(ch)) {
            inWord = false;
            if (blankOk || word.length() > 0) {
              words.add(word.toString());
            }
            word.setLength(0);
            blankOk = false;
            continue;
          }
          if (ch == '\'' || ch == '"') {
            quote = ch;
            blankOk = true;
            inWord = false;
            inQuote = true;
          }
          if (ch == escapeToken) {
            if (i + 1 == cps.length) {
              continue;
            }
            word.appendCodePoint(ch);
            ch = cps[++i];
          }
          word.appendCodePoint(ch);
          continue;
        }
        // in a quote: the escape token escapes, except inside single quotes
        if (ch == quote) {
          inQuote = false;
          inWord = true;
        }
        if (ch == escapeToken && quote != '\'') {
          if (i + 1 == cps.length) {
            inQuote = false;
            inWord = true;
            continue;
          }
          word.appendCodePoint(ch);
          ch = cps[++i];
        }
        word.appendCodePoint(ch);
      }
      if ((inWord || inQuote) && (blankOk || word.length() > 0)) {
        words.add(word.toString());
      }
      return words;
    }

    private record FlagSplit(List<String> flags, String rest) {}

    /**
     * Takes the leading {@code --flag} words off an instruction's arguments (quotes removed, escape
     * token honoured). A bare {@code --} ends the flags and is dropped; the first word that does
     * not start with {@code --} starts the arguments.
     */
    private FlagSplit extractFlags(String line) {
      List<String> flags = new ArrayList<>();
      StringBuilder word = new StringBuilder();
      boolean inWord = false;
      boolean inQuote = false;
      char quote = 0;
      boolean blankOk = false;
      for (int pos = 0; pos <= line.length(); pos++) {
        char ch = pos < line.length() ? line.charAt(pos) : 0;
        if (!inWord && !inQuote) {
          if (pos == line.length()) {
            break;
          }
          if (GoText.isSpace(ch)) {
            continue;
          }
          if (ch != '-' || pos + 1 == line.length() || line.charAt(pos + 1) != '-') {
            return new FlagSplit(flags, line.substring(pos));
          }
          inWord = true;
        }
        if (pos == line.length()) {
          String w = word.toString();
          if (!w.equals("--") && (blankOk || !w.isEmpty())) {
            flags.add(w);
          }
          break;
        }
        if (inWord) {
          if (GoText.isSpace(ch)) {
            String w = word.toString();
            inWord = false;
            if (w.equals("--")) {
              return new FlagSplit(flags, line.substring(pos));
            }
            if (blankOk || !w.isEmpty()) {
              flags.add(w);
            }
            word.setLength(0);
            blankOk = false;
            continue;
          }
          if (ch == '\'' || ch == '"') {
            quote = ch;
            blankOk = true;
            inWord = false;
            inQuote = true;
            continue;
          }
          if (ch == escapeToken) {
            if (pos + 1 == line.length()) {
              continue;
            }
            ch = line.charAt(++pos);
          }
          word.append(ch);
          continue;
        }
        // in a quote
        if (ch == quote) {
          inQuote = false;
          inWord = true;
          continue;
        }
        if (ch == escapeToken) {
          if (pos + 1 == line.length()) {
            inQuote = false;
            inWord = true;
            continue;
          }
          ch = line.charAt(++pos);
        }
        word.append(ch);
      }
      return new FlagSplit(flags, "");
    }
  }

  private static boolean isComment(String line) {
    String trimmed = GoText.trimLeftSpace(line);
    return !trimmed.isEmpty() && trimmed.charAt(0) == '#';
  }

  private static String trimNewline(String line) {
    int end = line.length();
    while (end > 0 && (line.charAt(end - 1) == '\n' || line.charAt(end - 1) == '\r')) {
      end--;
    }
    return line.substring(0, end);
  }

  private static String stripLeadingTabs(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) == '\t') {
      i++;
    }
    return line.substring(i);
  }

  private static List<String> splitKeepingLineEndings(String text) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int nl = text.indexOf('\n', start);
      int end = nl < 0 ? text.length() : nl + 1;
      lines.add(text.substring(start, end));
      start = end;
    }
    return lines;
  }
}
