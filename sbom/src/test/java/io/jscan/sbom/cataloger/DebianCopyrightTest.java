package io.jscan.sbom.cataloger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DebianCopyrightTest {
  @Test
  void licenses_machineReadableFile_splitsEachLicenseField() {
    String text = """
        Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
        Upstream-Name: demo

        Files: *
        Copyright: 2020 Someone
        License: GPL-2+ or Artistic
         This is the license text. License: not-a-field

        Files: debian/*
        License: BSD-3-Clause, MIT and Zlib
        """;
    assertEquals(List.of("GPL-2+", "Artistic", "BSD-3-Clause", "MIT", "Zlib"), DebianCopyright.licenses(text));
  }

  @Test
  void licenses_freeFormFile_namesCommonLicenseReferences() {
    String text = "On Debian systems, see /usr/share/common-licenses/GPL-2.\r\n"
        + "and also /usr/share/common-licenses/Apache-2.0 for the rest; /usr/share/common-licenses/ alone is no name\r\n"
        + "License:   LGPL-2.1\r\n";
    assertEquals(List.of("LGPL-2.1", "GPL-2", "Apache-2.0"), DebianCopyright.licenses(text));
  }

  @Test
  void licenses_fieldCountsOnlyAtLineStarts() {
    assertEquals(List.of("A", "B", "C"), DebianCopyright.licenses("License: A\nLicense: B\r\n\u2028License: C\nx License: D"));
    assertEquals(List.of(), DebianCopyright.licenses("License:\nLicense:   \n"));
  }

  /** The first implementation: one multi-line regex over the whole file. The scan must agree with it. */
  private static List<String> reference(String text) {
    Pattern field = Pattern.compile("(?m)^License:[ \\t]*(\\S[^\\n]*)$");
    Pattern common = Pattern.compile("/usr/share/common-licenses/([A-Za-z0-9][A-Za-z0-9._+-]*)");
    Pattern separators = Pattern.compile("(?i)\\s+(?:or|and)\\s+|\\s*,\\s*");
    Set<String> found = new LinkedHashSet<>();
    Matcher m = field.matcher(text);
    while (m.find()) {
      for (String part : separators.split(m.group(1).strip())) {
        if (!part.strip().isEmpty()) {
          found.add(part.strip());
        }
      }
    }
    Matcher c = common.matcher(text);
    while (c.find()) {
      String name = c.group(1).replaceAll("[.]+$", "");
      if (!name.isEmpty()) {
        found.add(name);
      }
    }
    return new ArrayList<>(found);
  }

  @Test
  void licenses_randomTexts_agreeWithTheWholeFileRegex() {
    String[] pieces = {
      "License:", "License: ", "\n", "\r\n", "\r", "\u0085", "\u2028", " ", "\t", "GPL-2+", " or ", " and ", ",", "MIT",
      "/usr/share/common-licenses/", "GPL-3", "...", "x", "License:\tBSD", "Apache-2.0 ", "OR"
    };
    Random random = new Random(20261128);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder s = new StringBuilder();
      for (int k = random.nextInt(12); k > 0; k--) {
        s.append(pieces[random.nextInt(pieces.length)]);
      }
      String text = s.toString();
      assertEquals(reference(text), DebianCopyright.licenses(text), () -> "for " + text.replace("\n", "\\n").replace("\r", "\\r"));
    }
  }
}
