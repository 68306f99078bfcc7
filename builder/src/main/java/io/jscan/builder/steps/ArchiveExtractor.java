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
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * ADD's automatic extraction of local tar archives: uncompressed, gzip, bzip2, xz or zstd,
 * recognised by content, never by name (Dockerfile reference, "Adding local tar archives"). A
 * file that is not a tar archive, or is compressed but holds no tar, is copied as it is.
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
      byte[] header = in.readNBytes(512);
      return header.length == 512 && header[0] != 0 && checksumMatches(header);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The tar header checksum: the sum of all bytes with the checksum field read as spaces (signed or unsigned). */
  private static boolean checksumMatches(byte[] h) {
    String field = new String(h, 148, 8, java.nio.charset.StandardCharsets.US_ASCII).replace('\0', ' ').trim();
    if (field.isEmpty() || !field.matches("[0-7]+")) {
      return false;
    }
    long expected = Long.parseLong(field, 8);
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < 512; i++) {
      int b = (i >= 148 && i < 156) ? ' ' : h[i];
      unsigned += b & 0xff;
      signed += (i >= 148 && i < 156) ? ' ' : (byte) h[i];
    }
    return expected == unsigned || expected == signed;
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
    try (InputStream in = decompressed(file); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      Files.createDirectories(dir);
      for (TarArchiveEntry h; (h = tar.getNextEntry()) != null; ) {
        String rel = PathNames.cleanInside(h.getName());
        if (rel == null) {
          throw BuildException.at(at, keyword + " " + name + ": archive entry \"" + h.getName() + "\" leaves the destination");
        }
        if (rel.isEmpty()) {
          continue;
        }
        int mode = h.getMode() & 07777;
        long uid = h.getLongUserId();
        long gid = h.getLongGroupId();
        LayerEntry entry;
        if (h.isDirectory()) {
          entry = LayerEntry.directory(rel, mode, uid, gid);
        } else if (h.isSymbolicLink()) {
          entry = LayerEntry.symlink(rel, h.getLinkName(), uid, gid);
        } else if (h.isLink()) {
          String target = PathNames.cleanInside(h.getLinkName());
          if (target == null || target.isEmpty()) {
            throw BuildException.at(at, keyword + " " + name + ": hard link \"" + h.getName() + "\" points outside the archive");
          }
          entry = LayerEntry.hardlink(rel, target, mode, uid, gid);
        } else if (h.isCharacterDevice() || h.isBlockDevice() || h.isFIFO()) {
          FsEntry.Type type = h.isFIFO() ? FsEntry.Type.FIFO : h.isCharacterDevice() ? FsEntry.Type.CHAR_DEVICE : FsEntry.Type.BLOCK_DEVICE;
          boolean device = type != FsEntry.Type.FIFO;
          entry = new LayerEntry(rel, type, mode, uid, gid, 0, Optional.empty(), device ? h.getDevMajor() : 0,
              device ? h.getDevMinor() : 0, Optional.empty());
        } else {
          Path tmp = AtomicFiles.tempName(dir, "a-");
          try (OutputStream out = Files.newOutputStream(tmp)) {
            tar.transferTo(out);
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
