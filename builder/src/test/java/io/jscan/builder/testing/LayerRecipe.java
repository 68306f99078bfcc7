package io.jscan.builder.testing;

import io.jscan.core.image.Layer;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.MediaTypes.Compression;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Recipe for a layer: entries written with commons-compress (not jscan's writer). */
public final class LayerRecipe {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

  public LayerRecipe() {
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
  }

  public LayerRecipe dir(String name, int mode) throws Exception {
    TarArchiveEntry e = new TarArchiveEntry(name + "/", TarConstants.LF_DIR);
    e.setMode(040000 | mode);
    e.setModTime(FileTime.from(Instant.ofEpochSecond(1_600_000_000L)));
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
    return this;
  }

  public LayerRecipe file(String name, int mode, String content) throws Exception {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setMode(0100000 | mode);
    e.setSize(b.length);
    e.setModTime(FileTime.from(Instant.ofEpochSecond(1_600_000_000L)));
    tar.putArchiveEntry(e);
    tar.write(b);
    tar.closeArchiveEntry();
    return this;
  }

  public LayerRecipe link(String name, String target, byte type) throws Exception {
    TarArchiveEntry e = new TarArchiveEntry(name, type);
    e.setLinkName(target);
    e.setModTime(FileTime.from(Instant.ofEpochSecond(1_600_000_000L)));
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
    return this;
  }

  public Layer layer() throws Exception {
    tar.finish();
    return Layers.compress(bytes.toByteArray(), Compression.GZIP);
  }
}
