package io.jscan.core.fs;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.image.Layer;
import io.jscan.core.oci.OciException;
import io.jscan.core.tar.TarEntry;
import io.jscan.core.tar.TarReader;
import java.io.BufferedInputStream;
import io.jscan.core.text.Printable;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The file system an image's layers produce when applied in order, streamed without unpacking
 * anything to disk (image-spec layer.md "Applying Changesets").
 *
 * <p>Layers are read top (last) to bottom (first), each once. An entry is passed on the first time
 * its path is seen from the top, unless an upper layer hid it:
 * <ul>
 *   <li>a whiteout {@code .wh.NAME} removes NAME, and everything under it, from the layers below;
 *   <li>an opaque marker {@code DIR/.wh..wh..opq} removes DIR's children from the layers below
 *       (DIR itself stays);
 *   <li>a non-directory replaces whatever the layers below had at its path and under it.
 * </ul>
 * Whiteouts apply to lower layers only, never to entries of their own layer (layer.md). Whiteout
 * and marker entries themselves are not passed on, nor are other AUFS {@code .wh..wh.} metadata.
 * Memory grows with the number of paths, not with their content.
 *
 * <p>Fails closed, as an integrity error naming layer and path, on paths that leave the root
 * ({@code ..}) and on a non-directory path that appears twice in one layer: extraction keeps the
 * last copy while a top-down reader would see the first, so a scanner and a runtime would disagree
 * about the file's content. (Directories repeated in one layer are common and harmless: the first
 * header wins.)
 *
 * <p>Entries come out top layer first, in each layer's tar order; a directory may come after its
 * children. Consumers that build a tree create parents as needed.
 *
 * <p>Each layer is read with core's {@link TarReader}, so the entries are those a container
 * runtime extracts (global PAX headers ignored, GNU sparse files expanded and renamed as Go's
 * reader does them). A malformed tar, and an entry of a type no runtime extracts, are integrity
 * failures naming the layer.
 */
public final class MergedFilesystem {
  private MergedFilesystem() {}

  public static final String WHITEOUT_PREFIX = ".wh.";
  public static final String OPAQUE_MARKER = ".wh..wh..opq";
  private static final String AUFS_META_PREFIX = ".wh..wh.";

  /** Receives each visible entry once; {@code content} is the file's bytes (empty for non-files). */
  @FunctionalInterface
  public interface Visitor {
    void visit(FsEntry entry, InputStream content) throws IOException, OciException;
  }

  /** Walks the merged file system of {@code image}. */
  public static void walk(Image image, Visitor visitor) throws OciException {
    walk(image.layers(), visitor);
  }

  /** Walks the file system {@code layers} (in manifest order, lowest first) produce. */
  public static void walk(List<Layer> layers, Visitor visitor) throws OciException {
    Set<String> seen = new HashSet<>();
    Set<String> nonDirectories = new HashSet<>();
    Set<String> deleted = new HashSet<>();
    Set<String> opaque = new HashSet<>();
    for (int i = layers.size() - 1; i >= 0; i--) {
      Layer layer = layers.get(i);
      String what = "layer " + (i + 1) + " " + layer.descriptor().digest();
      Set<String> seenHere = new HashSet<>();
      List<String> nonDirectoriesHere = new ArrayList<>();
      List<String> deletedHere = new ArrayList<>();
      List<String> opaqueHere = new ArrayList<>();
      try (InputStream uncompressed = layer.openUncompressed()) {
        TarReader tar = new TarReader(new BufferedInputStream(uncompressed, 65536));
        for (Optional<TarEntry> next; (next = tar.next()).isPresent(); ) {
          TarEntry header = next.get();
          Optional<String> normalised = normalise(header.name(), what);
          if (normalised.isEmpty()) {
            continue; // the root directory itself
          }
          String path = normalised.get();
          String name = baseName(path);
          String parent = parentOf(path);
          if (name.equals(OPAQUE_MARKER)) {
            opaqueHere.add(parent);
            continue;
          }
          if (name.startsWith(AUFS_META_PREFIX)) {
            continue;
          }
          if (name.startsWith(WHITEOUT_PREFIX)) {
            String target = name.substring(WHITEOUT_PREFIX.length());
            if (target.isEmpty() || target.equals(".") || target.equals("..")) {
              throw new OciException(FailureKind.INTEGRITY, what, "invalid whiteout " + Printable.escape(path));
            }
            deletedHere.add(parent.isEmpty() ? target : parent + "/" + target);
            continue;
          }
          // every entry of a layer is extracted, even one an upper layer hides: the runtime refuses them all
          requireExtractable(header, path, what);
          if (!seenHere.add(path)) {
            if (header.isDirectory()) {
              continue;
            }
            throw new OciException(
                FailureKind.INTEGRITY,
                what,
                Printable.escape(path) + " appears twice in the layer: extraction would keep the last copy, a scan the first");
          }
          if (seen.contains(path) || hiddenByUpperLayer(path, deleted, opaque, nonDirectories)) {
            continue;
          }
          FsEntry entry = toEntry(header, path, i, what);
          if (entry.type() != FsEntry.Type.DIRECTORY) {
            nonDirectoriesHere.add(path);
          }
          InputStream content = entry.type() == FsEntry.Type.FILE ? tar.content() : InputStream.nullInputStream();
          visitor.visit(entry, content);
        }
      } catch (IOException e) {
        throw OciException.reading(what, e);
      }
      seen.addAll(seenHere);
      nonDirectories.addAll(nonDirectoriesHere);
      deleted.addAll(deletedHere);
      opaque.addAll(opaqueHere);
    }
  }

