package io.jscan.verifier.policy;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.jscan.core.text.FileExcerpts;
import io.jscan.core.text.Printable;
import io.jscan.verifier.VerifierException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the YAML of a policy file, and says what is wrong with it in jscan's words: {@code
 * FILE:LINE: what}, one line, never the parser's own text (SnakeYAML's messages carry their own
 * 0-based marks, a copy of the line and a caret) and never more of the file than a short escaped
 * excerpt. Checked here, before any policy key is looked at:
 *
 * <ul>
 *   <li>the file is text (UTF-8, no NUL or other control character but tab, CR and LF: YAML 1.2
 *       §5.1 allows no others), so a binary file is named as such;
 *   <li>it is well-formed YAML: tabs, indentation, unclosed quotes and brackets, each named;
 *   <li>no key appears twice in a mapping (YAML 1.2 §3.2.1.1 requires unique keys; a parser that
 *       keeps the last one would let a second {@code mode:} silently relax a rule);
 *   <li>no aliases: Jackson reads {@code *name} as the string "name", not as the anchored value;
 *   <li>one document: a second one after {@code ---} would otherwise be ignored.
 * </ul>
 */
final class PolicyYaml {
  static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder().build()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'", Pattern.DOTALL);
  private static final Pattern FOUND_CHARACTER = Pattern.compile("found character '(.+?)' that cannot start any token.*", Pattern.DOTALL);
  private static final int EXCERPT = FileExcerpts.MAX;

  /**
   * The parsed document.
   *
   * @param root the document's root; empty for an empty file (or one of only comments)
   * @param lines the 1-based line of each node, by JSON pointer
   */
  record Document(Optional<JsonNode> root, Map<String, Integer> lines) {}

  private PolicyYaml() {}

  static Document read(String source, byte[] yaml) throws VerifierException {
    requireText(source, yaml);
    JsonNode root;
    try (JsonParser p = YAML.getFactory().createParser(yaml)) {
      root = YAML.readTree(p);
      if (p.nextToken() != null) {
        throw error(source, p.currentTokenLocation().getLineNr(),
            "a second YAML document (after ---): a policy file holds one policy; put each in a file of its own");
      }
    } catch (JsonProcessingException e) {
      throw translate(source, yaml, e);
    } catch (IOException e) {
      throw VerifierException.badInput(source, "cannot read: " + e.getMessage());
    }
    Map<String, Integer> lines = lines(source, yaml);
    return new Document(root == null || root.isMissingNode() ? Optional.empty() : Optional.of(root), lines);
  }

  /** {@code FILE:LINE} and the detail, as every policy error reads. */
  static VerifierException error(String source, int line, String detail) {
    // the detail may name a key or a value of the file (a key is quoted as written): escaped, so
    // that the error stays one line
    return VerifierException.badInput(source + ":" + Math.max(1, line), Printable.escape(detail));
  }

