package io.jscan.core.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recipe for tar streams no well-behaved writer makes, block by block: global and local PAX headers
 * with any records, GNU long names, GNU sparse files of every format, base-256 numbers, wrong
 * checksums, odd magic, truncation and data after the end marker. Every field is an explicit value,
 * so the bytes are the same on every machine. For ordinary layers use {@link TarBuilder}.
 */
public final class HostileTar {
  public static final int BLOCK = 512;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  public static HostileTar tar() {
    return new HostileTar();
  }

  /** One header block; fields are octal unless set otherwise; the checksum is computed unless overridden. */
  public static final class Header {
    private final byte[] b = new byte[BLOCK];
    private boolean checksumSet;
    private boolean signedChecksum;

    private Header(char type, String name, long size) {
      ustar();
      name(name);
      octal(100, 8, 0644);
      octal(108, 8, 0);
      octal(116, 8, 0);
      octal(124, 12, size);
      octal(136, 12, 0);
      b[156] = (byte) type;
    }

    public Header name(String name) {
      return bytes(0, 100, name.getBytes(StandardCharsets.UTF_8));
    }

    public Header nameBytes(byte[] name) {
      return bytes(0, 100, name);
    }

    public Header link(String link) {
      return bytes(157, 100, link.getBytes(StandardCharsets.UTF_8));
    }

    public Header mode(long mode) {
      return octal(100, 8, mode);
    }

    public Header uid(long uid) {
      return octal(108, 8, uid);
    }

    public Header gid(long gid) {
      return octal(116, 8, gid);
    }

    public Header size(long size) {
      return octal(124, 12, size);
    }

    public Header mtime(long seconds) {
      return octal(136, 12, seconds);
    }

    public Header type(char type) {
      b[156] = (byte) type;
      return this;
    }

    public Header userName(String name) {
      return bytes(265, 32, name.getBytes(StandardCharsets.UTF_8));
    }

    public Header groupName(String name) {
      return bytes(297, 32, name.getBytes(StandardCharsets.UTF_8));
    }

    public Header device(long major, long minor) {
      return octal(329, 8, major).octal(337, 8, minor);
    }

    public Header prefix(String prefix) {
      return bytes(345, 155, prefix.getBytes(StandardCharsets.UTF_8));
    }

