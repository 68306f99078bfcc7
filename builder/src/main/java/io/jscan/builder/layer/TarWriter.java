package io.jscan.builder.layer;

import io.jscan.core.fs.FsEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Writes a tar stream in one fixed format, so that the same entries always give the same bytes.
 *
 * <p><b>Format.</b> POSIX ustar headers (magic {@code "ustar\0"}, version {@code "00"}), numeric
 * fields as zero-padded octal ending in NUL as Go's archive/tar writes them, empty user and group
 * names, device numbers 0 unless the entry is a device. A path longer than 100 bytes is split into
 * the ustar prefix and name fields where a {@code /} allows it. A PAX extended header (typeflag
 * {@code x}) is written only when ustar cannot hold a value: a path that cannot be split or is not
 * ASCII ({@code path}), a link target over 100 bytes or not ASCII ({@code linkpath}), a uid or gid
 * above 07777777 ({@code uid}, {@code gid}), a size of 8 GiB or more ({@code size}), an extended
 * attribute ({@code SCHILY.xattr.NAME}, raw bytes; only RUN layers carry them). Its records
 * are sorted by key; it never carries times ({@code atime}, {@code ctime}, {@code mtime}) or any
 * other volatile record. Its own header is named {@code PaxHeaders/<entry name>}, mode 0644,
 * owner 0:0, with the entry's mtime. The archive ends with two zero blocks and no further padding
 * (as Go writes it; GNU tar pads to 10 KiB records).
 */
public final class TarWriter implements AutoCloseable {
  static final int BLOCK = 512;
  /** The PAX record prefix of an extended attribute (GNU tar, Go's archive/tar, BuildKit). */
  public static final String XATTR_PREFIX = "SCHILY.xattr.";
  private static final long MAX_OCTAL_7 = 07777777L;
  private static final long MAX_OCTAL_11 = 077777777777L;

  private final OutputStream out;
  private final long mtime;
  private final byte[] copyBuffer = new byte[64 * 1024];
  private boolean finished;

  /**
   * @param mtimeSeconds the modification time of every entry that has none of its own (SOURCE_DATE_EPOCH), at most 077777777777
   */
  public TarWriter(OutputStream out, long mtimeSeconds) {
    if (mtimeSeconds < 0 || mtimeSeconds > MAX_OCTAL_11) {
      throw new IllegalArgumentException("tar mtime out of range: " + mtimeSeconds);
    }
    this.out = out;
    this.mtime = mtimeSeconds;
  }

  /**
   * Writes one entry; a regular file's content must be exactly {@code entry.size()} bytes, or the
   * write fails (a source that changed while being read must not produce a silently different layer).
   */
  public void write(LayerEntry entry) throws IOException {
    write(entry, entry.content().orElse(null));
  }

  /** As {@link #write(LayerEntry)}, with a regular file's bytes taken from {@code content}. */
  void write(LayerEntry entry, ContentSource content) throws IOException {
    String name = entry.isDirectory() ? entry.path() + "/" : entry.path();
    long entryMtime = entry.mtime().orElse(mtime);
    Map<String, byte[]> pax = new TreeMap<>();
    String nameField = name;
    String prefixField = "";
    if (!isAscii(name)) {
      pax.put("path", utf8(name));
      nameField = asciiTruncated(name, 100);
    } else if (name.length() > 100) {
      Optional<String[]> split = splitUstar(name);
      if (split.isPresent()) {
        prefixField = split.get()[0];
        nameField = split.get()[1];
      } else {
        pax.put("path", utf8(name));
        nameField = asciiTruncated(name, 100);
      }
    }
    String link = entry.linkTarget().orElse("");
    String linkField = link;
    if (!isAscii(link) || link.length() > 100) {
      pax.put("linkpath", utf8(link));
      linkField = asciiTruncated(link, 100);
    }
    long uid = entry.uid();
    long gid = entry.gid();
    if (uid > MAX_OCTAL_7) {
      pax.put("uid", utf8(Long.toString(uid)));
      uid = 0;
    }
    if (gid > MAX_OCTAL_7) {
      pax.put("gid", utf8(Long.toString(gid)));
      gid = 0;
    }
    long size = entry.size();
    long sizeField = size;
    if (size > MAX_OCTAL_11) {
      pax.put("size", utf8(Long.toString(size)));
      sizeField = 0;
    }
    if (entry.devMajor() < 0 || entry.devMajor() > MAX_OCTAL_7 || entry.devMinor() < 0 || entry.devMinor() > MAX_OCTAL_7) {
      throw new IOException("device numbers of " + entry.path() + " out of range");
    }
    // extended attributes as GNU tar and Go's archive/tar write them: one SCHILY.xattr.NAME record
    // each, the value as raw bytes (security.capability is binary)
    for (Map.Entry<String, byte[]> x : entry.xattrs().entrySet()) {
      pax.put(XATTR_PREFIX + x.getKey(), x.getValue());
    }
    if (!pax.isEmpty()) {
      writePaxHeader(name, pax, entryMtime);
    }
    byte[] header = header(nameField, prefixField, entry.mode(), uid, gid, sizeField, entryMtime, typeFlag(entry.type()), linkField,
        entry.devMajor(), entry.devMinor());
    out.write(header);
    if (entry.type() == FsEntry.Type.FILE) {
      if (content == null) {
        throw new IllegalArgumentException("regular file " + entry.path() + " has no content");
      }
      try (InputStream in = content.open()) {
        copyExactly(in, size, entry.path());
      }
      pad(size);
    }
  }

