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

  private static final Pattern LICENSE_FIELD = Pattern.compile("(?m)^License:[ \\t]*(\\S[^\\n]*)$");
  private static final Pattern COMMON_LICENSES = Pattern.compile("/usr/share/common-licenses/([A-Za-z0-9][A-Za-z0-9._+-]*)");
  private static final Pattern SEPARATORS = Pattern.compile("(?i)\\s+(?:or|and)\\s+|\\s*,\\s*");

  static List<String> licenses(String text) {
    Set<String> found = new LinkedHashSet<>();
    Matcher m = LICENSE_FIELD.matcher(text);
    while (m.find()) {
      for (String part : SEPARATORS.split(m.group(1).strip())) {
        String name = part.strip();
        if (!name.isEmpty()) {
          found.add(name);
        }
      }
    }
    Matcher c = COMMON_LICENSES.matcher(text);
    while (c.find()) {
      String name = c.group(1).replaceAll("[.]+$", "");
      if (!name.isEmpty()) {
        found.add(name);
      }
    }
    return new ArrayList<>(found);
  }
}
