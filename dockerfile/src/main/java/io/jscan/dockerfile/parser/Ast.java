package io.jscan.dockerfile.parser;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A parsed Dockerfile syntax tree (BuildKit's {@code parser.Result}).
 *
 * @param file the file name as the user gave it
 * @param directives the parser directives ({@code syntax}, {@code escape}, {@code check}) in file
 *     order, names in lower case
 * @param escapeToken the escape character in effect at the end of the directives
 * @param nodes the instructions in file order (never empty)
 * @param warnings what BuildKit would warn about
 */
public record Ast(String file, Map<String, String> directives, char escapeToken, List<Node> nodes, List<ParseWarning> warnings) {
  public Ast {
    Objects.requireNonNull(file, "file");
    directives = Collections.unmodifiableMap(new LinkedHashMap<>(directives));
    if (escapeToken != '\\' && escapeToken != '`') {
      throw new IllegalArgumentException("escape token must be \\ or `");
    }
    nodes = List.copyOf(nodes);
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("a Dockerfile syntax tree has at least one instruction");
    }
    warnings = List.copyOf(warnings);
  }

  /**
   * The tree in BuildKit's dump format: one {@code (instruction ...)} per line, without a trailing
   * newline (BuildKit's tests compare {@code dump + "\n"} with their {@code result} files).
   */
  public String dump() {
    return nodes.stream().map(n -> "(" + n.dump() + ")").collect(Collectors.joining("\n"));
  }
}