    /** POSIX ustar magic and version ({@code "ustar\0" "00"}); the default. */
    public Header ustar() {
      bytes(257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
      return bytes(263, 2, "00".getBytes(StandardCharsets.US_ASCII));
    }

    /** GNU magic and version ({@code "ustar " " \0"}). */
    public Header gnu() {
      bytes(257, 6, "ustar ".getBytes(StandardCharsets.US_ASCII));
      return bytes(263, 2, " \0".getBytes(StandardCharsets.US_ASCII));
    }

    /** No magic at all: an old V7 header. */
    public Header v7() {
      Arrays.fill(b, 257, BLOCK, (byte) 0);
      return this;
    }

    /** star's trailer {@code "tar\0"} at 508 (with ustar magic: Go's formatSTAR, a 131-byte prefix). */
    public Header star() {
      return bytes(508, 4, "tar\0".getBytes(StandardCharsets.US_ASCII));
    }

    /** Writes {@code value} octal into the field, NUL-terminated (the field's length minus one digits). */
    public Header octal(int off, int len, long value) {
      String digits = Long.toOctalString(value);
      if (digits.length() > len - 1) {
        throw new IllegalArgumentException(value + " does not fit in " + len + " bytes octal");
      }
      String padded = "0".repeat(len - 1 - digits.length()) + digits;
      bytes(off, len, (padded + "\0").getBytes(StandardCharsets.US_ASCII));
      return this;
    }

    /** Writes {@code value} in GNU base-256 (two's complement, top bit of the first byte set). */
    public Header base256(int off, int len, long value) {
      for (int i = len - 1; i >= 0; i--) {
        b[off + i] = (byte) value;
        value >>= 8;
      }
      b[off] = (byte) (b[off] | 0x80);
      return this;
    }

    /** Writes the bytes into the field and NUL-fills the rest of it. */
    public Header bytes(int off, int len, byte[] value) {
      if (value.length > len) {
        throw new IllegalArgumentException("field of " + len + " bytes cannot hold " + value.length);
      }
      Arrays.fill(b, off, off + len, (byte) 0);
      System.arraycopy(value, 0, b, off, value.length);
      return this;
    }

    /** Writes raw field text (for malformed numbers). */
    public Header field(int off, int len, String ascii) {
      return bytes(off, len, ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    public Header checksum(long value) {
      octal(148, 8, value);
      checksumSet = true;
      return this;
    }

    /** Writes the checksum as the signed sum of the bytes (old writers did), unless one was set. */
    public Header signedChecksum() {
      signedChecksum = true;
      return this;
    }

    public byte[] block() {
      byte[] copy = b.clone();
      if (!checksumSet) {
        Arrays.fill(copy, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte x : copy) {
          sum += signedChecksum ? x : x & 0xff;
        }
        byte[] field = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(field, 0, copy, 148, 8);
      }
      return copy;
    }
  }

  public static Header header(char type, String name, long size) {
    return new Header(type, name, size);
  }

  /** Appends a header block as it is. */
  public HostileTar header(Header h) {
    out.writeBytes(h.block());
    return this;
  }

  /** Appends content and pads it to a block with zeros. */
  public HostileTar data(byte[] content) {
    out.writeBytes(content);
    pad(content.length);
    return this;
  }

  public HostileTar data(String content) {
    return data(content.getBytes(StandardCharsets.UTF_8));
  }

  private void pad(long length) {
    int rest = (int) ((BLOCK - length % BLOCK) % BLOCK);
    out.writeBytes(new byte[rest]);
  }

  /** Appends bytes without padding (truncations, garbage). */
  public HostileTar raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  /** A regular file (ustar, mode 0644, owner 0:0, mtime 0). */
  public HostileTar file(String name, String content) {
    return file(name, 0644, content.getBytes(StandardCharsets.UTF_8));
  }

  public HostileTar file(String name, int mode, byte[] content) {
    return header(header('0', name, content.length).mode(mode)).data(content);
  }

  public HostileTar dir(String name) {
    return header(header('5', name.endsWith("/") ? name : name + "/", 0).mode(0755));
  }

  public HostileTar symlink(String name, String target) {
    return header(header('2', name, 0).mode(0777).link(target));
  }

  /** A local PAX header ({@code x}) with these records, in order. */
  public HostileTar pax(Map<String, String> records) {
    return paxHeader('x', paxRecords(records));
  }

  /** A global PAX header ({@code g}) with these records, in order. */
  public HostileTar globalPax(Map<String, String> records) {
    return paxHeader('g', paxRecords(records));
  }

  /** A PAX header of either kind with the records exactly as given (malformed ones included). */
  public HostileTar paxHeader(char type, byte[] records) {
    return header(header(type, "PaxHeaders/x", records.length)).data(records);
  }

  /** A GNU long name ({@code L}) or link ({@code K}) header holding {@code value} and a NUL. */
  public HostileTar gnuLong(char type, String value) {
    byte[] v = (value + "\0").getBytes(StandardCharsets.UTF_8);
    return header(header(type, "././@LongLink", v.length).gnu()).data(v);
  }

  /** The end-of-archive marker: two zero blocks. */
  public HostileTar end() {
    out.writeBytes(new byte[2 * BLOCK]);
    return this;
  }

  public byte[] build() {
    return out.toByteArray();
  }

  /** PAX records {@code "<len> <key>=<value>\n"} with correct lengths, in the map's order. */
  public static byte[] paxRecords(Map<String, String> records) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (Map.Entry<String, String> r : records.entrySet()) {
      b.writeBytes(paxRecord(r.getKey(), r.getValue().getBytes(StandardCharsets.UTF_8)));
    }
    return b.toByteArray();
  }

  /** One PAX record with a raw value (binary xattrs). */
  public static byte[] paxRecord(String key, byte[] value) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    int body = 1 + k.length + 1 + value.length + 1; // " key=value\n"
    int length = body + String.valueOf(body).length();
    if (String.valueOf(length).length() != String.valueOf(body).length()) {
      length = body + String.valueOf(length).length();
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes((length + " " + key + "=").getBytes(StandardCharsets.UTF_8));
    b.writeBytes(value);
    b.write('\n');
    return b.toByteArray();
  }

  /** An ordered map for records: {@code records("path", "a", "size", "3")}. */
  public static Map<String, String> records(String... keysAndValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }
}
