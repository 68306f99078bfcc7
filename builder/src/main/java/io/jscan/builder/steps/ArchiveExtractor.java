package io.jscan.builder.steps;

import com.github.luben.zstd.ZstdInputStream;
import io.jscan.builder.BuildException;
import io.jscan.builder.context.ContextSnapshot.ContextFile;
import io.jscan.builder.fs.PathNames;
import io.jscan.builder.layer.ContentSource;
import io.jscan.builder.layer.LayerEntry;
import io.jscan.core.JscanException;
import io.jscan.core.fs.FsEntry;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.io.Compressions;
import io.jscan.dockerfile.SourceLocation;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import io.jscan.core.tar.TarEntry;
import io.jscan.core.tar.TarReader;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * ADD's automatic extraction of local tar archives: uncompressed, gzip, bzip2, xz or zstd,
 * recognised by content, never by name (Dockerfile reference, "Adding local tar archives"). A
 * file that is not a tar archive, or is compressed but holds no tar, is copied as it is. "A tar
 * archive" and its entries are what Docker and BuildKit see: the first header must be one Go's
 * archive/tar accepts, and the archive is read by core's {@link TarReader} (global PAX headers
 * ignored, GNU sparse files expanded, entry types Docker's extraction refuses refused).
 *
 * <p>Entries keep the mode and owner their headers state (explicit values; {@code --chown} and
 * {@code --chmod} still apply) and get SOURCE_DATE_EPOCH as mtime like every entry. An entry whose
 * path or hard-link target leaves the destination ({@code ..}) fails the build.
 */
final class ArchiveExtractor {
  private ArchiveExtractor() {}

  /** A downloaded file (ADD URL with --unpack). */
  record Download(Path file, long size) {}

  /** Receives each entry with its path relative to the destination directory. */
  @FunctionalInterface
  interface Sink {
    void accept(String relative, LayerEntry entry) throws JscanException;
  }

  static boolean isArchive(ContextFile f) {
    return isArchive(f.file());
  }

  static boolean isArchive(Download d) {
    return isArchive(d.file());
  }

  private static boolean isArchive(Path file) {
    try (InputStream in = decompressed(file)) {
      return TarReader.startsWithHeader(in);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static InputStream decompressed(Path file) throws IOException {
    BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), 65536);
    try {
      return switch (Compressions.sniff(in)) {
        case GZIP -> GzipCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true).get();
        case BZIP2 -> new BZip2CompressorInputStream(in, true);
        case XZ -> new XZInputStream(in);
        case ZSTD -> new ZstdInputStream(in);
        case UNCOMPRESSED -> in;
      };
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  static void extract(ContextFile f, SourceLocation at, String keyword, Path workDir, Sink sink) throws JscanException {
    extract(f.file(), f.path(), at, keyword, workDir, sink);
  }

  static void extract(Download d, String name, SourceLocation at, String keyword, Path workDir, Sink sink) throws JscanException {
    extract(d.file(), name, at, keyword, workDir, sink);
  }

  private static void extract(Path file, String name, SourceLocation at, String keyword, Path workDir, Sink sink)
      throws JscanException {
    Path dir = workDir.resolve("extract");
    try (InputStream in = decompressed(file)) {
      TarReader tar = new TarReader(in);
      Files.createDirectories(dir);
      for (Optional<TarEntry> next; (next = tar.next()).isPresent(); ) {
        TarEntry h = next.get();
        String rel = PathNames.cleanInside(h.name());
        if (rel == null) {
          throw BuildException.at(at, keyword + " " + name + ": archive entry \"" + h.name() + "\" leaves the destination");
        }
        if (rel.isEmpty()) {
          continue;
        }
        FsEntry.Type type = h.fileType().orElseThrow(() -> BuildException.at(at, keyword + " " + name + ": archive entry \""
            + h.name() + "\" is a tar entry of " + h.typeDescription() + ", which Docker's extraction refuses"));
        int mode = h.permissions();
        long uid = h.uid();
        long gid = h.gid();
        LayerEntry entry;
        if (type == FsEntry.Type.DIRECTORY) {
          entry = LayerEntry.directory(rel, mode, uid, gid);
        } else if (type == FsEntry.Type.SYMLINK) {
          entry = LayerEntry.symlink(rel, h.linkName(), uid, gid);
        } else if (type == FsEntry.Type.HARDLINK) {
          String target = PathNames.cleanInside(h.linkName());
          if (target == null || target.isEmpty()) {
            throw BuildException.at(at, keyword + " " + name + ": hard link \"" + h.name() + "\" points outside the archive");
          }
          entry = LayerEntry.hardlink(rel, target, mode, uid, gid);
        } else if (type != FsEntry.Type.FILE) {
          boolean device = type != FsEntry.Type.FIFO;
          entry = new LayerEntry(rel, type, mode, uid, gid, 0, Optional.empty(), device ? (int) h.devMajor() : 0,
              device ? (int) h.devMinor() : 0, Optional.empty());
        } else {
          Path tmp = AtomicFiles.tempName(dir, "a-");
          try (OutputStream out = Files.newOutputStream(tmp)) {
            tar.content().transferTo(out);
          }
          entry = LayerEntry.file(rel, mode, uid, gid, Files.size(tmp), ContentSource.ofFile(tmp));
        }
        sink.accept(rel, entry);
      }
    } catch (IOException e) {
      throw BuildException.at(at, io.jscan.core.FailureKind.BAD_INPUT, keyword + " " + name + ": cannot extract the archive: "
          + e.getMessage(), e);
    }
  }
}
