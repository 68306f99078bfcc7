package io.jscan.core.transport.dockerarchive;

import io.jscan.core.fs.FsEntry;
import io.jscan.core.oci.OciException;
import io.jscan.core.tar.TarEntry;
import io.jscan.core.tar.TarFormatException;
import io.jscan.core.tar.TarReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Random access to the regular files of an uncompressed tar: the archive is scanned once for
 * headers, then each member is read straight from its offset. No file handle is kept open
 * between reads, so lazy images over an archive need no closing.
 *
 * <p>Links are followed (a {@code docker save} may store a layer once and link the other copies):
 * a symlink relative to its own directory, a hard link by archive path, at most {@value #MAX_LINKS}
 * hops, never out of the archive.
 *
 * <p>The archive is read with core's {@link TarReader}, as {@code docker load} reads it (Go's
 * archive/tar; global PAX headers ignored). A name that appears twice (other than a directory
 * repeated) is an integrity failure: {@code docker load} extracts the archive and keeps the last
 * copy, other readers the first, so which manifest, config or layer "the" image has would depend
 * on the reader.
 */
final class TarMembers {
  static final int MAX_LINKS = 16;

  /** A regular file's data: where it starts in the archive and how long it is. */
  record Member(String name, long offset, long size) {}

  private record Header(String name, boolean regular, Optional<String> symlink, Optional<String> hardlink, long offset, long size) {}

  private final Path file;
  private final Map<String, Header> headers;

  private TarMembers(Path file, Map<String, Header> headers) {
    this.file = file;
    this.headers = headers;
  }

  static TarMembers scan(Path file, String what) throws OciException {
    Map<String, Header> headers = new LinkedHashMap<>();
    Map<String, Boolean> directories = new java.util.HashMap<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 65536)) {
      TarReader tar = new TarReader(in);
      for (Optional<TarEntry> next; (next = tar.next()).isPresent(); ) {
        TarEntry e = next.get();
        String name = normalise(e.name(), what);
        if (name.isEmpty()) {
          continue;
        }
        Optional<FsEntry.Type> type = e.fileType();
        if (type.isEmpty()) {
          throw OciException.badInput(what, "member " + name + " is a tar entry of " + e.typeDescription() + ", which docker load refuses");
        }
        Boolean wasDirectory = directories.put(name, type.get() == FsEntry.Type.DIRECTORY);
        if (wasDirectory != null && !(wasDirectory && type.get() == FsEntry.Type.DIRECTORY)) {
          throw OciException.integrity(what, "member " + name + " appears twice in the archive: docker load keeps the last copy, "
              + "other readers the first");
        }
        if (type.get() == FsEntry.Type.DIRECTORY) {
          continue;
        }
        if (e.sparse()) {
          throw OciException.badInput(what, "sparse member " + name + " is not supported");
        }
        Optional<String> symlink = type.get() == FsEntry.Type.SYMLINK ? Optional.of(e.linkName()) : Optional.empty();
        Optional<String> hardlink = type.get() == FsEntry.Type.HARDLINK ? Optional.of(normalise(e.linkName(), what)) : Optional.empty();
        headers.put(name, new Header(name, type.get() == FsEntry.Type.FILE, symlink, hardlink, tar.dataOffset(), e.size()));
      }
    } catch (TarFormatException e) {
      throw OciException.badInput(what, "not a readable tar archive: " + e.getMessage());
    } catch (IOException e) {
      throw OciException.io(what, e);
    }
    return new TarMembers(file, Collections.unmodifiableMap(headers));
  }

  /** {@code ./a//b} → {@code a/b}; a name leaving the archive root is refused. */
  static String normalise(String raw, String what) throws OciException {
    List<String> parts = new ArrayList<>();
    for (String part : raw.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (parts.isEmpty()) {
          throw OciException.badInput(what, "member path \"" + raw + "\" leaves the archive");
        }
        parts.remove(parts.size() - 1);
        continue;
      }
      parts.add(part);
    }
    return String.join("/", parts);
  }

  boolean has(String name) {
    return headers.containsKey(name);
  }

  /** Names of all members, in archive order. */
  List<String> names() {
    return List.copyOf(headers.keySet());
  }

  /** The regular file {@code name} is, or points at through links. */
  Optional<Member> member(String name, String what) throws OciException {
    String current = name;
    for (int hops = 0; hops <= MAX_LINKS; hops++) {
      Header h = headers.get(current);
      if (h == null) {
        return Optional.empty();
      }
      if (h.regular()) {
        return Optional.of(new Member(h.name(), h.offset(), h.size()));
      }
      if (h.hardlink().isPresent()) {
        current = h.hardlink().get();
      } else if (h.symlink().isPresent()) {
        String target = h.symlink().get();
        int slash = current.lastIndexOf('/');
        String base = target.startsWith("/") || slash < 0 ? "" : current.substring(0, slash + 1);
        current = normalise(base + target, what);
      } else {
        throw OciException.badInput(what, "member " + name + " is not a regular file");
      }
    }
    throw OciException.badInput(what, "member " + name + ": more than " + MAX_LINKS + " links");
  }

  /** The bytes of a member, read from its offset; each call opens the archive anew. */
  InputStream open(Member member) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      channel.position(member.offset());
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    return new BoundedChannelStream(channel, member.size());
  }

  byte[] readAll(Member member, long limit, String what) throws OciException {
    if (member.size() > limit) {
      throw OciException.badInput(what, member.name() + " is " + member.size() + " bytes, more than the limit of " + limit);
    }
    try (InputStream in = open(member)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw OciException.io(what + ": reading " + member.name(), e);
    }
  }

  /** Reads exactly {@code remaining} bytes from a channel, then reports end of stream. */
  private static final class BoundedChannelStream extends InputStream {
    private final FileChannel channel;
    private long remaining;

    BoundedChannelStream(FileChannel channel, long size) {
      this.channel = channel;
      this.remaining = size;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, remaining)));
      if (n < 0) {
        throw new IOException("archive truncated: member ends early");
      }
      remaining -= n;
      return n;
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
