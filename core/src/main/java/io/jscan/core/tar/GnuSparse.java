package io.jscan.core.tar;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * GNU sparse files, read as Go's archive/tar reads them: the old format (type {@code S}, up to
 * four fragments in the header and more in extension blocks after it) and the PAX formats 0.0
 * (repeated offset/numbytes records), 0.1 ({@code GNU.sparse.map}) and 1.0 (the map at the start
 * of the data), which {@code GNU.sparse.name} renames. Maps list the fragments that hold data;
 * the rest of the file is holes, read as zeros.
 *
 * <p>Go reads maps of any size; here a map is refused beyond {@link TarReader#MAX_SPECIAL_BYTES}
 * (1 MiB, as for PAX headers), so that a layer cannot make jscan hold an unbounded map.
 */
final class GnuSparse {
  private GnuSparse() {}

  /** A fragment of the file that holds data (or, once inverted, a hole). */
  record Fragment(long offset, long length) {
    long end() {
      return offset + length;
    }
  }

  /** Reads the next 512-byte block of wherever a map continues (the data section, or the stream for extension blocks). */
  @FunctionalInterface
  interface Blocks {
    void next(byte[] block) throws IOException;
  }

  /** How PAX records make a sparse file: its format (1.0 or 0.x), the name and logical size they give it. */
  record PaxSparse(boolean oneZero, String name, Optional<Long> size) {}

  /** Whether PAX records make a GNU sparse file, and which (Go's readGNUSparsePAXHeaders). */
  static Optional<PaxSparse> fromPax(java.util.Map<String, byte[]> pax, long at) throws TarFormatException {
    String major = PaxRecords.text(pax, "GNU.sparse.major");
    String minor = PaxRecords.text(pax, "GNU.sparse.minor");
    boolean oneZero;
    if (major.equals("0") && (minor.equals("0") || minor.equals("1"))) {
      oneZero = false;
    } else if (major.equals("1") && minor.equals("0")) {
      oneZero = true;
    } else if (!major.isEmpty() || !minor.isEmpty()) {
      return Optional.empty(); // a version Go does not know: not a sparse file, nothing renamed
    } else if (!PaxRecords.text(pax, "GNU.sparse.map").isEmpty()) {
      oneZero = false; // 0.0 and 0.1 carry no version
    } else {
      return Optional.empty();
    }
    String name = pax.containsKey("GNU.sparse.name") ? new String(pax.get("GNU.sparse.name"), StandardCharsets.UTF_8) : "";
    String size = PaxRecords.text(pax, "GNU.sparse.size");
    if (size.isEmpty()) {
      size = PaxRecords.text(pax, "GNU.sparse.realsize");
    }
    Optional<Long> logical = Optional.empty();
    if (!size.isEmpty()) {
      try {
        logical = Optional.of(TarNumbers.parseDecimal(size));
      } catch (NumberFormatException e) {
        throw new TarFormatException(at, "invalid GNU sparse size");
      }
    }
    return Optional.of(new PaxSparse(oneZero, name, logical));
  }

  /** GNU sparse 0.0 and 0.1: {@code GNU.sparse.numblocks} offset,length pairs in {@code GNU.sparse.map}. */
  static List<Fragment> map0x1(java.util.Map<String, byte[]> pax, long at) throws TarFormatException {
    long count;
    try {
      count = TarNumbers.parseDecimal(PaxRecords.text(pax, "GNU.sparse.numblocks"));
    } catch (NumberFormatException e) {
      throw new TarFormatException(at, "invalid GNU sparse numblocks");
    }
    String map = PaxRecords.text(pax, "GNU.sparse.map");
    List<String> parts = new ArrayList<>();
    if (!map.isEmpty()) {
      int from = 0;
      for (int comma; (comma = map.indexOf(',', from)) >= 0; from = comma + 1) {
        parts.add(map.substring(from, comma)); // empty parts count, as in Go's strings.Split
      }
      parts.add(map.substring(from));
    }
    if (count < 0 || count > Integer.MAX_VALUE || parts.size() != 2 * count) {
      throw new TarFormatException(at, "GNU sparse map does not have numblocks entries");
    }
    List<Fragment> fragments = new ArrayList<>();
    for (int i = 0; i + 1 < parts.size(); i += 2) {
      try {
        fragments.add(new Fragment(TarNumbers.parseDecimal(parts.get(i)), TarNumbers.parseDecimal(parts.get(i + 1))));
      } catch (NumberFormatException e) {
        throw new TarFormatException(at, "invalid GNU sparse map entry");
      }
    }
    return fragments;
  }

  /**
   * GNU sparse 1.0: at the start of the data, in whole blocks, a count and then offset and length
   * pairs, each a decimal number on its own line (GNU's manual says octal, GNU tar writes decimal,
   * Go reads decimal). The data proper starts at the block after the last line.
   */
  static List<Fragment> map1x0(Blocks data, long at) throws IOException {
    Tokens tokens = new Tokens(data, at);
    long count;
    try {
      count = TarNumbers.parseDecimal(tokens.next());
    } catch (NumberFormatException e) {
      throw new TarFormatException(at, "invalid GNU sparse 1.0 map");
    }
    if (count < 0 || count > Long.MAX_VALUE / 2) {
      throw new TarFormatException(at, "invalid GNU sparse 1.0 map");
    }
    List<Fragment> fragments = new ArrayList<>();
    for (long i = 0; i < count; i++) {
      try {
        fragments.add(new Fragment(TarNumbers.parseDecimal(tokens.next()), TarNumbers.parseDecimal(tokens.next())));
      } catch (NumberFormatException e) {
        throw new TarFormatException(at, "invalid GNU sparse 1.0 map entry");
      }
    }
    return fragments;
  }

  /** Newline-separated tokens read block by block, never a block more than the tokens need. */
  private static final class Tokens {
    private final Blocks data;
    private final long at;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private byte[] bytes = new byte[0];
    private int read;

    Tokens(Blocks data, long at) {
      this.data = data;
      this.at = at;
    }

    String next() throws IOException {
      int nl;
      while ((nl = PaxRecords.indexOf(bytes, (byte) '\n', read, bytes.length)) < 0) {
        if (buffer.size() + HeaderBlock.SIZE > TarReader.MAX_SPECIAL_BYTES) {
          throw new TarFormatException(at, "GNU sparse 1.0 map larger than " + TarReader.MAX_SPECIAL_BYTES + " bytes");
        }
        byte[] block = new byte[HeaderBlock.SIZE];
        data.next(block);
        buffer.write(block, 0, block.length);
        bytes = buffer.toByteArray();
      }
      String token = new String(bytes, read, nl - read, StandardCharsets.ISO_8859_1);
      read = nl + 1;
      return token;
    }
  }

  /** The old format's map and the file's logical size. */
  record OldMap(long realSize, List<Fragment> fragments) {}

  /** GNU's old sparse format: up to four entries in {@code header}, more in extension blocks read from {@code extensions}. */
  static OldMap oldGnu(byte[] header, Blocks extensions, long at) throws IOException {
    TarNumbers p = new TarNumbers();
    long realSize = p.numeric(header, 483, 12, "GNU sparse real size");
    if (p.error != null) {
      throw new TarFormatException(at, "invalid " + p.error + " field");
    }
    List<Fragment> fragments = new ArrayList<>();
    byte[] block = header;
    int base = 386;
    int slots = 4;
    int extendedFlag = 482;
    int extensionBlocks = 0;
    while (true) {
      for (int i = 0; i < slots; i++) {
        int e = base + i * 24;
        if (block[e] == 0) {
          break; // GNU and BSD tar stop at the first empty entry; Go too
        }
        long offset = p.numeric(block, e, 12, "GNU sparse offset");
        long length = p.numeric(block, e + 12, 12, "GNU sparse length");
        if (p.error != null) {
          throw new TarFormatException(at, "invalid " + p.error + " field");
        }
        fragments.add(new Fragment(offset, length));
      }
      if (block[extendedFlag] == 0) {
        return new OldMap(realSize, fragments);
      }
      if (++extensionBlocks > TarReader.MAX_SPECIAL_BYTES / HeaderBlock.SIZE) {
        throw new TarFormatException(at, "GNU sparse map larger than " + TarReader.MAX_SPECIAL_BYTES + " bytes");
      }
      block = new byte[HeaderBlock.SIZE];
      extensions.next(block);
      base = 0;
      slots = 21;
      extendedFlag = 504;
    }
  }

  /** Go's validateSparseEntries: in order, not overlapping, inside the file, no negative numbers. */
  static boolean valid(List<Fragment> map, long size) {
    if (size < 0) {
      return false;
    }
    long previousEnd = 0;
    for (Fragment f : map) {
      if (f.offset() < 0 || f.length() < 0 || f.offset() > Long.MAX_VALUE - f.length() || f.end() > size || previousEnd > f.offset()) {
        return false;
      }
      previousEnd = f.end();
    }
    return true;
  }

  /**
   * The holes of a valid map (Go's invertSparseEntries): adjacent data fragments merged, every
   * hole but the last non-empty, the last ending at {@code size}.
   */
  static List<Fragment> holes(List<Fragment> map, long size) {
    List<Fragment> holes = new ArrayList<>();
    long from = 0;
    for (Fragment f : map) {
      if (f.length() == 0) {
        continue;
      }
      if (f.offset() > from) {
        holes.add(new Fragment(from, f.offset() - from));
      }
      from = f.end();
    }
    holes.add(new Fragment(from, size - from));
    return holes;
  }

  /** Bytes of data a valid map references. */
  static long dataBytes(List<Fragment> map) {
    long total = 0;
    for (Fragment f : map) {
      total += f.length();
    }
    return total;
  }
}
