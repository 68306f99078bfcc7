package io.jscan.verifier;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Recipe for layer tars with whatever a hostile or careless producer might put in them: names
 * kept exactly as given (absolute, with {@code ..}), any mode, devices, links, duplicates. Owner
 * 0:0 and mtime 0, so the bytes are the same on every machine.
 */
public final class RawTar {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final TarArchiveOutputStream tar;

  private RawTar() {
    tar = new TarArchiveOutputStream(bytes);
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
  }

  public static RawTar tar() {
    return new RawTar();
  }

  public RawTar dir(String name, int mode) {
    return entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, 040000 | mode, null, new byte[0]);
  }

  public RawTar dir(String name) {
    return dir(name, 0755);
  }

  public RawTar file(String name, String content) {
    return file(name, 0644, content.getBytes(StandardCharsets.UTF_8));
  }

  public RawTar file(String name, int mode, byte[] content) {
    return entry(name, TarConstants.LF_NORMAL, 0100000 | mode, null, content);
  }

  public RawTar symlink(String name, String target) {
    return entry(name, TarConstants.LF_SYMLINK, 0120777, target, new byte[0]);
  }

  public RawTar hardlink(String name, String target) {
    return entry(name, TarConstants.LF_LINK, 0100644, target, new byte[0]);
  }

  public RawTar charDevice(String name, int major, int minor) {
    TarArchiveEntry e = header(name, TarConstants.LF_CHR, 020666, null, 0);
    e.setDevMajor(major);
    e.setDevMinor(minor);
    return put(e, new byte[0]);
  }

  public RawTar whiteout(String path) {
    int slash = path.lastIndexOf('/');
    return file((slash < 0 ? "" : path.substring(0, slash + 1)) + ".wh." + path.substring(slash + 1), "");
  }

  public RawTar opaque(String dir) {
    return file((dir.isEmpty() ? "" : dir + "/") + ".wh..wh..opq", "");
  }

  /**
   * A PAX extended header (typeflag {@code x}) holding {@code records} as given, well-formed or
   * not: {@code "<length> <key>=<value>\n"} each (POSIX pax). It applies to the next entry.
   */
  public RawTar paxHeader(String records) {
    return entry("PaxHeaders/next", TarConstants.LF_PAX_EXTENDED_HEADER_LC, 0100644, null, records.getBytes(StandardCharsets.UTF_8));
  }

  private RawTar entry(String name, byte type, int mode, String link, byte[] content) {
    return put(header(name, type, mode, link, content.length), content);
  }

  private static TarArchiveEntry header(String name, byte type, int mode, String link, long size) {
    TarArchiveEntry e = new TarArchiveEntry(name, type, true);
    e.setMode(mode);
    e.setIds(0, 0);
    e.setUserName("");
    e.setGroupName("");
    e.setModTime(FileTime.from(Instant.EPOCH));
    if (link != null) {
      e.setLinkName(link);
    }
    e.setSize(size);
    return e;
  }

  private RawTar put(TarArchiveEntry e, byte[] content) {
    try {
      tar.putArchiveEntry(e);
      tar.write(content);
      tar.closeArchiveEntry();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return this;
  }

  public byte[] build() {
    try {
      tar.finish();
      tar.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
