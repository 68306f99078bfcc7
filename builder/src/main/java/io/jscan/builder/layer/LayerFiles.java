package io.jscan.builder.layer;

import io.jscan.builder.fs.PathNames;
import io.jscan.core.image.Layer;
import io.jscan.core.oci.OciException;
import io.jscan.core.tar.TarEntry;
import io.jscan.core.tar.TarReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** Reads the content of chosen regular files of one layer in a single pass (core's {@link TarReader}, as a runtime reads it). */
public final class LayerFiles {
  private LayerFiles() {}

  /** Receives each wanted file's content (a stream that must not be closed by the receiver). */
  @FunctionalInterface
  public interface Receiver {
    void accept(String path, InputStream content) throws IOException;
  }

  /**
   * Streams the layer once and hands {@code receiver} each regular file whose path is in {@code paths}.
   *
   * @return the wanted paths the layer did not hold as regular files
   */
  public static Set<String> read(Layer layer, Set<String> paths, String what, Receiver receiver) throws OciException {
    Set<String> missing = new HashSet<>(paths);
    try (InputStream in = layer.openUncompressed()) {
      TarReader tar = new TarReader(new BufferedInputStream(in, 65536));
      for (Optional<TarEntry> next; !missing.isEmpty() && (next = tar.next()).isPresent(); ) {
        TarEntry h = next.get();
        String path = PathNames.cleanInside(h.name());
        if (path != null && h.isRegularFile() && missing.remove(path)) {
          receiver.accept(path, tar.content());
        }
      }
    } catch (IOException e) {
      throw OciException.reading(what, e);
    }
    return missing;
  }
}
