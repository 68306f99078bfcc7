package io.jscan.sbom.cataloger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.sbom.model.License;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns declared license texts into SPDX ids and expressions where that is unambiguous.
 *
 * <p>The list of ids is the one CycloneDX 1.6 validates {@code license.id} against
 * ({@code spdx.schema.json}, shipped in cyclonedx-core-java), so an id jscan writes always
 * validates. Besides exact ids (any case) it knows the short names Debian copyright files and
 * package metadata commonly use ({@code GPL-2+}, {@code Expat}, {@code Apache License, Version
 * 2.0}); anything else stays a declared name without an SPDX form.
 */
public final class SpdxLicenses {
  private static final Map<String, String> IDS = loadIds();
  private static final Map<String, String> ALIASES = aliases();

  private SpdxLicenses() {}

  private static Map<String, String> loadIds() {
    try (InputStream in = SpdxLicenses.class.getClassLoader().getResourceAsStream("spdx.schema.json")) {
      if (in == null) {
        throw new IllegalStateException("spdx.schema.json (cyclonedx-core-java) is not on the class path");
      }
      JsonNode schema = new ObjectMapper().readTree(in);
      Map<String, String> ids = new HashMap<>();
      for (JsonNode id : schema.get("enum")) {
        ids.put(id.asText().toLowerCase(Locale.ROOT), id.asText());
      }
      return Map.copyOf(ids);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> aliases() {
    Map<String, String> a = new HashMap<>();
    // Debian copyright-format short names (DEP-5 "License short name" table) and their "+" forms
    for (String v : List.of("1", "2", "3")) {
      a.put("gpl-" + v, "GPL-" + v + ".0-only");
      a.put("gpl-" + v + "+", "GPL-" + v + ".0-or-later");
      a.put("gplv" + v, "GPL-" + v + ".0-only");
      a.put("gplv" + v + "+", "GPL-" + v + ".0-or-later");
      a.put("gpl" + v, "GPL-" + v + ".0-only");
      a.put("gpl" + v + "+", "GPL-" + v + ".0-or-later");
      a.put("agpl-" + v, "AGPL-" + v + ".0-only");
      a.put("agpl-" + v + "+", "AGPL-" + v + ".0-or-later");
    }
    for (String v : List.of("2", "2.1", "3")) {
      String id = v.equals("2.1") ? "2.1" : v + ".0";
      a.put("lgpl-" + v, "LGPL-" + id + "-only");
      a.put("lgpl-" + v + "+", "LGPL-" + id + "-or-later");
      a.put("lgplv" + v, "LGPL-" + id + "-only");
      a.put("lgplv" + v + "+", "LGPL-" + id + "-or-later");
    }
    // deprecated SPDX ids that say neither "only" nor "or later" mean "only" (SPDX license list)
    for (String id : List.of("GPL-1.0", "GPL-2.0", "GPL-3.0", "LGPL-2.0", "LGPL-2.1", "LGPL-3.0", "AGPL-1.0", "AGPL-3.0", "GFDL-1.1", "GFDL-1.2", "GFDL-1.3")) {
      a.put(id.toLowerCase(java.util.Locale.ROOT), id + "-only");
      a.put(id.toLowerCase(java.util.Locale.ROOT) + "+", id + "-or-later");
    }
    a.put("gfdl-1.2", "GFDL-1.2-only");
    a.put("gfdl-1.2+", "GFDL-1.2-or-later");
    a.put("gfdl-1.3", "GFDL-1.3-only");
    a.put("gfdl-1.3+", "GFDL-1.3-or-later");
    a.put("expat", "MIT");
    a.put("mit license", "MIT");
    a.put("the mit license", "MIT");
    a.put("mpl-2.0+", "MPL-2.0");
    a.put("apache-2", "Apache-2.0");
    a.put("apache 2", "Apache-2.0");
    a.put("apache 2.0", "Apache-2.0");
    a.put("apache2", "Apache-2.0");
    a.put("apache license 2.0", "Apache-2.0");
    a.put("apache license, version 2.0", "Apache-2.0");
    a.put("apache license version 2.0", "Apache-2.0");
    a.put("apache software license, version 2.0", "Apache-2.0");
    a.put("the apache software license, version 2.0", "Apache-2.0");
    a.put("the apache license, version 2.0", "Apache-2.0");
    a.put("apache software license", "Apache-2.0");
    a.put("bsd-3-clause license", "BSD-3-Clause");
    a.put("new bsd license", "BSD-3-Clause");
    a.put("bsd 3-clause", "BSD-3-Clause");
    a.put("bsd 2-clause", "BSD-2-Clause");
    a.put("psf", "PSF-2.0");
    a.put("python software foundation license", "PSF-2.0");
    a.put("isc license", "ISC");
    a.put("eclipse public license - v 1.0", "EPL-1.0");
    a.put("eclipse public license - v 2.0", "EPL-2.0");
    a.put("eclipse public license v2.0", "EPL-2.0");
    a.put("zlib license", "Zlib");
    return Map.copyOf(a);
  }

  /**
   * The SPDX id {@code name} stands for, if jscan knows it. Known short names come first, so
   * Debian's {@code LGPL-2.1} (a deprecated SPDX id) becomes the current {@code LGPL-2.1-only}.
   */
  public static Optional<String> id(String name) {
    String key = name.strip().toLowerCase(Locale.ROOT);
    String alias = ALIASES.get(key);
    if (alias != null) {
      return Optional.of(alias);
    }
    return Optional.ofNullable(IDS.get(key));
  }

  /** Whether {@code id} is on the SPDX license or exception list. */
  public static boolean isKnownId(String id) {
    return IDS.containsKey(id.toLowerCase(Locale.ROOT)) && IDS.get(id.toLowerCase(Locale.ROOT)).equals(id);
  }

  /**
   * {@code text} as a valid SPDX license expression (SPDX 2.3 Annex D), ids normalised; empty when
   * a term is unknown or the syntax is wrong.
   */
  public static Optional<String> expression(String text) {
    List<String> tokens = tokens(text);
    if (tokens.isEmpty()) {
      return Optional.empty();
    }
    List<String> out = new ArrayList<>();
    int depth = 0;
    boolean expectTerm = true;
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      String upper = t.toUpperCase(Locale.ROOT);
      if (t.equals("(")) {
        if (!expectTerm) {
          return Optional.empty();
        }
        depth++;
        out.add(t);
      } else if (t.equals(")")) {
        if (expectTerm || --depth < 0) {
          return Optional.empty();
        }
        out.add(t);
      } else if (upper.equals("AND") || upper.equals("OR")) {
        if (expectTerm) {
          return Optional.empty();
        }
        out.add(upper);
        expectTerm = true;
      } else if (upper.equals("WITH")) {
        if (expectTerm || i + 1 >= tokens.size()) {
          return Optional.empty();
        }
        String exception = tokens.get(++i);
        String canonical = IDS.get(exception.toLowerCase(Locale.ROOT));
        if (canonical == null) {
          return Optional.empty();
        }
        out.add("WITH");
        out.add(canonical);
      } else {
        if (!expectTerm) {
          return Optional.empty();
        }
        Optional<String> term = term(t);
        if (term.isEmpty()) {
          return Optional.empty();
        }
        out.add(term.get());
        expectTerm = false;
      }
    }
    if (expectTerm || depth != 0) {
      return Optional.empty();
    }
    return Optional.of(String.join(" ", out).replace("( ", "(").replace(" )", ")"));
  }

  private static Optional<String> term(String t) {
    if (t.startsWith("LicenseRef-") && t.length() > "LicenseRef-".length() && t.matches("LicenseRef-[A-Za-z0-9.-]+")) {
      return Optional.of(t);
    }
    String canonical = IDS.get(t.toLowerCase(Locale.ROOT));
    if (canonical != null) {
      return Optional.of(canonical);
    }
    if (t.endsWith("+")) {
      String base = IDS.get(t.substring(0, t.length() - 1).toLowerCase(Locale.ROOT));
      if (base != null) {
        return Optional.of(base + "+");
      }
    }
    return Optional.empty();
  }

  private static List<String> tokens(String text) {
    List<String> tokens = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (char c : text.strip().toCharArray()) {
      if (c == '(' || c == ')' || Character.isWhitespace(c)) {
        if (cur.length() > 0) {
          tokens.add(cur.toString());
          cur.setLength(0);
        }
        if (c != ' ' && !Character.isWhitespace(c)) {
          tokens.add(String.valueOf(c));
        }
      } else {
        cur.append(c);
      }
    }
    if (cur.length() > 0) {
      tokens.add(cur.toString());
    }
    return tokens;
  }

  /** A {@link License} for a declared text: an SPDX id or expression when it is (or names) one. */
  public static License license(String declared) {
    String text = declared.strip();
    Optional<String> spdx = id(text);
    if (spdx.isEmpty()) {
      spdx = expression(text);
    }
    return new License(text, spdx);
  }
}
