package io.jscan.verifier.files;

import io.jscan.core.oci.Digest;
import io.jscan.verifier.Finding;
import io.jscan.verifier.Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import io.jscan.sbom.fs.FileMeta;
import io.jscan.sbom.fs.LayerCapture;
import io.jscan.sbom.model.FileDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks one layer's uncompressed tar as it streams by, in constant memory apart from the compact
 * entry list: tar well-formedness, unsafe paths ({@code ..} components, absolute paths), duplicate
 * entries, malformed whiteouts, hard links that leave the root, and file facts (setuid and setgid
 * files, device nodes, world-writable entries, large files, secrets).
 *
 * <p>{@link TarFormatException}s become findings; any other {@link IOException} comes from the
 * stream below (a digest mismatch, a decompression bomb, a read error) and is the caller's to judge.
 */
public final class LayerScanner {
  private final ScanLimits limits;
  private final AtomicLong imageEntries;
  private final SecretScanner secrets = new SecretScanner();
  /**
   * Files up to this size are held whole while they stream by when secrets are scanned, so that a
   * file in which a secret is found can be hashed without a second read (4 MiB holds the shared
   * libraries that compile test keys in, such as GnuTLS's 2.2 MB; a secret in a larger file is
   * always reported). At most one such buffer per layer being read, so memory stays bounded by
   * the parallelism.
   */
  static final int HELD_FILE_BYTES = 4 << 20;

  /**
   * What a file with a secret is hashed with: dpkg's md5sums, apk's {@code Z:} sha1, and sha256,
   * the file digest rpm has written by default for over a decade (Fedora 12, RHEL 6). An rpm
   * database with sha384 or sha512 file digests is rare; its files' secrets stay reported rather
   * than every such file being hashed three more times.
   */
  static final List<String> HASHED_WITH = List.of("md5", "sha1", "sha256");

  private final byte[] buffer = new byte[64 * 1024];
  private byte[] held = new byte[0];

  /**
   * @param imageEntries entries recorded so far across the image's layers (shared by the layer
   *     tasks), so {@link ScanLimits#maxEntries()} bounds the whole image
   */
  public LayerScanner(ScanLimits limits, AtomicLong imageEntries) {
    this.limits = limits;
    this.imageEntries = imageEntries;
  }

  /** Scans the tar {@code in} of the layer at {@code position} (from 1) with digest {@code digest}. */
  public LayerContents scan(InputStream in, int position, Digest digest) throws IOException {
    return scan(in, position, digest, Optional.empty());
  }

  /**
   * As {@link #scan(InputStream, int, Digest)}, also handing every entry (and the content it asks
   * for) to {@code capture}: the SBOM of the image is catalogued from the same read of each layer.
   * Entries the scanner refuses (unsafe paths, malformed whiteouts) are not handed on.
   */
  public LayerContents scan(InputStream in, int position, Digest digest, Optional<LayerCapture> capture) throws IOException {
    TarStream tar = new TarStream(in);
    List<EntryMeta> entries = new ArrayList<>();
    List<FileFact> facts = new ArrayList<>();
    List<Finding> findings = new ArrayList<>();
    Set<String> nonDirectories = new HashSet<>();
    long count = 0;
    boolean complete = true;
    boolean overLimit = false;
    try {
      for (Optional<TarHeader> next; (next = tar.next()).isPresent(); ) {
        TarHeader h = next.get();
        count++;
        Optional<String> normal = normalise(h.name(), position, digest, findings);
        if (normal.isEmpty()) {
          continue;
        }
        String path = normal.get();
        if (path.isEmpty()) {
          continue; // the root directory itself
        }
        String shown = "/" + path;
        if (!overLimit && imageEntries.incrementAndGet() > limits.maxEntries()) {
          overLimit = true;
          complete = false;
          findings.add(Finding.integrity(
              "more than " + limits.maxEntries() + " tar entries in the image: the rest of the layer is not checked",
              Location.InImage.file(position, digest, shown)));
        }
        if (overLimit) {
          continue;
        }
        String name = baseName(path);
        if (name.startsWith(".wh.")) {
          EntryMeta hidden = whiteout(h, path, name, position, digest, entries, findings);
          if (hidden != null && capture.isPresent()) {
            if (hidden.type() == EntryMeta.OPAQUE) {
              capture.get().opaque(hidden.path());
            } else {
              capture.get().whiteout(hidden.path());
            }
          }
          continue;
        }
        if (!h.isDirectory() && !nonDirectories.add(path)) {
          findings.add(Finding.integrity(
              "appears twice in the layer: extractors keep the last copy, most scanners the first",
              Location.InImage.file(position, digest, shown)));
        }
        EntryMeta meta = meta(h, path, position, digest, findings);
        if (meta == null) {
          continue;
        }
        entries.add(meta);
        facts(h, meta, shown, position, facts);
        Optional<OutputStream> copy = capture.isPresent() ? capture.get().entry(path, kind(meta.type()),
            h.isRegularFile() ? h.size() : 0, h.mode(), Optional.ofNullable(meta.link())) : Optional.empty();
        if (copy.isPresent()) {
          try (OutputStream out = copy.get()) {
            scanContent(tar, shown, position, h.mode(), h.size(), facts, limits.scanSecrets() && h.size() > 0, out);
          }
        } else if (h.isRegularFile() && limits.scanSecrets() && h.size() > 0) {
          scanContent(tar, shown, position, h.mode(), h.size(), facts, true, OutputStream.nullOutputStream());
        }
      }
      if (tar.trailerSeen() && tar.dataAfterTrailer()) {
        findings.add(Finding.integrityWarning(
            "non-zero data after the tar end-of-archive marker (no extractor sees it)", Location.InImage.layer(position, digest)));
      }
    } catch (TarFormatException e) {
      complete = false;
      findings.add(Finding.integrity("malformed tar: " + e.getMessage(), Location.InImage.layer(position, digest)));
    }
    return new LayerContents(position, digest, entries, facts, findings, count, complete);
  }

