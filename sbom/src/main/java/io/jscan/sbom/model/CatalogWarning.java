package io.jscan.sbom.model;

/**
 * Something a cataloger could not read, reported instead of failing: a corrupt package database,
 * a jar that is not a zip, a Go binary with damaged build info.
 *
 * @param path the file, absolute ({@code /var/lib/dpkg/status}), with {@code !member} for archive members
 * @param message what was wrong and what was kept ("record 3 at line 41 has no Package field; skipped")
 */
public record CatalogWarning(String path, String message) implements Comparable<CatalogWarning> {
  public CatalogWarning {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException("warning without a path");
    }
    if (message == null || message.isEmpty()) {
      throw new IllegalArgumentException("warning without a message for " + path);
    }
  }

  @Override
  public String toString() {
    return path + ": " + message;
  }

  @Override
  public int compareTo(CatalogWarning o) {
    int c = path.compareTo(o.path);
    return c != 0 ? c : message.compareTo(o.message);
  }
}
