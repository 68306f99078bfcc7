package io.jscan.core.tar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
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
 * runtime would give the file another owner than the one listed) or a device number above
 * 2^31-1; a GNU sparse map of more than 1 MiB; sparse holes adding up to more than
 * {@link #MAX_SPARSE_HOLE_BYTES} in one stream (a "sparse bomb": a few bytes of layer that expand
 * without bound).
 *
 * <p>The parts: {@link HeaderBlock} decodes a header block, {@link PaxRecords} PAX records,
 * {@link GnuSparse} sparse maps, {@link TarNumbers} numbers; this class keeps the state between
 * headers and reads content.
 *
 * <p>Memory is one block plus a PAX header or long name (at most {@link #MAX_SPECIAL_BYTES}, as
 * in Go) and a sparse map. Content is read through {@link #content()} or skipped by the next
 * {@link #next()}; skipping uses {@link InputStream#skip}, so a file stream seeks while a
 * verifying stream still reads (and hashes) what is skipped.
 */
public final class TarReader {
  static final int BLOCK = HeaderBlock.SIZE;
  /** The largest PAX header, GNU long name or GNU sparse map read into memory (Go's maxSpecialFileSize). */
  public static final int MAX_SPECIAL_BYTES = 1 << 20;
  /** Sparse holes (zeros that take no room in the stream) allowed in one tar stream. */
  public static final long MAX_SPARSE_HOLE_BYTES = 1L << 30;

  /** Global headers whose records are kept (the rest are only counted): a layer can hold millions. */
  static final int KEPT_GLOBAL_HEADERS = 16;

  /** A global PAX header that was skipped: where it was and the records it carried. */
  public record GlobalHeader(long offset, Map<String, String> records) {
    public GlobalHeader {
      records = Map.copyOf(records);
    }
  }

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
  private long globalHeaderCount;

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

  /** The first global PAX headers met so far (at most 16), none of which applied to any entry. */
  public List<GlobalHeader> globalHeaders() {
    return List.copyOf(globalHeaders);
  }

  /** How many global PAX headers were met so far, kept or not. */
  public long globalHeaderCount() {
    return globalHeaderCount;
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
      HeaderBlock h = readHeader();
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
          Map<String, byte[]> records = PaxRecords.parse(readSpecial(h.offset(), "PAX header"), h.offset());
          if (h.type() == 'g') {
            GlobalHeader g = new GlobalHeader(h.offset(), PaxRecords.decoded(records));
            if (globalHeaderCount++ < KEPT_GLOBAL_HEADERS) {
              globalHeaders.add(g);
            }
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

  private TarEntry entry(HeaderBlock h, Map<String, byte[]> pax, String longName, String longLink) throws IOException {
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
        case "uid" -> uid = PaxRecords.number(value, at, key);
        case "gid" -> gid = PaxRecords.number(value, at, key);
        case "size" -> size = PaxRecords.number(value, at, key);
        case "atime", "ctime" -> PaxRecords.time(value, at, key); // not kept, but Go refuses a bad one
        case "mtime" -> {
          long[] t = PaxRecords.time(value, at, key);
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
    List<GnuSparse.Fragment> map = null;
    if (type == 'S') {
      if (h.format() != HeaderBlock.Format.GNU) {
        throw new TarFormatException(at, "an old GNU sparse entry in a header that is not GNU format");
      }
      GnuSparse.OldMap old = GnuSparse.oldGnu(block, extension -> {
        long extensionAt = position;
        if (readBlock(extension) < BLOCK) {
          throw new TarFormatException(extensionAt, "archive truncated inside a GNU sparse extension header");
        }
      }, at);
      map = old.fragments();
      size = old.realSize();
    } else {
      Optional<GnuSparse.PaxSparse> p = GnuSparse.fromPax(pax, at);
      if (p.isPresent()) {
        if (!p.get().name().isEmpty()) {
          name = p.get().name();
        }
        if (p.get().size().isPresent()) {
          size = p.get().size().get();
        }
        map = p.get().oneZero() ? GnuSparse.map1x0(this::readMapBlock, at) : GnuSparse.map0x1(pax, at);
      }
    }
    if (map != null) {
      if (headerOnly(type) || !GnuSparse.valid(map, size)) {
        throw new TarFormatException(at, "invalid GNU sparse map");
      }
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
        device ? h.devMajor() : 0, device ? h.devMinor() : 0, PaxRecords.decoded(pax), xattrs, map != null, at);
  }

  /** The next block of the current entry's data, where a GNU sparse 1.0 map is. */
  private void readMapBlock(byte[] b) throws IOException {
    if (physicalRemaining < BLOCK) {
      throw new TarFormatException(position, "GNU sparse 1.0 map runs past the entry's data");
    }
    for (int got = 0; got < BLOCK; ) {
      got += readPhysical(b, got, BLOCK - got);
    }
  }

  /**
   * Sets up reading a sparse file's content and checks, before any of it is read, what Go's reader
   * finds when it reads the file to its end: the stored data is exactly as long as the map says
   * (no missing and no unreferenced data). Holes count against the stream's hole limit.
   */
  private void startSparse(List<GnuSparse.Fragment> map, long size, long at) throws TarFormatException {
    long data = GnuSparse.dataBytes(map);
    if (data > physicalRemaining) {
      throw new TarFormatException(at, "sparse file references data the archive does not hold");
    }
    if (data < physicalRemaining) {
      throw new TarFormatException(at, "sparse file holds data its map does not reference");
    }
    holeBytes += size - data;
    if (holeBytes > maxSparseHoleBytes) {
      throw new TarFormatException(at, "sparse files expand by more than " + maxSparseHoleBytes + " bytes of holes: a sparse bomb");
    }
    List<GnuSparse.Fragment> holes = GnuSparse.holes(map, size);
    holeStart = new long[holes.size()];
    holeEnd = new long[holes.size()];
    for (int i = 0; i < holes.size(); i++) {
      holeStart[i] = holes.get(i).offset();
      holeEnd[i] = holes.get(i).end();
    }
    holeIndex = 0;
    logicalPosition = 0;
    logicalSize = size;
  }

  private static void checkId(long id, String what, long at) throws TarFormatException {
    if (id < 0 || id > TarEntry.MAX_ID) {
      throw new TarFormatException(at, what + " id " + id + " is outside 0.." + TarEntry.MAX_ID
          + ": a runtime would give the file another " + what);
    }
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

  /** Reads up to a block into {@code into}; the number of bytes read (less than a block only at the end of the stream). */
  private int readBlock(byte[] into) throws IOException {
    int got = 0;
    while (got < BLOCK) {
      int n = in.read(into, got, BLOCK - got);
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
  private HeaderBlock readHeader() throws IOException {
    long at = position;
    int got = readBlock(block);
    if (got == 0) {
      return null; // the stream ends at a header boundary without an end marker: Go accepts it
    }
    if (got < BLOCK) {
      throw new TarFormatException(at, "archive truncated inside a header block");
    }
    if (HeaderBlock.isZero(block)) {
      trailerSeen = true;
      int second = readBlock(block);
      if (second == 0) {
        return null; // one zero block, then the end of the stream
      }
      if (second < BLOCK) {
        throw new TarFormatException(at + BLOCK, "archive truncated inside the end-of-archive marker");
      }
      if (!HeaderBlock.isZero(block)) {
        throw new TarFormatException(at + BLOCK, "a zero block followed by a header: the end-of-archive marker is two zero blocks");
      }
      return null;
    }
    return HeaderBlock.parse(block, at);
  }

  // ------------------------------------------------------------------ strings

  private static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /** A GNU long name or link: the bytes up to the first NUL. */
  private static String cString(byte[] b) {
    return HeaderBlock.cString(b, 0, b.length);
  }
}
