package io.jscan.core.tar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one tar reader of jscan: every layer, docker-archive and ADD archive is read through it, so
 * that jscan sees the entries a container runtime will extract, no more and no fewer.
 *
 * <p>It reads as Go's {@code archive/tar} does, which is what containerd, Docker, podman
 * (containers/storage) and BuildKit extract with, and it skips global PAX headers as they do:
 * <ul>
 *   <li>a global header ({@code g}) is never applied to later entries (POSIX says it should be;
 *       Go returns it as an entry of its own and the runtimes ignore that entry). Its records are
 *       kept in {@link #globalHeaders()} so that a verifier can report a header that readers
 *       following POSIX would read differently;
 *   <li>a local header ({@code x}) applies to the next entry only, and a second one replaces the
 *       first instead of adding to it; a global header between them and the entry drops them;
 *   <li>a GNU long name or link ({@code L}, {@code K}) wins over a PAX {@code path} or
 *       {@code linkpath}; an empty record value keeps the header's field;
 *   <li>the ustar prefix applies whatever the version field says; the old NUL type flag becomes a
 *       directory only when the name ends with {@code /} (a {@code 0} entry named {@code a/} stays a file);
 *   <li>numbers: octal with leading and trailing spaces and NULs trimmed and the rest cut at the
 *       first NUL, or base-256 (negative allowed, overflow refused); the checksum may be summed
 *       over signed or unsigned bytes;
 *   <li>GNU sparse files, old ({@code S}, with extension headers) and PAX 0.0, 0.1 and 1.0, are
 *       read with their holes as zeros, and {@code GNU.sparse.name} renames them;
 *   <li>the end is two zero blocks, one zero block at the end of the stream, or the end of the
 *       stream at a header boundary or inside the last entry's padding; a zero block followed by
 *       anything but a second one is an error; what follows the end marker is not read.
 * </ul>
 *
 * <p>Where Go would fail, this reader throws {@link TarFormatException}. It is stricter than Go
 * where readers disagree or where Go would let a layer use unbounded resources, and throws too:
 * a link, directory, device or FIFO that declares content (Go skips none of it, other readers
 * skip it); a negative mode, owner or device number, an owner above {@link TarEntry#MAX_ID} (a
 * runtime would give the file another owner than the one listed) or a device number above 2^31-1; a GNU sparse map of more
 * than 1 MiB; sparse holes adding up to more than {@link #MAX_SPARSE_HOLE_BYTES} in one stream
 * (a "sparse bomb": a few bytes of layer that expand without bound).
 *
 * <p>Memory is one block plus a PAX header or long name (at most {@link #MAX_SPECIAL_BYTES}, as
 * in Go) and a sparse map. Content is read through {@link #content()} or skipped by the next
 * {@link #next()}; skipping uses {@link InputStream#skip}, so a file stream seeks while a
 * verifying stream still reads (and hashes) what is skipped.
 */
public final class TarReader {
  static final int BLOCK = 512;
  /** The largest PAX header, GNU long name or GNU sparse map read into memory (Go's maxSpecialFileSize). */
  public static final int MAX_SPECIAL_BYTES = 1 << 20;
  /** Sparse holes (zeros that take no room in the stream) allowed in one tar stream. */
  public static final long MAX_SPARSE_HOLE_BYTES = 1L << 30;

  /** A global PAX header that was skipped: where it was and the records it carried. */
  public record GlobalHeader(long offset, Map<String, String> records) {
    public GlobalHeader {
      records = Map.copyOf(records);
    }
  }

  private enum Format { V7, USTAR, STAR, GNU }

  /** One header block, decoded; names still as bytes where Go keeps them as bytes. */
  private record Raw(
      char type, String name, String link, long size, long mode, long uid, long gid, long mtime,
      String userName, String groupName, long devMajor, long devMinor, Format format, long offset) {}

  private final InputStream in;
  private final long maxSparseHoleBytes;
  private final byte[] block = new byte[BLOCK];
  private final byte[] scratch = new byte[64 * 1024];
  private long position;

  private long physicalRemaining;
  private long padding;
  private long dataOffset = -1;
  /** Hole fragments of the current sparse entry (Go's normalised sparseHoles); null when not sparse. */
  private long[] holeStart;
  private long[] holeEnd;
  private int holeIndex;
  private long logicalPosition;
  private long logicalSize;
  private long holeBytes;

  private TarFormatException failure;
  private boolean finished;
  private boolean trailerSeen;
  private final List<GlobalHeader> globalHeaders = new ArrayList<>();

  public TarReader(InputStream in) {
    this(in, MAX_SPARSE_HOLE_BYTES);
  }

  /** A reader that allows {@code maxSparseHoleBytes} of sparse holes in the stream instead of {@link #MAX_SPARSE_HOLE_BYTES}. */
  public TarReader(InputStream in, long maxSparseHoleBytes) {
    if (maxSparseHoleBytes < 0) {
      throw new IllegalArgumentException("negative hole limit");
    }
    this.in = in;
    this.maxSparseHoleBytes = maxSparseHoleBytes;
  }

  /**
   * Whether {@code in} starts with a tar header Go's reader accepts (a global PAX header counts):
   * Docker's test for "is this file a tar archive" (ADD's automatic extraction). An archive of
   * nothing but its end marker is not one.
   */
  public static boolean startsWithHeader(InputStream in) {
    TarReader r = new TarReader(in);
    try {
      return r.step() != null;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Bytes consumed from the underlying stream so far. */
  public long position() {
    return position;
  }

  /**
   * Where the current entry's data starts in the stream (after its header, PAX records and GNU
   * sparse extension headers). For a sparse entry this is the stored, not the expanded, data.
   */
  public long dataOffset() {
    return dataOffset;
  }

  /** Whether the archive ended with an end-of-archive marker (two zero blocks, or one at the end of the stream). */
  public boolean trailerSeen() {
    return trailerSeen;
  }

  /** The global PAX headers met so far, none of which applied to any entry. */
  public List<GlobalHeader> globalHeaders() {
    return List.copyOf(globalHeaders);
  }

  /** The next entry (global PAX headers are skipped), or empty at the end of the archive. */
  public Optional<TarEntry> next() throws IOException {
    while (true) {
      Object step = step();
      if (step == null) {
        return Optional.empty();
      }
      if (step instanceof TarEntry entry) {
        return Optional.of(entry);
      }
      // a global header: Go hands it out as an entry of its own; containerd, Docker and podman skip it
    }
  }

  /** One call of Go's Reader.Next: an entry, a {@link GlobalHeader}, or null at the end. */
  private Object step() throws IOException {
    if (failure != null) {
      throw failure;
    }
    if (finished) {
      return null;
    }
    try {
      Object result = readNext();
      if (result == null) {
        finished = true;
      }
      return result;
    } catch (TarFormatException e) {
      failure = e;
      throw e;
    }
  }

  private Object readNext() throws IOException {
    Map<String, byte[]> pax = Map.of();
    String longName = "";
    String longLink = "";
    while (true) {
      discard(physicalRemaining, "content");
      physicalRemaining = 0;
      holeStart = null;
      if (!skipPadding()) {
        return null; // the stream ends inside the last entry's padding: Go's io.EOF
      }
      Raw h = readHeader();
      if (h == null) {
        return null;
      }
      long content = headerOnly(h.type()) ? 0 : h.size();
      if (content < 0) {
        throw new TarFormatException(h.offset(), "negative size " + h.size());
      }
      physicalRemaining = content;
      padding = padding(content);
      switch (h.type()) {
        case 'x', 'g' -> {
          Map<String, byte[]> records = parsePax(readSpecial(h.offset(), "PAX header"), h.offset());
          if (h.type() == 'g') {
            Map<String, String> decoded = new LinkedHashMap<>();
            records.forEach((k, v) -> decoded.put(k, utf8(v)));
            GlobalHeader g = new GlobalHeader(h.offset(), decoded);
            globalHeaders.add(g);
            return g;
          }
          pax = records;
        }
        case 'L' -> longName = cString(readSpecial(h.offset(), "GNU long name"));
        case 'K' -> longLink = cString(readSpecial(h.offset(), "GNU long link name"));
        default -> {
          return entry(h, pax, longName, longLink);
        }
      }
    }
  }

  private TarEntry entry(Raw h, Map<String, byte[]> pax, String longName, String longLink) throws IOException {
    long at = h.offset();
    String name = h.name();
    String link = h.link();
    String userName = h.userName();
    String groupName = h.groupName();
    long uid = h.uid();
    long gid = h.gid();
    long size = h.size();
    long mtimeSeconds = h.mtime();
    int mtimeNanos = 0;
    Map<String, byte[]> xattrs = new HashMap<>();
    for (Map.Entry<String, byte[]> r : pax.entrySet()) {
      byte[] value = r.getValue();
      if (value.length == 0) {
        continue; // an empty value keeps the header's field
      }
      String key = r.getKey();
      switch (key) {
        case "path" -> name = utf8(value);
        case "linkpath" -> link = utf8(value);
        case "uname" -> userName = utf8(value);
        case "gname" -> groupName = utf8(value);
        case "uid" -> uid = paxNumber(value, at, key);
        case "gid" -> gid = paxNumber(value, at, key);
        case "size" -> size = paxNumber(value, at, key);
        case "atime", "ctime" -> paxTime(value, at, key);
        case "mtime" -> {
          long[] t = paxTime(value, at, key);
          mtimeSeconds = t[0];
          mtimeNanos = (int) t[1];
        }
        default -> {
          if (key.startsWith("SCHILY.xattr.")) {
            xattrs.put(key.substring("SCHILY.xattr.".length()), value.clone());
          }
        }
      }
    }
    if (!longName.isEmpty()) {
      name = longName;
    }
    if (!longLink.isEmpty()) {
      link = longLink;
    }
    char type = h.type();
    if (type == '\0') {
      type = name.endsWith("/") ? '5' : '0';
    }
    long content = headerOnly(type) ? 0 : size;
    if (content < 0) {
      throw new TarFormatException(at, "negative size " + size);
    }
    physicalRemaining = content;
    padding = padding(content);
    boolean sparse = false;
    List<long[]> map = null;
    if (type == 'S') {
      if (h.format() != Format.GNU) {
        throw new TarFormatException(at, "an old GNU sparse entry in a header that is not GNU format");
      }
      long[] realSize = new long[1];
      map = oldGnuSparseMap(at, realSize);
      size = realSize[0];
    } else {
      PaxSparse p = paxSparse(pax, at);
      if (p != null) {
        if (!p.name().isEmpty()) {
          name = p.name();
        }
        if (p.size().isPresent()) {
          size = p.size().get();
        }
        map = p.oneZero() ? sparseMap1x0(at) : sparseMap0x1(pax, at);
      }
    }
    if (map != null) {
      if (headerOnly(type) || !validSparseMap(map, size)) {
        throw new TarFormatException(at, "invalid GNU sparse map");
      }
      sparse = true;
      startSparse(map, size, at);
    }
    dataOffset = position;
    // jscan's own rules, where readers disagree or a runtime would do something else
    if (headerOnly(type) && size != 0) {
      throw new TarFormatException(at, "a " + TarEntry.describeType(type) + " entry declares " + size
          + " bytes of content: Go's reader skips none of it, others skip it");
    }
    if (h.mode() < 0) {
      throw new TarFormatException(at, "negative mode");
    }
    checkId(uid, "owner", at);
    checkId(gid, "group", at);
    boolean device = type == '3' || type == '4';
    if (device && (h.devMajor() < 0 || h.devMinor() < 0 || h.devMajor() > Integer.MAX_VALUE || h.devMinor() > Integer.MAX_VALUE)) {
      throw new TarFormatException(at, "device number " + h.devMajor() + "," + h.devMinor() + " is outside 0.." + Integer.MAX_VALUE);
    }
    return new TarEntry(name, link, type, h.mode(), uid, gid, userName, groupName, mtimeSeconds, mtimeNanos, size,
        device ? h.devMajor() : 0, device ? h.devMinor() : 0, decode(pax), xattrs, sparse, at);
  }

  private static void checkId(long id, String what, long at) throws TarFormatException {
    if (id < 0 || id > TarEntry.MAX_ID) {
      throw new TarFormatException(at, what + " id " + id + " is outside 0.." + TarEntry.MAX_ID
          + ": a runtime would give the file another " + what);
    }
  }

  private static Map<String, String> decode(Map<String, byte[]> pax) {
    Map<String, String> out = new HashMap<>();
    pax.forEach((k, v) -> out.put(k, utf8(v)));
    return out;
  }

  private static boolean headerOnly(char type) {
    return type >= '1' && type <= '6';
  }

  private static long padding(long size) {
    return (BLOCK - (size % BLOCK)) % BLOCK;
  }

  // ------------------------------------------------------------------ content

  /** The current entry's content (sparse holes as zeros); reading past it returns EOF; closing it does nothing. */
  public InputStream content() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int n = readContent(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return readContent(b, off, len);
      }

      @Override
      public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n) {
          int r = readContent(scratch, 0, (int) Math.min(scratch.length, n - skipped));
          if (r < 0) {
            break;
          }
          skipped += r;
        }
        return skipped;
      }
    };
  }

  /** Reads the current entry's content; -1 at its end (even when {@code len} is 0), else at least one byte unless {@code len} is 0. */
  public int readContent(byte[] b, int off, int len) throws IOException {
    if (failure != null) {
      throw failure;
    }
    boolean atEnd = holeStart == null ? physicalRemaining == 0 : logicalPosition >= logicalSize;
    if (atEnd) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    try {
      return holeStart == null ? readPhysical(b, off, len) : readSparse(b, off, len);
    } catch (TarFormatException e) {
      failure = e;
      throw e;
    }
  }

  private int readPhysical(byte[] b, int off, int len) throws IOException {
    if (physicalRemaining == 0) {
      return -1;
    }
    int n = in.read(b, off, (int) Math.min(len, physicalRemaining));
    if (n < 0) {
      throw new TarFormatException(position, "archive truncated: " + physicalRemaining + " bytes of entry content missing");
    }
    position += n;
    physicalRemaining -= n;
    return n;
  }

  /** As Go's sparseFileReader: data fragments from the stream, holes as zeros. */
  private int readSparse(byte[] b, int off, int len) throws IOException {
    if (logicalPosition >= logicalSize) {
      return -1;
    }
    int want = (int) Math.min(len, logicalSize - logicalPosition);
    int done = 0;
    while (done < want) {
      long start = holeStart[holeIndex];
      long end = holeEnd[holeIndex];
      int n;
      if (logicalPosition < start) {
        n = (int) Math.min(want - done, start - logicalPosition);
        if (physicalRemaining < n) {
          throw new TarFormatException(position, "sparse file references data the archive does not hold");
        }
        n = readPhysical(b, off + done, n);
      } else {
        n = (int) Math.min(want - done, end - logicalPosition);
        java.util.Arrays.fill(b, off + done, off + done + n, (byte) 0);
      }
      done += n;
      logicalPosition += n;
      if (logicalPosition >= end && holeIndex < holeStart.length - 1) {
        holeIndex++;
      }
      if (n == 0) {
        break;
      }
    }
    return done;
  }

  /**
   * After the end-of-archive marker: whether any non-zero byte follows (the rest of the stream is
   * read). Writers pad with zeros; anything else is content no extractor sees.
   */
  public boolean dataAfterTrailer() throws IOException {
    boolean nonZero = false;
    for (int n; (n = in.read(scratch)) >= 0; ) {
      position += n;
      for (int i = 0; i < n && !nonZero; i++) {
        nonZero = scratch[i] != 0;
      }
    }
    return nonZero;
  }

  // ------------------------------------------------------------------ blocks

  /** Skips {@code count} bytes that must be there (Go's discard: seek to one byte short, then read it). */
  private void discard(long count, String what) throws IOException {
    long left = count;
    while (left > 1) {
      long skipped = in.skip(left - 1);
      if (skipped <= 0) {
        int n = in.read(scratch, 0, (int) Math.min(scratch.length, left));
        if (n < 0) {
          throw new TarFormatException(position, "archive truncated inside an entry's " + what);
        }
        skipped = n;
      }
      position += skipped;
      left -= skipped;
    }
    if (left == 1) {
      if (in.read() < 0) {
        throw new TarFormatException(position, "archive truncated inside an entry's " + what);
      }
      position++;
    }
  }

  /** Skips the current entry's padding; false when the stream ends first (Go ends the archive there, cleanly). */
  private boolean skipPadding() throws IOException {
    long left = padding;
    padding = 0;
    while (left > 0) {
      int n = in.read(scratch, 0, (int) Math.min(scratch.length, left));
      if (n < 0) {
        return false;
      }
      position += n;
      left -= n;
    }
    return true;
  }

  /** Reads up to a block; the number of bytes read (less than a block only at the end of the stream). */
  private int readBlock() throws IOException {
    int got = 0;
    while (got < BLOCK) {
      int n = in.read(block, got, BLOCK - got);
      if (n < 0) {
        break;
      }
      got += n;
      position += n;
    }
    return got;
  }

  private byte[] readSpecial(long at, String what) throws IOException {
    if (physicalRemaining > MAX_SPECIAL_BYTES) {
      throw new TarFormatException(at, what + " of " + physicalRemaining + " bytes exceeds the limit of " + MAX_SPECIAL_BYTES);
    }
    byte[] data = new byte[(int) physicalRemaining];
    int got = 0;
    while (got < data.length) {
      int n = in.read(data, got, data.length - got);
      if (n < 0) {
        throw new TarFormatException(position, "archive truncated inside a " + what);
      }
      got += n;
      position += n;
    }
    physicalRemaining = 0;
    return data;
  }

  /** The next header, or null at the end of the archive. */
  private Raw readHeader() throws IOException {
    long at = position;
    int got = readBlock();
    if (got == 0) {
      return null; // the stream ends at a header boundary without an end marker: Go accepts it
    }
    if (got < BLOCK) {
      throw new TarFormatException(at, "archive truncated inside a header block");
    }
    if (isZero(block)) {
      trailerSeen = true;
      int second = readBlock();
      if (second == 0) {
        return null; // one zero block, then the end of the stream
      }
      if (second < BLOCK) {
        throw new TarFormatException(at + BLOCK, "archive truncated inside the end-of-archive marker");
      }
      if (!isZero(block)) {
        throw new TarFormatException(at + BLOCK, "a zero block followed by a header: the end-of-archive marker is two zero blocks");
      }
      return null;
    }
    Format format = format(block, at);
    Numbers p = new Numbers();
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
      String prefix = "";
      switch (format) {
        case USTAR -> prefix = cString(block, 345, 155);
        case STAR -> {
          prefix = cString(block, 345, 131);
          p.numeric(block, 476, 12, "atime");
          p.numeric(block, 488, 12, "ctime");
        }
        case GNU -> {
          // access and change times; Go before 1.8 wrote a ustar prefix here by mistake, so when
          // they do not parse and the field reads as ASCII it is taken as the prefix
          Numbers lenient = new Numbers();
          if (block[345] != 0) {
            lenient.numeric(block, 345, 12, "atime");
          }
          if (block[357] != 0) {
            lenient.numeric(block, 357, 12, "ctime");
          }
          if (lenient.error != null) {
            int end = cStringEnd(block, 345, 155);
            boolean ascii = true;
            for (int i = 345; i < end; i++) {
              ascii &= (block[i] & 0x80) == 0;
            }
            if (ascii) {
              prefix = new String(block, 345, end - 345, StandardCharsets.US_ASCII);
            }
          }
        }
        default -> {}
      }
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
    }
    if (p.error != null) {
      throw new TarFormatException(at, "invalid " + p.error + " field");
    }
    return new Raw(type, name, link, size, mode, uid, gid, mtime, userName, groupName, devMajor, devMinor, format, at);
  }

  /** The header's format from its magic, after checking its checksum (Go's block.getFormat). */
  private static Format format(byte[] b, long at) throws TarFormatException {
    Numbers p = new Numbers();
    long stored = p.octal(b, 148, 8, "checksum");
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      byte c = (i >= 148 && i < 156) ? (byte) ' ' : b[i];
      unsigned += c & 0xff;
      signed += c;
    }
    // POSIX says unsigned; some old writers summed signed bytes, and Go accepts either
    if (p.error != null || (stored != unsigned && stored != signed)) {
      throw new TarFormatException(at, "header checksum mismatch (stored " + (p.error != null ? "unreadable" : stored)
          + ", computed " + unsigned + "): not a tar header");
    }
    boolean ustarMagic = matches(b, 257, "ustar\0");
    if (ustarMagic) {
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

  // ------------------------------------------------------------------ numbers

  /** Go's header number parser: remembers the first field that did not parse. */
  static final class Numbers {
    String error;

    /** Base-256 when the first byte's top bit is set (two's complement), else octal. */
    long numeric(byte[] b, int off, int len, String field) {
      if ((b[off] & 0x80) != 0) {
        int inv = (b[off] & 0x40) != 0 ? 0xff : 0;
        long x = 0;
        for (int i = 0; i < len; i++) {
          int c = (b[off + i] ^ inv) & 0xff;
          if (i == 0) {
            c &= 0x7f;
          }
          if ((x >>> 56) != 0) {
            fail(field);
            return 0;
          }
          x = (x << 8) | c;
        }
        if ((x >>> 63) != 0) {
          fail(field);
          return 0;
        }
        return inv == 0xff ? ~x : x;
      }
      return octal(b, off, len, field);
    }

    /** Octal: spaces and NULs trimmed at both ends, then cut at the first NUL; empty is 0. */
    long octal(byte[] b, int off, int len, String field) {
      int start = off;
      int end = off + len;
      while (start < end && (b[start] == ' ' || b[start] == 0)) {
        start++;
      }
      while (end > start && (b[end - 1] == ' ' || b[end - 1] == 0)) {
        end--;
      }
      if (start == end) {
        return 0;
      }
      for (int i = start; i < end; i++) {
        if (b[i] == 0) {
          end = i;
          break;
        }
      }
      long x = 0;
      for (int i = start; i < end; i++) {
        int c = b[i];
        if (c < '0' || c > '7' || (x >>> 61) != 0) {
          fail(field);
          return 0;
        }
        x = (x << 3) | (c - '0');
      }
      return x;
    }

    private void fail(String field) {
      if (error == null) {
        error = field;
      }
    }
  }

  /** Go's strconv.ParseInt(s, 10, 64): an optional sign and ASCII digits, nothing else. */
  static long parseDecimal(String s) throws NumberFormatException {
    int i = 0;
    boolean negative = false;
    if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
      negative = s.charAt(0) == '-';
      i = 1;
    }
    if (i == s.length()) {
      throw new NumberFormatException(s);
    }
    long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
    long value = 0; // accumulated negatively, so that Long.MIN_VALUE fits
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw new NumberFormatException(s);
      }
      int digit = c - '0';
      if (value < (limit + digit) / 10 || value * 10 < limit + digit) {
        throw new NumberFormatException(s);
      }
      value = value * 10 - digit;
    }
    return negative ? value : -value;
  }

  private static long paxNumber(byte[] value, long at, String key) throws TarFormatException {
    try {
      return parseDecimal(new String(value, StandardCharsets.ISO_8859_1));
    } catch (NumberFormatException e) {
      throw new TarFormatException(at, "invalid PAX " + key + " record");
    }
  }

  /** A PAX time {@code [-]SECONDS[.FRACTION]} as Go's parsePAXTime and time.Unix make it: {seconds, nanos}. */
  private static long[] paxTime(byte[] value, long at, String key) throws TarFormatException {
    String s = new String(value, StandardCharsets.ISO_8859_1);
    int dot = s.indexOf('.');
    String whole = dot < 0 ? s : s.substring(0, dot);
    String fraction = dot < 0 ? "" : s.substring(dot + 1);
    long seconds;
    try {
      seconds = parseDecimal(whole);
    } catch (NumberFormatException e) {
      throw new TarFormatException(at, "invalid PAX " + key + " record");
    }
    if (fraction.isEmpty()) {
      return new long[] {seconds, 0};
    }
    for (int i = 0; i < fraction.length(); i++) {
      if (fraction.charAt(i) < '0' || fraction.charAt(i) > '9') {
        throw new TarFormatException(at, "invalid PAX " + key + " record");
      }
    }
    String nine = fraction.length() < 9 ? fraction + "0".repeat(9 - fraction.length()) : fraction.substring(0, 9);
    long nanos = Long.parseLong(nine);
    if (whole.startsWith("-")) {
      nanos = -nanos;
    }
    // time.Unix: carry nanoseconds outside [0, 1e9) into the seconds (wrapping as Go's int64 does)
    if (nanos < 0) {
      nanos += 1_000_000_000L;
      seconds--;
    }
    return new long[] {seconds, nanos};
  }

  // ------------------------------------------------------------------ PAX records

  /**
   * PAX records: {@code "<len> <key>=<value>\n"}, {@code len} counting the whole record (POSIX
   * pax), parsed as Go does: anything else in the header (NUL padding included) is an error.
   * GNU sparse 0.0's repeated {@code GNU.sparse.offset}/{@code numbytes} become one
   * {@code GNU.sparse.map}. Keys are decoded as UTF-8, values kept as bytes.
   */
  static Map<String, byte[]> parsePax(byte[] data, long at) throws TarFormatException {
    Map<String, byte[]> records = new LinkedHashMap<>();
    List<String> sparseMap = new ArrayList<>();
    int i = 0;
    while (i < data.length) {
      int space = indexOf(data, (byte) ' ', i, data.length);
      if (space < 0) {
        throw new TarFormatException(at, "malformed PAX record (no length)");
      }
      String lengthText = new String(data, i, space - i, StandardCharsets.ISO_8859_1);
      long length;
      try {
        length = parseDecimal(lengthText);
      } catch (NumberFormatException e) {
        throw new TarFormatException(at, "malformed PAX record length");
      }
      if (length < 5 || length > data.length - i) {
        throw new TarFormatException(at, "malformed PAX record length");
      }
      long rest = length - (lengthText.length() + 1);
      if (rest <= 0) {
        throw new TarFormatException(at, "malformed PAX record");
      }
      int recordStart = space + 1;
      int newline = recordStart + (int) rest - 1;
      if (data[newline] != '\n') {
        throw new TarFormatException(at, "malformed PAX record (no newline at its end)");
      }
      int eq = indexOf(data, (byte) '=', recordStart, newline);
      if (eq < 0) {
        throw new TarFormatException(at, "malformed PAX record (no key)");
      }
      if (eq == recordStart) {
        throw new TarFormatException(at, "malformed PAX record (empty key)");
      }
      String key = new String(data, recordStart, eq - recordStart, StandardCharsets.UTF_8);
      byte[] value = java.util.Arrays.copyOfRange(data, eq + 1, newline);
      boolean nameLike = key.equals("path") || key.equals("linkpath") || key.equals("uname") || key.equals("gname");
      if (nameLike ? indexOf(value, (byte) 0, 0, value.length) >= 0 : indexOf(data, (byte) 0, recordStart, eq) >= 0) {
        throw new TarFormatException(at, "malformed PAX record (NUL in " + (nameLike ? "value" : "key") + ")");
      }
      if (key.equals("GNU.sparse.offset") || key.equals("GNU.sparse.numbytes")) {
        boolean wantOffset = sparseMap.size() % 2 == 0;
        if (wantOffset != key.equals("GNU.sparse.offset") || indexOf(value, (byte) ',', 0, value.length) >= 0) {
          throw new TarFormatException(at, "malformed GNU sparse 0.0 records");
        }
        sparseMap.add(new String(value, StandardCharsets.ISO_8859_1));
      } else {
        records.put(key, value);
      }
      i = newline + 1;
    }
    if (!sparseMap.isEmpty()) {
      records.put("GNU.sparse.map", String.join(",", sparseMap).getBytes(StandardCharsets.ISO_8859_1));
    }
    return records;
  }

  // ------------------------------------------------------------------ GNU sparse files

  private record PaxSparse(boolean oneZero, String name, Optional<Long> size) {}

  /** Whether the PAX records make a GNU sparse file (0.0, 0.1 or 1.0), and its name and size (Go's readGNUSparsePAXHeaders). */
  private static PaxSparse paxSparse(Map<String, byte[]> pax, long at) throws TarFormatException {
    String major = text(pax, "GNU.sparse.major");
    String minor = text(pax, "GNU.sparse.minor");
    boolean oneZero;
    if (major.equals("0") && (minor.equals("0") || minor.equals("1"))) {
      oneZero = false;
    } else if (major.equals("1") && minor.equals("0")) {
      oneZero = true;
    } else if (!major.isEmpty() || !minor.isEmpty()) {
      return null; // a version Go does not know: not a sparse file
    } else if (!text(pax, "GNU.sparse.map").isEmpty()) {
      oneZero = false; // 0.0 and 0.1 carry no version
    } else {
      return null;
    }
    String name = pax.containsKey("GNU.sparse.name") ? utf8(pax.get("GNU.sparse.name")) : "";
    String size = text(pax, "GNU.sparse.size");
    if (size.isEmpty()) {
      size = text(pax, "GNU.sparse.realsize");
    }
    Optional<Long> logical = Optional.empty();
    if (!size.isEmpty()) {
      try {
        logical = Optional.of(parseDecimal(size));
      } catch (NumberFormatException e) {
        throw new TarFormatException(at, "invalid GNU sparse size");
      }
    }
    return new PaxSparse(oneZero, name, logical);
  }

  private static String text(Map<String, byte[]> pax, String key) {
    byte[] v = pax.get(key);
    return v == null ? "" : new String(v, StandardCharsets.ISO_8859_1);
  }

  /** GNU sparse 0.0/0.1: {@code GNU.sparse.numblocks} pairs in {@code GNU.sparse.map}. */
  private static List<long[]> sparseMap0x1(Map<String, byte[]> pax, long at) throws TarFormatException {
    long count;
    try {
      count = parseDecimal(text(pax, "GNU.sparse.numblocks"));
    } catch (NumberFormatException e) {
      throw new TarFormatException(at, "invalid GNU sparse numblocks");
    }
    String map = text(pax, "GNU.sparse.map");
    List<String> parts = new ArrayList<>();
    if (!map.isEmpty()) {
      int from = 0;
      for (int comma; (comma = map.indexOf(',', from)) >= 0; from = comma + 1) {
        parts.add(map.substring(from, comma));
      }
      parts.add(map.substring(from));
    }
    if (count < 0 || count > Integer.MAX_VALUE || parts.size() != 2 * count) {
      throw new TarFormatException(at, "GNU sparse map does not have numblocks entries");
    }
    List<long[]> entries = new ArrayList<>();
    for (int i = 0; i + 1 < parts.size(); i += 2) {
      try {
        entries.add(new long[] {parseDecimal(parts.get(i)), parseDecimal(parts.get(i + 1))});
      } catch (NumberFormatException e) {
        throw new TarFormatException(at, "invalid GNU sparse map entry");
      }
    }
    return entries;
  }

  /**
   * GNU sparse 1.0: the map is at the start of the data, in blocks: a count, then offset and
   * length pairs, each a decimal number on a line. The data proper starts at the next block.
   */
  private List<long[]> sparseMap1x0(long at) throws IOException {
    java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
    long[] newlines = {0};
    int[] read = {0};
    feedMapBlocks(1, buffer, newlines, at);
    byte[] bytes = buffer.toByteArray();
    long count;
    try {
      count = parseDecimal(nextToken(bytes, read, newlines));
    } catch (NumberFormatException e) {
      throw new TarFormatException(at, "invalid GNU sparse 1.0 map");
    }
    if (count < 0 || count > (Long.MAX_VALUE / 2)) {
      throw new TarFormatException(at, "invalid GNU sparse 1.0 map");
    }
    feedMapBlocks(2 * count, buffer, newlines, at);
    bytes = buffer.toByteArray();
    List<long[]> entries = new ArrayList<>();
    for (long i = 0; i < count; i++) {
      try {
        entries.add(new long[] {parseDecimal(nextToken(bytes, read, newlines)), parseDecimal(nextToken(bytes, read, newlines))});
      } catch (NumberFormatException e) {
        throw new TarFormatException(at, "invalid GNU sparse 1.0 map entry");
      }
    }
    return entries;
  }

  private void feedMapBlocks(long wanted, java.io.ByteArrayOutputStream buffer, long[] newlines, long at) throws IOException {
    byte[] b = new byte[BLOCK];
    while (newlines[0] < wanted) {
      if (buffer.size() + BLOCK > MAX_SPECIAL_BYTES) {
        throw new TarFormatException(at, "GNU sparse 1.0 map larger than " + MAX_SPECIAL_BYTES + " bytes");
      }
      if (physicalRemaining < BLOCK) {
        throw new TarFormatException(position, "GNU sparse 1.0 map runs past the entry's data");
      }
      int got = 0;
      while (got < BLOCK) {
        int n = readPhysical(b, got, BLOCK - got);
        got += n;
      }
      buffer.write(b, 0, BLOCK);
      for (byte c : b) {
        if (c == '\n') {
          newlines[0]++;
        }
      }
    }
  }

  private static String nextToken(byte[] bytes, int[] read, long[] newlines) {
    int nl = indexOf(bytes, (byte) '\n', read[0], bytes.length);
    String token = new String(bytes, read[0], nl - read[0], StandardCharsets.ISO_8859_1);
    read[0] = nl + 1;
    newlines[0]--;
    return token;
  }

  /** GNU's old sparse format: up to four entries in the header, more in extension blocks after it. */
  private List<long[]> oldGnuSparseMap(long at, long[] realSize) throws IOException {
    Numbers p = new Numbers();
    realSize[0] = p.numeric(block, 483, 12, "GNU sparse real size");
    if (p.error != null) {
      throw new TarFormatException(at, "invalid " + p.error + " field");
    }
    List<long[]> entries = new ArrayList<>();
    int base = 386;
    int slots = 4;
    int extendedFlag = 482;
    int extensionBlocks = 0;
    while (true) {
      for (int i = 0; i < slots; i++) {
        int e = base + i * 24;
        if (block[e] == 0) {
          break;
        }
        long offset = p.numeric(block, e, 12, "GNU sparse offset");
        long length = p.numeric(block, e + 12, 12, "GNU sparse length");
        if (p.error != null) {
          throw new TarFormatException(at, "invalid " + p.error + " field");
        }
        entries.add(new long[] {offset, length});
      }
      if (block[extendedFlag] == 0) {
        return entries;
      }
      if (++extensionBlocks > MAX_SPECIAL_BYTES / BLOCK) {
        throw new TarFormatException(at, "GNU sparse map larger than " + MAX_SPECIAL_BYTES + " bytes");
      }
      long extensionAt = position;
      if (readBlock() < BLOCK) {
        throw new TarFormatException(extensionAt, "archive truncated inside a GNU sparse extension header");
      }
      base = 0;
      slots = 21;
      extendedFlag = 504;
    }
  }

  /** Go's validateSparseEntries: in order, not overlapping, inside the file, no negative numbers. */
  private static boolean validSparseMap(List<long[]> map, long size) {
    if (size < 0) {
      return false;
    }
    long previousEnd = 0;
    for (long[] e : map) {
      long offset = e[0];
      long length = e[1];
      if (offset < 0 || length < 0 || offset > Long.MAX_VALUE - length || offset + length > size || previousEnd > offset) {
        return false;
      }
      previousEnd = offset + length;
    }
    return true;
  }

  /**
   * Turns the data fragments into holes (Go's invertSparseEntries: adjacent fragments merged, the
   * last hole ending at the size, possibly empty) and checks, before any content is read, what
   * Go's reader finds when it reads the file to its end: the stored data is exactly as long as the
   * fragments (no missing and no unreferenced data).
   */
  private void startSparse(List<long[]> map, long size, long at) throws TarFormatException {
    List<long[]> holes = new ArrayList<>();
    long holeFrom = 0;
    long data = 0;
    for (long[] e : map) {
      if (e[1] == 0) {
        continue;
      }
      if (e[0] - holeFrom > 0) {
        holes.add(new long[] {holeFrom, e[0]});
      }
      holeFrom = e[0] + e[1];
      data += e[1];
    }
    holes.add(new long[] {holeFrom, size});
    if (data > physicalRemaining) {
      throw new TarFormatException(at, "sparse file references data the archive does not hold");
    }
    if (data < physicalRemaining) {
      throw new TarFormatException(at, "sparse file holds data its map does not reference");
    }
    holeBytes += size - data;
    if (holeBytes > maxSparseHoleBytes) {
      throw new TarFormatException(at, "sparse files expand by more than " + maxSparseHoleBytes
          + " bytes of holes: a sparse bomb");
    }
    holeStart = new long[holes.size()];
    holeEnd = new long[holes.size()];
    for (int i = 0; i < holes.size(); i++) {
      holeStart[i] = holes.get(i)[0];
      holeEnd[i] = holes.get(i)[1];
    }
    holeIndex = 0;
    logicalPosition = 0;
    logicalSize = size;
  }

  // ------------------------------------------------------------------ strings

  private static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static int cStringEnd(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return end;
  }

  private static String cString(byte[] b, int off, int len) {
    return new String(b, off, cStringEnd(b, off, len) - off, StandardCharsets.UTF_8);
  }

  private static String cString(byte[] b) {
    return cString(b, 0, b.length);
  }

  private static int indexOf(byte[] b, byte c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
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
