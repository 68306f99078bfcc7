package io.jscan.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Recipe for small tar fixtures (layers, archives) built from explicit values: mode, owner 0:0,
 * mtime 0, so the bytes are the same on every machine. Binary fixtures are made this way instead
 * of being committed.
 */
public final class TarBuilder {
  private record Item(String name, byte type, int mode, byte[] content, String link) {}

  private final List<Item> items = new ArrayList<>();

  public static TarBuilder tar() {
    return new TarBuilder();
  }

  public TarBuilder dir(String name) {
    items.add(new Item(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, 0755, new byte[0], null));
    return this;
  }

  public TarBuilder file(String name, String content) {
    return file(name, content.getBytes(StandardCharsets.UTF_8));
  }

  public TarBuilder file(String name, byte[] content) {
    items.add(new Item(name, TarConstants.LF_NORMAL, 0644, content.clone(), null));
    return this;
  }

  public TarBuilder symlink(String name, String target) {
    items.add(new Item(name, TarConstants.LF_SYMLINK, 0777, new byte[0], target));
    return this;
  }

  public TarBuilder hardlink(String name, String target) {
    items.add(new Item(name, TarConstants.LF_LINK, 0644, new byte[0], target));
    return this;
  }

  /** A whiteout of {@code path} (image-spec layer.md): an empty file {@code dir/.wh.name}. */
  public TarBuilder whiteout(String path) {
    int slash = path.lastIndexOf('/');
    String dir = slash < 0 ? "" : path.substring(0, slash + 1);
    return file(dir + ".wh." + path.substring(slash + 1), "");
  }

  /** An opaque marker in {@code dir}: {@code dir/.wh..wh..opq}. */
  public TarBuilder opaque(String dir) {
    return file((dir.isEmpty() ? "" : dir + "/") + ".wh..wh..opq", "");
  }

  public byte[] build() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Item item : items) {
        TarArchiveEntry e = new TarArchiveEntry(item.name(), item.type());
        e.setMode((item.type() == TarConstants.LF_DIR ? 040000 : item.type() == TarConstants.LF_SYMLINK ? 0120000 : 0100000) | item.mode());
        e.setIds(0, 0);
        e.setUserName("");
        e.setGroupName("");
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
}
