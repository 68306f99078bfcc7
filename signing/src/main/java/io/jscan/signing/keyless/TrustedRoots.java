package io.jscan.signing.keyless;

import dev.sigstore.trustroot.SigstoreConfigurationException;
import dev.sigstore.tuf.FileSystemTufStore;
import dev.sigstore.tuf.RootProvider;
import dev.sigstore.tuf.SigstoreTufClient;
import io.jscan.core.io.InputLimit;
import io.jscan.signing.SigningException;
import io.jscan.signing.bundle.TrustedRoot;
import io.jscan.signing.key.KeyFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Sigstore trusted root through TUF (Sigstore Java's TUF client): the public-good instance's by
 * default, or a private deployment's mirror with its initial {@code root.json}. The TUF metadata
 * is verified by Sigstore Java; the {@code trusted_root.json} target it fetched is then read like
 * a {@code --trusted-root} file.
 *
 * <p>This needs network access to the TUF repository. Without it the failure says so in one line
 * and suggests {@code --trusted-root}; the build machines have no network, so this path is tested
 * only up to that boundary.
 */
public final class TrustedRoots {
  static final String TARGET = "trusted_root.json";

  private TrustedRoots() {}

  /** The trusted root from TUF, cached under {@code cache}. */
  public static TrustedRoot fromTuf(Optional<URI> mirror, Optional<Path> initialRoot, Path cache) throws SigningException {
    if (mirror.isPresent() != initialRoot.isPresent()) {
      throw SigningException.badInput("TUF", "a TUF mirror needs its initial root.json, and the other way round");
    }
    try {
      SigstoreTufClient.Builder b = SigstoreTufClient.builder().tufCacheLocation(cache);
      if (mirror.isPresent()) {
        b.tufMirror(mirror.get(), initialRoot(initialRoot.get()));
      } else {
        b.usePublicGoodInstance();
      }
      b.build().update();
      byte[] json = FileSystemTufStore.newFileSystemStore(cache).readTarget(TARGET);
      return TrustedRoot.parse(json, cache.resolve(TARGET));
    } catch (SigstoreConfigurationException | IOException | RuntimeException e) {
      String where = mirror.map(URI::toString).orElse("Sigstore's public-good TUF repository");
      throw SigningException.unexpected("getting the Sigstore trusted root",
          "cannot update it from " + where + " (" + oneLine(e) + "); give --trusted-root FILE to verify offline", e);
    }
  }

  /**
   * A TUF mirror's initial {@code root.json}, read now through {@link KeyFiles#read} (a regular
   * file of at most {@link InputLimit#TRUSTED_ROOT}) rather than by Sigstore Java, which reads a
   * file whole whatever it is.
   */
  static RootProvider initialRoot(Path file) throws SigningException {
    String json = new String(KeyFiles.read(file, InputLimit.TRUSTED_ROOT, "the TUF root"), StandardCharsets.UTF_8);
    return () -> json;
  }

  private static String oneLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null) {
        m = m + ": " + c.getMessage();
      }
    }
    return m.lines().findFirst().orElse("");
  }
}