  /** Ends the archive with two zero blocks (does not close the stream). */
  public void finish() throws IOException {
    if (!finished) {
      out.write(new byte[2 * BLOCK]);
      finished = true;
    }
  }

  @Override
  public void close() throws IOException {
    finish();
    out.close();
  }

  private void copyExactly(InputStream in, long size, String path) throws IOException {
    long remaining = size;
    while (remaining > 0) {
      int n = in.read(copyBuffer, 0, (int) Math.min(copyBuffer.length, remaining));
      if (n < 0) {
        throw new IOException(path + " changed while it was read: shorter than its " + size + " bytes");
      }
      out.write(copyBuffer, 0, n);
      remaining -= n;
    }
    if (in.read() >= 0) {
      throw new IOException(path + " changed while it was read: longer than its " + size + " bytes");
    }
  }

  private void pad(long size) throws IOException {
    int rest = (int) (size % BLOCK);
    if (rest != 0) {
      out.write(new byte[BLOCK - rest]);
    }
  }

  private void writePaxHeader(String name, Map<String, byte[]> records, long headerMtime) throws IOException {
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> r : records.entrySet()) {
      body.write(paxRecord(r.getKey(), r.getValue()));
    }
    byte[] data = body.toByteArray();
    String base = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    base = base.substring(base.lastIndexOf('/') + 1);
    String paxName = asciiTruncated("PaxHeaders/" + base, 100);
    out.write(header(paxName, "", 0644, 0, 0, data.length, headerMtime, (byte) 'x', "", 0, 0));
    out.write(data);
    pad(data.length);
  }

  /** {@code "<length> key=value\n"} where length counts the whole record, its own digits included. */
  static String paxRecord(String key, String value) {
    return new String(paxRecord(key, utf8(value)), StandardCharsets.UTF_8);
  }

  /** The record with a raw byte value (an xattr's value need not be UTF-8). */
  static byte[] paxRecord(String key, byte[] value) {
    byte[] k = utf8(key);
    int payload = 1 + k.length + 1 + value.length + 1;
    int length = payload + Integer.toString(payload).length();
    if (Integer.toString(length).length() != Integer.toString(payload).length()) {
      length = payload + Integer.toString(length).length();
    }
    byte[] prefix = utf8(length + " ");
    byte[] record = new byte[length];
    System.arraycopy(prefix, 0, record, 0, prefix.length);
    System.arraycopy(k, 0, record, prefix.length, k.length);
    record[prefix.length + k.length] = '=';
    System.arraycopy(value, 0, record, prefix.length + k.length + 1, value.length);
    record[length - 1] = '\n';
    return record;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private byte[] header(String name, String prefix, int mode, long uid, long gid, long size, long mtimeSeconds, byte type,
      String link, int devMajor, int devMinor) {
    byte[] h = new byte[BLOCK];
    putString(h, 0, 100, name);
    putOctal(h, 100, 8, mode);
    putOctal(h, 108, 8, uid);
    putOctal(h, 116, 8, gid);
    putOctal(h, 124, 12, size);
    putOctal(h, 136, 12, mtimeSeconds);
    h[156] = type;
    putString(h, 157, 100, link);
    putString(h, 257, 6, "ustar");
    h[263] = '0';
    h[264] = '0';
    // 265..296 uname, 297..328 gname: empty (no names: ids are all that identify an owner)
    putOctal(h, 329, 8, devMajor);
    putOctal(h, 337, 8, devMinor);
    putString(h, 345, 155, prefix);
    // checksum: sum of all bytes with the checksum field taken as spaces
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    String chk = String.format(java.util.Locale.ROOT, "%06o", sum);
    putString(h, 148, 6, chk);
    h[154] = 0;
    h[155] = ' ';
    return h;
  }

  private static void putString(byte[] h, int offset, int length, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    if (bytes.length > length) {
      throw new IllegalStateException("tar field overflow: " + value);
    }
    System.arraycopy(bytes, 0, h, offset, bytes.length);
  }

  /** Zero-padded octal filling the field but its last byte, which stays NUL (Go's formatOctal). */
  private static void putOctal(byte[] h, int offset, int length, long value) {
    String digits = Long.toOctalString(value);
    if (digits.length() > length - 1) {
      throw new IllegalStateException("tar numeric field overflow: " + value);
    }
    String padded = "0".repeat(length - 1 - digits.length()) + digits;
    putString(h, offset, length - 1, padded);
  }

  private static byte typeFlag(FsEntry.Type type) {
    return switch (type) {
      case FILE -> '0';
      case HARDLINK -> '1';
      case SYMLINK -> '2';
      case CHAR_DEVICE -> '3';
      case BLOCK_DEVICE -> '4';
      case DIRECTORY -> '5';
      case FIFO -> '6';
    };
  }

  static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0 || c >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static String asciiTruncated(String s, int max) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < max; i++) {
      char c = s.charAt(i);
      b.append(c > 0 && c < 0x80 ? c : '_');
    }
    return b.toString();
  }

  /** Go's splitUSTARPath: prefix up to 155 bytes and name up to 100, split at a slash. */
  static Optional<String[]> splitUstar(String name) {
    int length = name.length();
    if (length <= 100 || !isAscii(name)) {
      return Optional.empty();
    }
    if (length > 156) {
      length = 156;
    } else if (name.charAt(length - 1) == '/') {
      length--;
    }
    int i = name.lastIndexOf('/', length - 1);
    int nameLength = name.length() - i - 1;
    if (i <= 0 || nameLength > 100 || nameLength == 0 || i > 155) {
      return Optional.empty();
    }
    return Optional.of(new String[] {name.substring(0, i), name.substring(i + 1)});
  }
}
