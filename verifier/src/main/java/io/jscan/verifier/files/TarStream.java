package io.jscan.verifier.files;

import io.jscan.core.text.OneLine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A strict, streaming tar reader (POSIX ustar with PAX extended headers and GNU long names), for
 * checking layers rather than extracting them. Everything a lenient reader would paper over is an
 * error here: a bad header checksum, content cut short, a malformed number or PAX record. Names are
 * returned as written, so the caller can judge absolute paths and {@code ..} components.
 *
 * <p>Memory is one 512-byte block plus PAX headers, which are capped at {@link #MAX_PAX_BYTES}.
 * Entry content is read through {@link #content()} or skipped by the next {@link #next()}.
 */
public final class TarStream {
  static final int BLOCK = 512;
  /** A PAX or GNU long-name header larger than this is an attempt to exhaust memory. */
  static final int MAX_PAX_BYTES = 1 << 20;
  /** Header text quoted in a message is cut to this many characters (a PAX value may be a megabyte). */
  static final int EXCERPT_CHARS = 40;

  private final InputStream in;
  private final byte[] block = new byte[BLOCK];
  private long position;
  private long remaining;
  private long padding;
  private boolean finished;
  private boolean trailerSeen;
  private final Map<String, String> globalPax = new HashMap<>();

  public TarStream(InputStream in) {
    this.in = in;
  }

  /** Bytes consumed from the underlying stream so far. */
  public long position() {
    return position;
  }

  /** Whether the archive ended with the end-of-archive marker (two zero blocks, or one at EOF). */
  public boolean trailerSeen() {
    return trailerSeen;
  }

  /** The next entry, or empty at the end of the archive. */
  public Optional<TarHeader> next() throws IOException {
    if (finished) {
      return Optional.empty();
    }
    skipRest();
    Map<String, String> pax = new HashMap<>();
    String longName = null;
    String longLink = null;
    while (true) {
      long headerOffset = position;
      if (!readBlockOrEof()) {
        // EOF exactly at a header boundary without the end-of-archive marker (Go's archive/tar accepts it)
        finished = true;
        if (!pax.isEmpty() || longName != null || longLink != null) {
          throw new TarFormatException(headerOffset, "archive ends after an extended header, before its entry");
        }
        return Optional.empty();
      }
      if (isZero(block)) {
        finished = true;
        trailerSeen = true;
        if (!pax.isEmpty() || longName != null || longLink != null) {
          throw new TarFormatException(headerOffset, "end-of-archive marker after an extended header, before its entry");
        }
        return Optional.empty();
      }
      verifyChecksum(headerOffset);
      char type = (char) (block[156] & 0xff);
      long size = parseNumber(block, 124, 12, headerOffset, "size");
      switch (type) {
        case 'x', 'g' -> {
          Map<String, String> records = parsePax(readSmall(size, headerOffset, "PAX header"), headerOffset);
          if (type == 'g') {
            globalPax.putAll(records);
          } else {
            pax.putAll(records);
          }
        }
        case 'L' -> longName = cString(readSmall(size, headerOffset, "GNU long name"));
        case 'K' -> longLink = cString(readSmall(size, headerOffset, "GNU long link name"));
        default -> {
          return Optional.of(header(type, size, headerOffset, pax, longName, longLink));
        }
      }
    }
  }

  private TarHeader header(char type, long size, long offset, Map<String, String> pax, String longName, String longLink)
      throws IOException {
    Map<String, String> attrs = new HashMap<>(globalPax);
    attrs.putAll(pax);
    String name = cString(block, 0, 100);
    boolean ustar = block[257] == 'u' && block[258] == 's' && block[259] == 't' && block[260] == 'a' && block[261] == 'r';
    if (ustar && block[263] == '0') {
      // POSIX ustar ("ustar\0" "00"): a prefix field extends the name; GNU ("ustar " " \0") has none
      String prefix = cString(block, 345, 155);
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
    }
    if (longName != null) {
      name = longName;
    }
    String link = cString(block, 157, 100);
    if (longLink != null) {
      link = longLink;
    }
    name = attrs.getOrDefault("path", name);
    link = attrs.getOrDefault("linkpath", link);
    if (attrs.containsKey("size")) {
      size = parsePaxNumber(attrs.get("size"), offset, "size");
    }
    int mode = (int) (parseNumber(block, 100, 8, offset, "mode") & 07777);
    long uid = attrs.containsKey("uid") ? parsePaxNumber(attrs.get("uid"), offset, "uid") : parseNumber(block, 108, 8, offset, "uid");
    long gid = attrs.containsKey("gid") ? parsePaxNumber(attrs.get("gid"), offset, "gid") : parseNumber(block, 116, 8, offset, "gid");
    int devMajor = 0;
    int devMinor = 0;
    if (type == '3' || type == '4') {
      devMajor = (int) parseNumber(block, 329, 8, offset, "devmajor");
      devMinor = (int) parseNumber(block, 337, 8, offset, "devminor");
    }
    if (name.isEmpty()) {
      throw new TarFormatException(offset, "entry with an empty name");
    }
    // links, directories, devices and FIFOs carry no content (POSIX: their size field is ignored
    // by extractors, so content after them would be invisible to one reader and not another)
    long content = switch (type) {
      case '1', '2', '3', '4', '5', '6' -> 0;
      default -> size;
    };
    if (content != size && size != 0) {
      throw new TarFormatException(offset, "a " + typeName(type) + " entry declares " + size + " bytes of content");
    }
    remaining = content;
    padding = (BLOCK - (content % BLOCK)) % BLOCK;
    return new TarHeader(name, type, mode, content, link, uid, gid, devMajor, devMinor, offset);
  }

  private static String typeName(char type) {
    return switch (type) {
      case '1' -> "hard link";
      case '2' -> "symlink";
      case '3' -> "character device";
      case '4' -> "block device";
      case '5' -> "directory";
      case '6' -> "FIFO";
      default -> "type '" + printable(type) + "'";
    };
  }

  /** The current entry's content; reading past it returns EOF. Valid until the next {@link #next()}. */
  public InputStream content() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return readContent(b, off, len);
      }
    };
  }

  /** Reads the current entry's content; -1 at its end. */
  public int readContent(byte[] b, int off, int len) throws IOException {
    if (remaining == 0) {
      return -1;
    }
    int n = in.read(b, off, (int) Math.min(len, remaining));
    if (n < 0) {
      throw new TarFormatException(position, "archive truncated: " + remaining + " bytes of entry content missing");
    }
    position += n;
    remaining -= n;
    return n;
  }

  /**
   * After the end-of-archive marker: whether any non-zero byte follows (the rest of the stream is
   * read). Writers pad with zeros; anything else is content no extractor sees.
   */
  public boolean dataAfterTrailer() throws IOException {
    byte[] buf = new byte[8192];
    boolean nonZero = false;
    for (int n; (n = in.read(buf)) >= 0; ) {
      position += n;
      for (int i = 0; i < n && !nonZero; i++) {
        nonZero = buf[i] != 0;
      }
    }
    return nonZero;
  }

  private void skipRest() throws IOException {
    byte[] buf = new byte[8192];
    while (remaining > 0) {
      readContent(buf, 0, (int) Math.min(buf.length, remaining));
    }
    skipExactly(padding, "padding");
    padding = 0;
  }

  private void skipExactly(long count, String what) throws IOException {
    byte[] buf = new byte[BLOCK];
    long left = count;
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new TarFormatException(position, "archive truncated in entry " + what);
      }
      position += n;
      left -= n;
    }
  }

  private boolean readBlockOrEof() throws IOException {
    int got = 0;
    while (got < BLOCK) {
      int n = in.read(block, got, BLOCK - got);
      if (n < 0) {
        if (got == 0) {
          return false;
        }
        throw new TarFormatException(position, "archive truncated inside a header block");
      }
      got += n;
      position += n;
    }
    return true;
  }

  private byte[] readSmall(long size, long offset, String what) throws IOException {
    if (size > MAX_PAX_BYTES) {
      throw new TarFormatException(offset, what + " of " + size + " bytes exceeds the limit of " + MAX_PAX_BYTES);
    }
    byte[] data = new byte[(int) size];
    int got = 0;
    while (got < data.length) {
      int n = in.read(data, got, data.length - got);
      if (n < 0) {
        throw new TarFormatException(position, "archive truncated inside a " + what);
      }
      got += n;
      position += n;
    }
    skipExactly((BLOCK - (size % BLOCK)) % BLOCK, what + " padding");
    return data;
  }

  private void verifyChecksum(long offset) throws TarFormatException {
    long stored = parseNumber(block, 148, 8, offset, "checksum");
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      byte b = (i >= 148 && i < 156) ? (byte) ' ' : block[i];
      unsigned += b & 0xff;
      signed += b;
    }
    // POSIX says unsigned; some old writers summed signed bytes, and Go accepts either
    if (stored != unsigned && stored != signed) {
      throw new TarFormatException(offset, "header checksum mismatch (stored " + stored + ", computed " + unsigned + ")");
    }
  }

  /** An octal field (NUL or space terminated, leading spaces allowed) or GNU base-256. */
  static long parseNumber(byte[] b, int off, int len, long offset, String field) throws TarFormatException {
    if ((b[off] & 0x80) != 0) {
      if ((b[off] & 0x40) != 0) {
        throw new TarFormatException(offset, "negative base-256 " + field + " field");
      }
      long value = b[off] & 0x3f;
      for (int i = 1; i < len; i++) {
        if (value >>> 55 != 0) {
          throw new TarFormatException(offset, field + " field overflows");
        }
        value = (value << 8) | (b[off + i] & 0xff);
      }
      return value;
    }
    int i = off;
    int end = off + len;
    while (i < end && (b[i] == ' ' || b[i] == 0)) {
      i++;
    }
    long value = 0;
    boolean digits = false;
    for (; i < end; i++) {
      byte c = b[i];
      if (c == 0 || c == ' ') {
        break;
      }
      if (c < '0' || c > '7') {
        throw new TarFormatException(offset, "invalid octal " + field + " field");
      }
      if (value >>> 60 != 0) {
        throw new TarFormatException(offset, field + " field overflows");
      }
      value = (value << 3) | (c - '0');
      digits = true;
    }
    for (; i < end; i++) {
      if (b[i] != 0 && b[i] != ' ') {
        throw new TarFormatException(offset, "invalid octal " + field + " field");
      }
    }
    return digits ? value : 0;
  }

  private static long parsePaxNumber(String value, long offset, String key) throws TarFormatException {
    try {
      long v = Long.parseLong(value.trim());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new TarFormatException(offset, "invalid PAX " + key + " \"" + OneLine.excerpt(value, EXCERPT_CHARS) + "\"");
    }
  }

  /** PAX records: {@code "<len> <key>=<value>\n"}, len counting the whole record (POSIX pax). */
  static Map<String, String> parsePax(byte[] data, long offset) throws TarFormatException {
    Map<String, String> out = new HashMap<>();
    int i = 0;
    while (i < data.length) {
      if (data[i] == 0) {
        break; // some writers pad the record area with NULs
      }
      int space = i;
      while (space < data.length && data[space] != ' ') {
        space++;
      }
      int length;
      try {
        length = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        throw new TarFormatException(offset, "malformed PAX record length");
      }
      if (length <= space - i + 1 || i + length > data.length || data[i + length - 1] != '\n') {
        throw new TarFormatException(offset, "malformed PAX record");
      }
      String record = new String(data, space + 1, i + length - space - 2, StandardCharsets.UTF_8);
      int eq = record.indexOf('=');
      if (eq <= 0) {
        throw new TarFormatException(offset, "malformed PAX record (no key)");
      }
      out.put(record.substring(0, eq), record.substring(eq + 1));
      i += length;
    }
    return out;
  }

  /** A header's type byte for a message: itself when printable ASCII, else {@code \xNN}. */
  static String printable(char c) {
    return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c);
  }

  private static String cString(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  private static String cString(byte[] b) {
    return cString(b, 0, b.length);
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }
}
