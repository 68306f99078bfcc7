package io.jscan.core.tar;

import java.nio.charset.StandardCharsets;

/**
 * One 512-byte tar header, decoded as Go's archive/tar decodes it (Reader.readHeader): the
 * checksum (signed or unsigned sum) and the magic decide the format; every number is parsed, and
 * one that does not parse makes the whole header invalid; names are cut at their first NUL.
 *
 * @param name the name field, with the ustar or star prefix applied
 * @param offset where the block starts in the stream
 */
record HeaderBlock(
    char type, String name, String link, long size, long mode, long uid, long gid, long mtime, String userName,
    String groupName, long devMajor, long devMinor, Format format, long offset) {

  static final int SIZE = 512;

  /** The header formats Go tells apart by their magic. */
  enum Format {
    /** no magic: no owner names, device numbers or prefix */
    V7,
    /** {@code "ustar\0"}: POSIX ustar and pax, a 155-byte prefix whatever the version field says */
    USTAR,
    /** {@code "ustar\0"} and {@code "tar\0"} at 508: a 131-byte prefix, then access and change times */
    STAR,
    /** {@code "ustar "} {@code " \0"}: no prefix, access and change times, the old sparse map */
    GNU
  }

  static HeaderBlock parse(byte[] block, long at) throws TarFormatException {
    Format format = format(block, at);
    TarNumbers p = new TarNumbers();
    char type = (char) (block[156] & 0xff);
    String name = cString(block, 0, 100);
    String link = cString(block, 157, 100);
    long size = p.numeric(block, 124, 12, "size");
    long mode = p.numeric(block, 100, 8, "mode");
    long uid = p.numeric(block, 108, 8, "uid");
    long gid = p.numeric(block, 116, 8, "gid");
    long mtime = p.numeric(block, 136, 12, "mtime");
    String userName = "";
    String groupName = "";
    long devMajor = 0;
    long devMinor = 0;
    if (format != Format.V7) {
      userName = cString(block, 265, 32);
      groupName = cString(block, 297, 32);
      devMajor = p.numeric(block, 329, 8, "devmajor");
      devMinor = p.numeric(block, 337, 8, "devminor");
      String prefix = switch (format) {
        case USTAR -> cString(block, 345, 155);
        case STAR -> {
          p.numeric(block, 476, 12, "atime");
          p.numeric(block, 488, 12, "ctime");
          yield cString(block, 345, 131);
        }
        case GNU -> gnuLegacyPrefix(block);
        case V7 -> "";
      };
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
    }
    if (p.error != null) {
      throw new TarFormatException(at, "invalid " + p.error + " field");
    }
    return new HeaderBlock(type, name, link, size, mode, uid, gid, mtime, userName, groupName, devMajor, devMinor, format, at);
  }

  /**
   * GNU headers keep access and change times where ustar has its prefix. Go before 1.8 wrote a
   * prefix there by mistake, so when those times do not parse and the field reads as ASCII, Go
   * takes it as the prefix (golang.org/issue/12594); so does this.
   */
  private static String gnuLegacyPrefix(byte[] block) {
    TarNumbers lenient = new TarNumbers();
    if (block[345] != 0) {
      lenient.numeric(block, 345, 12, "atime");
    }
    if (block[357] != 0) {
      lenient.numeric(block, 357, 12, "ctime");
    }
    if (lenient.error == null) {
      return "";
    }
    int end = cStringEnd(block, 345, 155);
    for (int i = 345; i < end; i++) {
      if ((block[i] & 0x80) != 0) {
        return "";
      }
    }
    return new String(block, 345, end - 345, StandardCharsets.US_ASCII);
  }

  /** The header's format from its magic, after checking its checksum (Go's block.getFormat). */
  static Format format(byte[] b, long at) throws TarFormatException {
    TarNumbers p = new TarNumbers();
    long stored = p.octal(b, 148, 8, "checksum");
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < SIZE; i++) {
      byte c = (i >= 148 && i < 156) ? (byte) ' ' : b[i];
      unsigned += c & 0xff;
      signed += c;
    }
    // POSIX says unsigned; some old writers summed signed bytes, and Go accepts either
    if (p.error != null || (stored != unsigned && stored != signed)) {
      throw new TarFormatException(at, "header checksum mismatch (stored " + (p.error != null ? "unreadable" : stored)
          + ", computed " + unsigned + "): not a tar header");
    }
    if (matches(b, 257, "ustar\0")) {
      return matches(b, 508, "tar\0") ? Format.STAR : Format.USTAR;
    }
    if (matches(b, 257, "ustar ") && matches(b, 263, " \0")) {
      return Format.GNU;
    }
    return Format.V7;
  }

  private static boolean matches(byte[] b, int off, String ascii) {
    for (int i = 0; i < ascii.length(); i++) {
      if (b[off + i] != (byte) ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static int cStringEnd(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return end;
  }

  /** The bytes up to the first NUL (or all of them), decoded as UTF-8 (malformed input replaced). */
  static String cString(byte[] b, int off, int len) {
    return new String(b, off, cStringEnd(b, off, len) - off, StandardCharsets.UTF_8);
  }
}
