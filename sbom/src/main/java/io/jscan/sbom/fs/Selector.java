package io.jscan.sbom.fs;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The files one cataloger reads, declared up front so that an image's merged file system is read
 * once and keeps only what is wanted (content of matching files; for {@link #versioned} files also
 * their older copies in lower layers).
 *
 * <p>Selectors are compared by identity: declare them as constants.
 */
public final class Selector {
  private final String name;
  private final Predicate<FileMeta> matches;
  private final Optional<byte[]> marker;
  private final int markerAlignment;
  private final boolean versioned;

  private Selector(String name, Predicate<FileMeta> matches, Optional<byte[]> marker, int markerAlignment, boolean versioned) {
    this.name = Objects.requireNonNull(name);
    this.matches = Objects.requireNonNull(matches);
    this.marker = marker.map(byte[]::clone);
    if (markerAlignment < 1) {
      throw new IllegalArgumentException("marker alignment must be positive");
    }
    this.markerAlignment = markerAlignment;
    this.versioned = versioned;
  }

  /** Regular files matching {@code matches} (by path and metadata). */
  public static Selector files(String name, Predicate<FileMeta> matches) {
    return new Selector(name, f -> f.isRegular() && matches.test(f), Optional.empty(), 1, false);
  }

  /**
   * Package databases: like {@link #files}, and the tree also keeps the copies lower layers wrote,
   * so catalogers can tell which layer introduced each package ({@link FileTree#history}).
   */
  public static Selector databases(String name, Predicate<FileMeta> matches) {
    return new Selector(name, f -> f.isRegular() && matches.test(f), Optional.empty(), 1, true);
  }

  /**
   * Regular files matching {@code matches} whose content holds {@code marker} at an offset that
   * is a multiple of {@code alignment} (the Go build info magic in executables).
   */
  public static Selector containing(String name, Predicate<FileMeta> matches, byte[] marker, int alignment) {
    if (marker.length == 0) {
      throw new IllegalArgumentException("empty marker");
    }
    return new Selector(name, f -> f.isRegular() && matches.test(f), Optional.of(marker), alignment, false);
  }

  public String name() {
    return name;
  }

  public boolean matches(FileMeta file) {
    return matches.test(file);
  }

  public Optional<byte[]> marker() {
    return marker.map(byte[]::clone);
  }

  public int markerAlignment() {
    return markerAlignment;
  }

  public boolean versioned() {
    return versioned;
  }

  /** Whether {@code content} holds the marker at an aligned offset. */
  public boolean markerIn(byte[] content, int length) {
    if (marker.isEmpty()) {
      return true;
    }
    return MarkerScanner.indexOf(content, length, marker.get(), markerAlignment) >= 0;
  }

  @Override
  public String toString() {
    return "Selector[" + name + (marker.isPresent() ? ", marker " + Arrays.toString(marker.get()) : "") + "]";
  }
}
