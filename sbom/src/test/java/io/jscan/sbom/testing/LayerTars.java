package io.jscan.sbom.testing;

import io.jscan.core.image.Image;
import io.jscan.core.image.ImageBuilder;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Recipe for layer tars with explicit modes (core's TarBuilder writes every file 0644; catalogers
 * of executables need 0755), and for images made of them.
 */
public final class LayerTars {
  private record Item(String name, byte type, int mode, byte[] content, String link) {}

  private final List<Item> items = new ArrayList<>();

  public static LayerTars layer() {
    return new LayerTars();
  }

  public LayerTars file(String name, String content) {
    return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
  }

  public LayerTars file(String name, byte[] content, int mode) {
    items.add(new Item(name, TarConstants.LF_NORMAL, mode, content.clone(), null));
    return this;
  }

  public LayerTars symlink(String name, String target) {
    items.add(new Item(name, TarConstants.LF_SYMLINK, 0777, new byte[0], target));
    return this;
  }

  public LayerTars whiteout(String path) {
    int slash = path.lastIndexOf('/');
    return file(path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1), "");
  }

  public byte[] build() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Item item : items) {
        TarArchiveEntry e = new TarArchiveEntry(item.name(), item.type());
        e.setMode((item.type() == TarConstants.LF_SYMLINK ? 0120000 : 0100000) | item.mode());
        e.setIds(0, 0);
        e.setModTime(FileTime.from(Instant.EPOCH));
        if (item.link() != null) {
          e.setLinkName(item.link());
        }
        e.setSize(item.type() == TarConstants.LF_NORMAL ? item.content().length : 0);
        tar.putArchiveEntry(e);
        if (item.type() == TarConstants.LF_NORMAL) {
          tar.write(item.content());
        }
        tar.closeArchiveEntry();
      }
      tar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** An image of {@code layers} (gzip), created at {@code created}. */
  public static Image image(Instant created, LayerTars... layers) throws OciException {
    ImageBuilder b = ImageBuilder.fromScratch(Platform.LINUX_AMD64).created(created);
    for (int i = 0; i < layers.length; i++) {
      b.addLayer(
          Layers.compress(layers[i].build(), Compression.GZIP),
          new History(Optional.of(created), Optional.of("layer " + i), Optional.empty(), Optional.empty(), false));
    }
    return b.build();
  }
}
