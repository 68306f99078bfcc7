package io.jscan.builder.layer;

import io.jscan.builder.fs.PathNames;
import io.jscan.core.fs.DrainingTarInputStream;
import io.jscan.core.image.Layer;
import io.jscan.core.oci.OciException;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Reads the content of chosen regular files of one layer in a single pass. */
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
    try (InputStream in = layer.openUncompressed();
        TarArchiveInputStream tar = new DrainingTarInputStream(new BufferedInputStream(in, 65536))) {
      for (TarArchiveEntry h; (h = tar.getNextEntry()) != null && !missing.isEmpty(); ) {
        String path = PathNames.cleanInside(h.getName());
        if (path != null && isRegularFile(h) && missing.remove(path)) {
          receiver.accept(path, new FilterInputStream(tar) {
            @Override
            public void close() {}
          });
        }
      }
    } catch (IOException e) {
      throw OciException.reading(what, e);
    }
    return missing;
  }

  /** A regular file header (commons-compress's isFile() also says yes to links). */
  static boolean isRegularFile(TarArchiveEntry h) {
    return !h.isDirectory() && !h.isSymbolicLink() && !h.isLink() && !h.isCharacterDevice() && !h.isBlockDevice()
        && !h.isFIFO() && !h.isGlobalPaxHeader() && !h.isPaxHeader();
  }
}
