package io.jscan.sbom.cataloger;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Licenses named in a Debian {@code usr/share/doc/PKG/copyright} file: the {@code License:}
 * fields of the machine-readable format (DEP-5, copyright-format 1.0), split at {@code or},
 * {@code and} and commas, plus references to {@code /usr/share/common-licenses/NAME} that older
 * free-form files use.
 */
final class DebianCopyright {
  private DebianCopyright() {}

  private static final String FIELD = "License:";
  /** The rest of a {@code License:} line, matched where {@link #FIELD} starts a line. */
  private static final Pattern LICENSE_VALUE = Pattern.compile("(?m)License:[ \\t]*(\\S[^\\n]*)$");
  private static final Pattern COMMON_LICENSES = Pattern.compile("/usr/share/common-licenses/([A-Za-z0-9][A-Za-z0-9._+-]*)");
  private static final Pattern SEPARATORS = Pattern.compile("(?i)\\s+(?:or|and)\\s+|\\s*,\\s*");
  private static final Pattern TRAILING_DOTS = Pattern.compile("[.]+$");

  static List<String> licenses(String text) {
    Set<String> found = new LinkedHashSet<>();
    // A multi-line "^License:" regex tries its anchor at every character of the file, which is
    // most of the cost of cataloguing a Debian image before the JIT has compiled it; indexOf
    // finds the candidates, and the regex only checks what follows one at a line start.
    Matcher m = LICENSE_VALUE.matcher(text);
    for (int at = text.indexOf(FIELD); at >= 0; ) {
      if (!startsLine(text, at)) {
        at = text.indexOf(FIELD, at + 1);
        continue;
      }
      m.region(at, text.length());
      if (!m.lookingAt()) {
        at = text.indexOf(FIELD, at + 1);
        continue;
      }
      // matches do not overlap: the value runs to the next \n, past any other line terminator
      at = text.indexOf(FIELD, m.end());
      for (String part : SEPARATORS.split(m.group(1).strip())) {
        String name = part.strip();
        if (!name.isEmpty()) {
          found.add(name);
        }
      }
    }
    // a literal prefix: java.util.regex already searches for it with Boyer-Moore
    Matcher c = COMMON_LICENSES.matcher(text);
    while (c.find()) {
      String name = TRAILING_DOTS.matcher(c.group(1)).replaceFirst("");
      if (!name.isEmpty()) {
        found.add(name);
      }
    }
    return new ArrayList<>(found);
  }

  /** Where a multi-line {@code ^} matches: the start, or after a line terminator (java.util.regex's set). */
  private static boolean startsLine(String text, int at) {
    if (at == 0) {
      return true;
    }
    char before = text.charAt(at - 1);
    return before == '\n' || before == '\r' || before == '\u0085' || before == '\u2028' || before == '\u2029';
  }
}