  /** Whether a path of a lower layer is hidden by what the layers above it did. */
  private static boolean hiddenByUpperLayer(
      String path, Set<String> deleted, Set<String> opaque, Set<String> nonDirectories) {
    if (deleted.contains(path)) {
      return true;
    }
    for (String ancestor = parentOf(path); !ancestor.isEmpty(); ancestor = parentOf(ancestor)) {
      if (deleted.contains(ancestor) || opaque.contains(ancestor) || nonDirectories.contains(ancestor)) {
        return true;
      }
    }
    // an opaque marker at the root hides every lower entry
    return opaque.contains("");
  }

  /**
   * {@code ./a//b/} → {@code a/b}; empty for the root; {@code ..} anywhere fails (a path outside
   * the root is never part of an image's file system, and extracting it would escape the target).
   */
  static Optional<String> normalise(String raw, String what) throws OciException {
    List<String> parts = new ArrayList<>();
    for (String part : raw.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        throw new OciException(FailureKind.INTEGRITY, what, "path \"" + Printable.escape(raw) + "\" leaves the root");
      }
      parts.add(part);
    }
    return parts.isEmpty() ? Optional.empty() : Optional.of(String.join("/", parts));
  }

  private static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  private static String baseName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  /**
   * The file system type of a tar entry; an entry of a type containerd, Docker and podman refuse to
   * extract ({@code unhandled tar header type}) is an integrity failure: the layer would not run.
   */
  public static FsEntry.Type requireExtractable(TarEntry h, String path, String what) throws OciException {
    return h.fileType().orElseThrow(() -> new OciException(
        FailureKind.INTEGRITY, what, "/" + path + " is a tar entry of " + h.typeDescription()
            + ", which container runtimes refuse to extract"));
  }

  /** The file system entry a tar entry becomes; one home for layer readers of every module. */
  public static FsEntry toEntry(TarEntry h, String path, int layerIndex, String what) throws OciException {
    FsEntry.Type type = requireExtractable(h, path, what);
    Optional<String> link = Optional.empty();
    if (type == FsEntry.Type.SYMLINK) {
      link = Optional.of(h.linkName());
    } else if (type == FsEntry.Type.HARDLINK) {
      Optional<String> target = normalise(h.linkName(), what);
      if (target.isEmpty()) {
        throw new OciException(FailureKind.INTEGRITY, what, "hard link " + Printable.escape(path) + " points at the root");
      }
      link = target;
    }
    boolean device = type == FsEntry.Type.CHAR_DEVICE || type == FsEntry.Type.BLOCK_DEVICE;
    return new FsEntry(
        path,
        type,
        h.permissions(),
        h.uid(),
        h.gid(),
        h.userName(),
        h.groupName(),
        h.modTime(),
        type == FsEntry.Type.FILE ? h.size() : 0,
        link,
        device ? (int) h.devMajor() : 0,
        device ? (int) h.devMinor() : 0,
        h.extraPaxRecords(),
        layerIndex);
  }
}
