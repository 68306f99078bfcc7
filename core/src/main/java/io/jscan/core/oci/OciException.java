package io.jscan.core.oci;

import io.jscan.core.FailureKind;
import io.jscan.core.JscanException;
import io.jscan.core.io.ContentMismatchException;
import io.jscan.core.tar.TarFormatException;

/**
 * The checked exception of the OCI core: parsing documents, reading and writing images through a
 * source or sink. {@link FailureKind#INTEGRITY} marks content that does not match its descriptor.
 */
public class OciException extends JscanException {
  private static final long serialVersionUID = 1L;

  public OciException(FailureKind kind, String what, String detail) {
    super(kind, what, detail);
  }

  public OciException(FailureKind kind, String what, String detail, Throwable cause) {
    super(kind, what, detail, cause);
  }

  public static OciException badInput(String what, String detail) {
    return new OciException(FailureKind.BAD_INPUT, what, detail);
  }

  public static OciException integrity(String what, String detail) {
    return new OciException(FailureKind.INTEGRITY, what, detail);
  }

  public static OciException io(String what, java.io.IOException cause) {
    return new OciException(FailureKind.UNEXPECTED, what, String.valueOf(cause.getMessage()), cause);
  }

  /**
   * Classifies an I/O failure met while reading content: a {@link ContentMismatchException}
   * anywhere in the cause chain (a decompressor or tar reader may wrap it), or suppressed by it
   * (a tar that failed to parse, then failed its digest when its stream was closed), is an
   * integrity failure naming the content; so is a malformed tar ({@link TarFormatException}); a
   * missing file is bad input; anything else is unexpected.
   */
  public static OciException reading(String what, java.io.IOException cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ContentMismatchException mismatch) {
        return new OciException(FailureKind.INTEGRITY, mismatch.what(), mismatch.detail(), cause);
      }
      for (Throwable s : t.getSuppressed()) {
        if (s instanceof ContentMismatchException mismatch) {
          return new OciException(FailureKind.INTEGRITY, mismatch.what(), mismatch.detail(), cause);
        }
      }
    }
    if (cause instanceof TarFormatException malformed) {
      return new OciException(FailureKind.INTEGRITY, what, "malformed tar: " + malformed.getMessage(), cause);
    }
    if (cause instanceof java.nio.file.NoSuchFileException missing) {
      return new OciException(FailureKind.BAD_INPUT, what, "no such file " + missing.getFile(), cause);
    }
    return io(what, cause);
  }
}