  /** What a node is, for "a mapping was expected here, found …": a list, a mapping, a string "…" (short, escaped). */
  static String found(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return "nothing";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isBoolean()) {
      return node.asText();
    }
    if (node.isNumber()) {
      return "the number " + node.asText();
    }
    return "the string " + excerpt(node.asText());
  }

  /** A short piece of the file, quoted, with control characters escaped and anything past {@value #EXCERPT} characters left out. */
  static String excerpt(String text) {
    return Printable.excerpt(text, EXCERPT);
  }

  /** As {@link #excerpt}, without the quotes: for a value that reads as a word ("got v2", "rule maintainer"). */
  static String clip(String text) {
    String quoted = excerpt(text);
    return quoted.substring(1, quoted.length() - 1);
  }

  /** UTF-8 text without NUL or other C0 controls but tab, LF and CR (and no DEL): otherwise not a YAML file at all. */
  private static void requireText(String source, byte[] yaml) throws VerifierException {
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(yaml);
    int bad = -1;
    try {
      utf8.decode(in);
    } catch (CharacterCodingException e) {
      // decode() stops at the malformed sequence: in.position() is where it starts
      bad = in.position();
    }
    for (int i = 0; i < yaml.length && (bad < 0 || i < bad); i++) {
      int b = yaml[i] & 0xff;
      if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f) {
        throw error(source, lineAt(yaml, i),
            String.format(Locale.ROOT, "not a YAML text file: control character 0x%02x at byte %d (a binary file?)", b, i));
      }
    }
    if (bad >= 0) {
      throw error(source, lineAt(yaml, bad),
          String.format(Locale.ROOT, "not a YAML text file: invalid UTF-8 (byte 0x%02x at byte %d)", yaml[bad] & 0xff, bad));
    }
  }

  private static int lastContentLine(byte[] bytes) {
    int line = 1;
    int last = 1;
    boolean content = false;
    for (byte b : bytes) {
      if (b == '\n') {
        if (content) {
          last = line;
        }
        line++;
        content = false;
      } else if (b != ' ' && b != '\t' && b != '\r') {
        content = true;
      }
    }
    return content ? line : last;
  }

  private static int lineAt(byte[] bytes, int offset) {
    int line = 1;
    for (int i = 0; i < offset && i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        line++;
      }
    }
    return line;
  }

  /** The parser's complaint in jscan's words, at the line where the mistake is (not always where the parser noticed it). */
  private static VerifierException translate(String source, byte[] yaml, JsonProcessingException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException m) {
        return marked(source, yaml, m);
      }
    }
    int line = e.getLocation() == null ? 1 : e.getLocation().getLineNr();
    String original = String.valueOf(e.getOriginalMessage());
    Matcher duplicate = DUPLICATE.matcher(original);
    if (e instanceof JsonParseException && duplicate.matches()) {
      return error(source, line, "the key " + excerpt(duplicate.group(1)) + " appears twice in one mapping (YAML keys are unique)");
    }
    return error(source, line, "not valid YAML: " + oneLine(original));
  }

  private static VerifierException marked(String source, byte[] yaml, org.yaml.snakeyaml.error.MarkedYAMLException m) {
    String problem = String.valueOf(m.getProblem());
    String context = m.getContext() == null ? "" : m.getContext();
    // SnakeYAML's marks count lines from 0
    int at = m.getProblemMark() == null ? 1 : m.getProblemMark().getLine() + 1;
    int opened = m.getContextMark() == null ? at : m.getContextMark().getLine() + 1;
    if (problem.contains("\\t(TAB)") || problem.contains("tab character")) {
      return error(source, at, "a tab character: YAML indents with spaces, never tabs");
    }
    if (context.contains("quoted scalar")) {
      if (problem.contains("end of stream")) {
        return error(source, opened, "the quoted string that starts on this line is never closed");
      }
      if (problem.contains("escape")) {
        return error(source, at, "an unknown escape sequence in a double-quoted string (write \\\\ for a backslash, or use single quotes)");
      }
      return error(source, opened, "the quoted string that starts on this line does not end properly");
    }
    if (context.startsWith("while parsing a flow node") && problem.contains("<stream end>")) {
      // noticed past the last line: the bracket is on the last line with content
      return error(source, lastContentLine(yaml), "the file ends inside a [ or { that is never closed");
    }
    if (context.startsWith("while parsing a flow sequence")) {
      return error(source, opened, "the [ on this line is never closed (or an item in it lacks a comma)");
    }
    if (context.startsWith("while parsing a flow mapping")) {
      return error(source, opened, "the { on this line is never closed (or an entry in it lacks a comma)");
    }
    if (problem.startsWith("expected <block end>") || context.startsWith("while parsing a block")) {
      String collection = context.contains("mapping") ? "mapping" : "list";
      return error(source, at, "bad indentation: this line does not line up with the " + collection + " it belongs to (from line " + opened + ")");
    }
    if (problem.startsWith("mapping values are not allowed")) {
      return error(source, at, "a ':' where no mapping can start: check the indentation, or quote a value that contains \": \"");
    }
    if (context.startsWith("while scanning a simple key")) {
      return error(source, opened, "a line that is neither \"key: value\" nor a list item \"- …\" (a ':' missing?)");
    }
    Matcher character = FOUND_CHARACTER.matcher(problem);
    if (character.matches()) {
      return error(source, at, "a value cannot start with " + excerpt(character.group(1)) + " here: quote it");
    }
    if (context.startsWith("while scanning an anchor") || context.startsWith("while scanning an alias")) {
      return error(source, at, "an invalid anchor or alias name");
    }
    return error(source, at, "not valid YAML: " + oneLine(problem));
  }

  /** The line of every node (by JSON pointer), and no aliases. */
  private static Map<String, Integer> lines(String source, byte[] yaml) throws VerifierException {
    Map<String, Integer> out = new HashMap<>();
    try (JsonParser p = YAML.getFactory().createParser(yaml)) {
      for (JsonToken t; (t = p.nextToken()) != null; ) {
        if (p instanceof YAMLParser y && y.isCurrentAlias()) {
          throw error(source, p.currentTokenLocation().getLineNr(),
              "an alias (" + excerpt("*" + p.getText()) + "): policy files take no anchors and aliases; write the value out");
        }
        if (t == JsonToken.FIELD_NAME) {
          continue;
        }
        String pointer = p.getParsingContext().pathAsPointer().toString();
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          // for a container the pointer names the container itself once its parent moved to it
          pointer = p.getParsingContext().getParent() == null ? "" : p.getParsingContext().getParent().pathAsPointer().toString();
        }
        out.putIfAbsent(pointer, p.currentLocation().getLineNr());
      }
    } catch (IOException e) {
      // already parsed once; lines are only for messages
    }
    return out;
  }

  private static String oneLine(String message) {
    String one = String.join("; ", message.strip().split("\\s*\\R\\s*"));
    return one.length() > 120 ? one.substring(0, 119) + "…" : one;
  }
}