  /**
   * Reads the entry's content once: through the secret scanner when {@code scanSecrets}, and into
   * {@code copy}. A file of at most {@link #HELD_FILE_BYTES} is read whole into {@link #held} and
   * scanned there in place (so holding it costs no extra pass: the scanner's own copy is spared),
   * and only when a secret is found in it are its digests computed: a layer without secrets is
   * hashed no more than before, and the digests let {@code DistributionFiles} tell a distribution
   * package's own file (a library with test keys compiled in) from a key the builder added.
   */
  private void scanContent(TarStream tar, String path, int position, int mode, long size, List<FileFact> facts, boolean scanSecrets,
      OutputStream copy) throws IOException {
    List<SecretScanner.Match> found;
    List<FileDigest> digests = List.of();
    if (scanSecrets && size <= HELD_FILE_BYTES) {
      if (held.length < size) {
        held = new byte[(int) Math.min(HELD_FILE_BYTES, Math.max(size, 2L * held.length))];
      }
      int length = 0;
      for (int n; (n = tar.readContent(held, length, Math.min(buffer.length, held.length - length))) >= 0; ) {
        copy.write(held, length, n);
        length += n;
      }
      found = secrets.scanWhole(held, length);
      if (!found.isEmpty()) {
        digests = FileDigest.of(HASHED_WITH, held, 0, length);
      }
    } else {
      if (scanSecrets) {
        secrets.reset();
      }
      for (int n; (n = tar.readContent(buffer, 0, buffer.length)) >= 0; ) {
        if (scanSecrets) {
          secrets.update(buffer, 0, n);
        }
        copy.write(buffer, 0, n);
      }
      found = scanSecrets ? secrets.finish() : List.of();
    }
    for (SecretScanner.Match m : found) {
      facts.add(new FileFact(FileFact.Kind.SECRET, position, path, mode, size, Optional.of(m), true, digests, Optional.empty()));
    }
  }

  private static FileMeta.Kind kind(byte type) {
    return switch (type) {
      case EntryMeta.FILE -> FileMeta.Kind.FILE;
      case EntryMeta.DIRECTORY -> FileMeta.Kind.DIRECTORY;
      case EntryMeta.SYMLINK -> FileMeta.Kind.SYMLINK;
      case EntryMeta.HARDLINK -> FileMeta.Kind.HARDLINK;
      default -> FileMeta.Kind.OTHER;
    };
  }

  private void facts(TarHeader h, EntryMeta meta, String path, int position, List<FileFact> facts) {
    int mode = h.mode();
    if (meta.type() == EntryMeta.FILE) {
      if ((mode & 04000) != 0) {
        facts.add(new FileFact(FileFact.Kind.SETUID, position, path, mode, h.size(), Optional.empty(), true));
      }
      if ((mode & 02000) != 0) {
        facts.add(new FileFact(FileFact.Kind.SETGID, position, path, mode, h.size(), Optional.empty(), true));
      }
      if (h.size() >= limits.largeFileThreshold()) {
        facts.add(new FileFact(FileFact.Kind.LARGE_FILE, position, path, mode, h.size(), Optional.empty(), true));
      }
    }
    if (meta.type() == EntryMeta.DEVICE) {
      facts.add(new FileFact(FileFact.Kind.DEVICE, position, path, mode, 0, Optional.empty(), true));
    }
    // symlink permissions are meaningless (always 0777 on Linux); hard links share their target's;
    // device nodes are reported as devices (a 0666 /dev/null is normal where devices belong)
    boolean skip = meta.type() == EntryMeta.SYMLINK || meta.type() == EntryMeta.HARDLINK || meta.type() == EntryMeta.DEVICE;
    if (!skip && (mode & 0002) != 0) {
      facts.add(new FileFact(FileFact.Kind.WORLD_WRITABLE, position, path, mode, h.size(), Optional.empty(), true));
    }
  }

