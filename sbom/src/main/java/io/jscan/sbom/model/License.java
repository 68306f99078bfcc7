package io.jscan.sbom.model;

import java.util.Optional;

/**
 * A license a package declares.
 *
 * @param declared the text as the package states it ({@code GPL-2+}, {@code Apache License, Version 2.0})
 * @param spdx the same as a valid SPDX license id or expression, when jscan can tell
 *     ({@code GPL-2.0-or-later}, {@code Apache-2.0}); this is what policies match
 */
public record License(String declared, Optional<String> spdx) implements Comparable<License> {
  public License {
    if (declared == null || declared.isBlank()) {
      throw new IllegalArgumentException("empty license");
    }
    declared = declared.strip();
  }

  /** Whether {@link #spdx()} is a single license id rather than an expression with operators. */
  public boolean isSingleSpdxId() {
    return spdx.filter(s -> !s.contains(" ") && !s.contains("(")).isPresent();
  }

  @Override
  public int compareTo(License o) {
    return declared.compareTo(o.declared);
  }
}
