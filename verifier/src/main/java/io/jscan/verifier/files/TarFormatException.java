package io.jscan.verifier.files;

import java.io.IOException;

/** The tar stream itself is malformed (bad checksum, truncated entry, bad number field...). */
public final class TarFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long offset;

  public TarFormatException(long offset, String detail) {
    super(detail + " (at byte " + offset + " of the uncompressed layer)");
    this.offset = offset;
  }

  /** Where in the uncompressed stream the problem was found. */
  public long offset() {
    return offset;
  }
}
