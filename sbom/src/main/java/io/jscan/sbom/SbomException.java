package io.jscan.sbom;

import io.jscan.core.FailureKind;
import io.jscan.core.JscanException;

/**
 * The one checked exception of the SBOM subsystem: the image or directory could not be catalogued
 * at all, or an SBOM could not be written. A corrupt package database is not an exception: it is a
 * {@link io.jscan.sbom.model.CatalogWarning} in the result, and the other packages are kept.
 */
public final class SbomException extends JscanException {
  private static final long serialVersionUID = 1L;

  public SbomException(FailureKind kind, String what, String detail) {
    super(kind, what, detail);
  }

  public SbomException(FailureKind kind, String what, String detail, Throwable cause) {
    super(kind, what, detail, cause);
  }

  public static SbomException badInput(String what, String detail) {
    return new SbomException(FailureKind.BAD_INPUT, what, detail);
  }

  /**
   * An I/O failure while doing {@code what}; corrupt content (classified by {@link
   * io.jscan.core.oci.OciException#reading}: a digest, compression or tar that does not hold up) is
   * an integrity failure naming it, never "null" and exit 1.
   */
  public static SbomException io(String what, java.io.IOException cause) {
    io.jscan.core.oci.OciException classified = io.jscan.core.oci.OciException.reading(what, cause);
    if (classified.kind() == FailureKind.INTEGRITY) {
      return new SbomException(FailureKind.INTEGRITY, what, classified.getMessage(), cause);
    }
    String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new SbomException(FailureKind.UNEXPECTED, what, detail, cause);
  }
}
