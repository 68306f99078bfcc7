package io.jscan.sbom.cataloger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The paragraphs of a Debian control-format file (deb822(5)): dpkg's {@code status}, a
 * {@code status.d/} file, opkg's status. Blank lines separate paragraphs, {@code Field: value}
 * starts a field, lines starting with a space or tab continue it.
 *
 * <p>Damage is reported, not thrown: a line that is neither a field nor a continuation marks its
 * paragraph {@linkplain Paragraph#problem() broken}, and so does a last paragraph that the file
 * cuts off (no final newline, and no {@code Version} or {@code Description}), as a truncated copy
 * does.
 */
final class ControlParagraphs {
  private ControlParagraphs() {}

  /**
   * One paragraph.
   *
   * @param fields field name to raw value; continuation lines kept, joined with {@code \n}
   * @param line the 1-based line the paragraph starts on
   * @param problem why the paragraph cannot be trusted, if it cannot
   */
  record Paragraph(Map<String, String> fields, int line, Optional<String> problem) {
    Optional<String> get(String field) {
      String v = fields.get(field);
      return v == null || v.strip().isEmpty() ? Optional.empty() : Optional.of(v.strip());
    }

    /** The value with continuation lines joined by spaces (for relationship fields). */
    Optional<String> folded(String field) {
      return get(field).map(v -> String.join(" ", v.lines().map(String::strip).filter(s -> !s.isEmpty()).toList()));
    }
  }

  static List<Paragraph> parse(String text) {
    List<Paragraph> result = new ArrayList<>();
    Map<String, String> fields = new LinkedHashMap<>();
    String current = null;
    int start = 0;
    String problem = null;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.strip().isEmpty()) {
        if (!fields.isEmpty() || problem != null) {
          result.add(new Paragraph(fields, start, Optional.ofNullable(problem)));
        }
        fields = new LinkedHashMap<>();
        current = null;
        problem = null;
        continue;
      }
      if (fields.isEmpty() && problem == null) {
        start = i + 1;
      }
      if (line.indexOf('\0') >= 0) {
        problem = problem != null ? problem : "line " + (i + 1) + " holds binary data";
        continue;
      }
      if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        if (current == null) {
          problem = problem != null ? problem : "line " + (i + 1) + " continues no field";
        } else {
          fields.put(current, fields.get(current) + "\n" + line);
        }
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || line.substring(0, colon).contains(" ")) {
        problem = problem != null ? problem : "line " + (i + 1) + " is not a field: \"" + abbreviate(line) + "\"";
        current = null;
        continue;
      }
      current = line.substring(0, colon);
      fields.put(current, line.substring(colon + 1).strip());
    }
    if (!fields.isEmpty() || problem != null) {
      boolean endsMidLine = !text.endsWith("\n");
      // dpkg ends every paragraph with a newline and writes Version before Description, so a
      // last paragraph without a final newline that lacks either was cut off
      if (problem == null && endsMidLine && fields.containsKey("Package")
          && (!fields.containsKey("Version") || !fields.containsKey("Description"))) {
        problem = "the file ends inside this paragraph (truncated)";
      }
      result.add(new Paragraph(fields, start, Optional.ofNullable(problem)));
    }
    return result;
  }

  static String abbreviate(String s) {
    String t = s.replaceAll("\\p{Cntrl}", "?");
    return t.length() > 40 ? t.substring(0, 40) + "…" : t;
  }
}
