package io.jscan.sbom.model;

/**
 * An edge between two packages of one catalog, by {@link Package#id()}.
 *
 * @param from for {@link Type#DEPENDS_ON} the dependent package; for {@link Type#CONTAINS} the archive
 */
public record Relationship(String from, String to, Type type) implements Comparable<Relationship> {
  public enum Type {
    /** {@code from} needs {@code to} (a dpkg Depends, an apk D:, a Go module requirement). */
    DEPENDS_ON,
    /** {@code from} (an archive) carries {@code to} inside it (a jar nested in a jar). */
    CONTAINS
  }

  public Relationship {
    if (from == null || to == null || from.equals(to)) {
      throw new IllegalArgumentException("invalid relationship " + from + " -> " + to);
    }
    if (type == null) {
      throw new IllegalArgumentException("relationship without a type");
    }
  }

  @Override
  public int compareTo(Relationship o) {
    int c = from.compareTo(o.from);
    if (c == 0) {
      c = to.compareTo(o.to);
    }
    return c != 0 ? c : type.compareTo(o.type);
  }
}
