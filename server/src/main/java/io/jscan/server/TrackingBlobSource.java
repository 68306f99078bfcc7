package io.jscan.server;

import io.jscan.core.FailureKind;
import io.jscan.core.image.BlobSource;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.registry.RegistryClient.FetchedManifest;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A registry's blobs, remembering whether the registry itself failed while an image was read.
 *
 * <p>The verifier reports a blob it cannot open as an integrity finding, which is right for a file
 * on disk but not for a registry that is down: that says nothing about the image, must not be
 * cached as its verdict (the digest is immutable, the outage is not), and is what a policy's
 * failure mode is for. So the server reads through this source and, when it saw a failure that is
 * not about content (anything but {@link FailureKind#INTEGRITY}), treats the whole verification as
 * "could not verify" whatever the walk concluded. Content that does not match its digest is still
 * caught by the verifying stream {@link BlobSource#open} wraps around this one.
 */
final class TrackingBlobSource implements BlobSource {
  private final BlobSource registry;
  private final FetchedManifest top;
  private final AtomicReference<String> failure = new AtomicReference<>();

  TrackingBlobSource(BlobSource registry, FetchedManifest top) {
    this.registry = registry;
    this.top = top;
  }

  /** The first registry failure seen, if any. */
  Optional<String> failure() {
    return Optional.ofNullable(failure.get());
  }

  void noteFailure(String message) {
    failure.compareAndSet(null, message);
  }

  @Override
  public InputStream openUnverified(Descriptor descriptor) throws OciException {
    if (descriptor.digest().equals(top.descriptor().digest())) {
      return new ByteArrayInputStream(top.bytes()); // fetched (and checked) already
    }
    InputStream in;
    try {
      in = registry.openUnverified(descriptor);
    } catch (OciException e) {
      if (e.kind() != FailureKind.INTEGRITY) {
        noteFailure(e.getMessage());
      }
      throw e;
    }
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        try {
          return super.read();
        } catch (IOException e) {
          noteFailure(describe(descriptor, e));
          throw e;
        }
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          return super.read(b, off, len);
        } catch (IOException e) {
          noteFailure(describe(descriptor, e));
          throw e;
        }
      }
    };
  }

  private static String describe(Descriptor d, IOException e) {
    return "reading blob " + d.digest() + ": " + e.getMessage();
  }
}
