package io.jscan.core.tar;

import java.io.IOException;

/**
 * A tar stream that Go's {@code archive/tar} (the reader containerd, Docker and podman extract
 * layers with) would refuse, or that jscan refuses on purpose because readers disagree about it:
 * a bad header checksum, content cut short, a malformed number or PAX record, an inconsistent
 * sparse map. Whoever reads content with it treats it as an integrity failure of that content.
 */
public final class TarFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long offset;
  private final String detail;

  public TarFormatException(long offset, String detail) {
    super(detail + " (at byte " + offset + " of the tar stream)");
    this.offset = offset;
    this.detail = detail;
  }

  /** Where in the (uncompressed) tar stream the problem was found. */
  public long offset() {
    return offset;
  }

  /** What is wrong, without the offset. */
  public String detail() {
    return detail;
  }
}