  private EntryMeta meta(TarHeader h, String path, int position, Digest digest, List<Finding> findings) {
    if (h.isDirectory()) {
      return new EntryMeta(path, EntryMeta.DIRECTORY, h.mode(), null);
    }
    if (h.isSymlink()) {
      if (h.linkName().isEmpty()) {
        findings.add(Finding.integrity("symlink with an empty target", Location.InImage.file(position, digest, "/" + path)));
        return null;
      }
      return new EntryMeta(path, EntryMeta.SYMLINK, h.mode(), h.linkName());
    }
    if (h.isHardLink()) {
      // tar hard link targets name another entry by its archive path, relative to the root
      // (Docker's archive package joins them to the root and cleans them lexically)
      Optional<String> target = cleanWithinRoot(h.linkName());
      if (target.isEmpty()) {
        findings.add(Finding.integrity(
            "hard link to \"" + h.linkName() + "\" leaves the root", Location.InImage.file(position, digest, "/" + path)));
        return null;
      }
      if (target.get().isEmpty()) {
        findings.add(Finding.integrity("hard link to the root directory", Location.InImage.file(position, digest, "/" + path)));
        return null;
      }
      return new EntryMeta(path, EntryMeta.HARDLINK, h.mode(), target.get());
    }
    if (h.isCharDevice() || h.isBlockDevice()) {
      return new EntryMeta(path, EntryMeta.DEVICE, h.mode(), null);
    }
    if (h.isFifo()) {
      return new EntryMeta(path, EntryMeta.FIFO, h.mode(), null);
    }
    if (!h.isRegularFile()) {
      findings.add(Finding.integrity(
          "unknown tar entry type '" + TarStream.printable(h.type()) + "'", Location.InImage.file(position, digest, "/" + path)));
      return null;
    }
    return new EntryMeta(path, EntryMeta.FILE, h.mode(), null);
  }

  /** Records a whiteout or opaque marker; returns it, or null when it is malformed (a finding) or AUFS metadata. */
  private static EntryMeta whiteout(
      TarHeader h, String path, String name, int position, Digest digest, List<EntryMeta> entries, List<Finding> findings) {
    String parent = parentOf(path);
    Location at = Location.InImage.file(position, digest, "/" + path);
    if (name.equals(".wh..wh..opq")) {
      if (!h.isRegularFile() || h.size() != 0) {
        findings.add(Finding.integrity("malformed opaque whiteout: not an empty regular file", at));
        return null;
      }
      EntryMeta opaque = new EntryMeta(parent, EntryMeta.OPAQUE, 0, null);
      entries.add(opaque);
      return opaque;
    }
    if (name.startsWith(".wh..wh.")) {
      return null; // other AUFS metadata (.wh..wh.plnk, .wh..wh.aufs): not part of the filesystem
    }
    String target = name.substring(4);
    if (target.isEmpty() || target.equals(".") || target.equals("..")) {
      findings.add(Finding.integrity("malformed whiteout \"" + name + "\": it names no file", at));
      return null;
    }
    if (!h.isRegularFile() || h.size() != 0) {
      findings.add(Finding.integrity("malformed whiteout: not an empty regular file", at));
      return null;
    }
    EntryMeta whiteout = new EntryMeta(parent.isEmpty() ? target : parent + "/" + target, EntryMeta.WHITEOUT, 0, null);
    entries.add(whiteout);
    return whiteout;
  }

  /**
   * The entry's path relative to the root ({@code ./a//b/} becomes {@code a/b}, the root itself
   * becomes empty), or empty after adding a finding for an absolute path or a {@code ..} component.
   */
  private static Optional<String> normalise(String raw, int position, Digest digest, List<Finding> findings) {
    if (raw.startsWith("/")) {
      findings.add(Finding.integrity(
          "absolute path \"" + raw + "\": extractors disagree on where it lands", Location.InImage.file(position, digest, raw)));
      return Optional.empty();
    }
    StringBuilder out = new StringBuilder(raw.length());
    for (String part : raw.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        findings.add(Finding.integrity(
            "path \"" + raw + "\" has a .. component: extracting it could write outside the root",
            Location.InImage.file(position, digest, "/" + raw)));
        return Optional.empty();
      }
      if (out.length() > 0) {
        out.append('/');
      }
      out.append(part);
    }
    return Optional.of(out.toString());
  }

  /** Lexically cleans a root-relative path; empty when {@code ..} would climb above the root. */
  static Optional<String> cleanWithinRoot(String raw) {
    List<String> parts = new ArrayList<>();
    for (String part : raw.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (parts.isEmpty()) {
          return Optional.empty();
        }
        parts.remove(parts.size() - 1);
      } else {
        parts.add(part);
      }
    }
    return Optional.of(String.join("/", parts));
  }

  static String baseName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }
}
