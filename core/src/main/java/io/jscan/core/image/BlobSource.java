package io.jscan.core.image;

import io.jscan.core.io.ContentMismatchException;
import io.jscan.core.io.VerifyingInputStream;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.OciException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Where a transport keeps content-addressed blobs (an OCI layout's {@code blobs/}, a registry's
 * {@code /v2/<name>/blobs/}, a docker-archive's members). Generic {@link Image}, {@link ImageIndex}
 * and {@link Layer} implementations are built on it, so a transport only says how to open a blob;
 * {@link #open} adds the verification, so no transport can forget it.
 */
public interface BlobSource {

  /**
   * The raw bytes of the blob {@code descriptor} names, unverified. Only {@link #open} calls this.
   *
   * @throws OciException {@link io.jscan.core.FailureKind#BAD_INPUT} when the blob is missing
   */
  InputStream openUnverified(Descriptor descriptor) throws OciException;

  /**
   * Opens the blob, verified against the descriptor's size and digest as it is read.
   *
   * @param what names the blob in error messages, e.g. {@code "layer 2"} or {@code "config"}
   */
  default VerifyingInputStream open(Descriptor descriptor, String what) throws OciException {
    InputStream raw = openUnverified(descriptor);
    try {
      return VerifyingInputStream.of(raw, what + " " + descriptor.digest(), descriptor.digest(), descriptor.size());
    } catch (ContentMismatchException e) {
      try {
        raw.close();
      } catch (IOException ignored) {
        // already failing
      }
      throw OciException.integrity(e.what(), e.detail());
    }
  }
}
