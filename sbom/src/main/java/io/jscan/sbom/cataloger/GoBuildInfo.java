package io.jscan.sbom.cataloger;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The build information the Go linker embeds in every binary (Go's debug/buildinfo): a 32-byte
 * header starting with {@code \xff Go buildinf:}, then either (Go 1.18+, flag bit 2) the Go
 * version and module info inline as varint-prefixed strings, or (older) two pointers to Go string
 * headers, resolved through the ELF program headers.
 */
public final class GoBuildInfo {
  static final byte[] MAGIC = "\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1);
  private static final int HEADER = 32;
  private static final int MAX_STRING = 16 << 20;

  /** A module line: {@code mod} (the main module) or {@code dep}, possibly replaced ({@code =>}). */
  public record Module(String path, String version, Optional<String> sum, Optional<Module> replacement) {}

  /**
   * @param goVersion the toolchain, {@code go1.22.1}
   * @param mainPackage the {@code path} line (the main package's import path)
   * @param main the {@code mod} line; absent for binaries built outside module mode
   * @param settings the {@code build} lines, in order
   */
  public record Info(String goVersion, Optional<String> mainPackage, Optional<Module> main, List<Module> deps, Map<String, String> settings) {}

  private GoBuildInfo() {}

  /**
   * Reads the build info of a binary.
   *
   * @return empty when the binary has no build info at all
   * @throws IllegalArgumentException when the build info is there but damaged
   */
  public static Optional<Info> read(byte[] binary) {
    Optional<Elf> elf = Elf.parse(binary);
    int start = -1;
    if (elf.isPresent()) {
      start = elf.get().sectionOffset(".go.buildinfo").orElse(-1);
      if (start >= 0 && !matchesAt(binary, start)) {
        start = -1;
      }
    }
    if (start < 0) {
      start = io.jscan.sbom.fs.MarkerScanner.indexOf(binary, binary.length, MAGIC, 16);
    }
    if (start < 0) {
      return Optional.empty();
    }
    if (start + HEADER > binary.length) {
      throw new IllegalArgumentException("build info header is cut off");
    }
    int ptrSize = binary[start + 14];
    int flags = binary[start + 15];
    String version;
    String modinfo;
    if ((flags & 2) != 0) {
      int[] at = {start + HEADER};
      version = varintString(binary, at);
      modinfo = varintString(binary, at);
    } else {
      if (ptrSize != 4 && ptrSize != 8) {
        throw new IllegalArgumentException("build info has pointer size " + ptrSize);
      }
      if (elf.isEmpty()) {
        throw new IllegalArgumentException("pointer-format build info outside an ELF binary");
      }
      ByteOrder order = (flags & 1) != 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
      ByteBuffer b = ByteBuffer.wrap(binary).order(order);
      long versionAddr = pointer(b, start + 16, ptrSize);
      long modAddr = pointer(b, start + 16 + ptrSize, ptrSize);
      version = goString(binary, elf.get(), versionAddr, ptrSize, order);
      modinfo = goString(binary, elf.get(), modAddr, ptrSize, order);
    }
    if (!version.startsWith("go") && !version.startsWith("devel")) {
      throw new IllegalArgumentException("build info names no Go version (\"" + abbreviate(version) + "\")");
    }
    // the module info is framed by 16-byte sentinels (cmd/go/internal/modload.infoStart/infoEnd)
    if (modinfo.length() >= 33 && modinfo.charAt(modinfo.length() - 17) == '\n') {
      modinfo = modinfo.substring(16, modinfo.length() - 16);
    }
    return Optional.of(parseModinfo(version, modinfo));
  }

  private static boolean matchesAt(byte[] data, int offset) {
    if (offset + MAGIC.length > data.length) {
      return false;
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (data[offset + i] != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  private static long pointer(ByteBuffer b, int at, int size) {
    if (at + size > b.limit()) {
      throw new IllegalArgumentException("build info pointer is cut off");
    }
    return size == 8 ? b.getLong(at) : b.getInt(at) & 0xffffffffL;
  }

  /** A Go string header {data pointer, length} at virtual address {@code addr}. */
  private static String goString(byte[] binary, Elf elf, long addr, int ptrSize, ByteOrder order) {
    long header = elf.fileOffset(addr).orElseThrow(() -> new IllegalArgumentException("build info points outside the binary"));
    ByteBuffer b = ByteBuffer.wrap(binary).order(order);
    long dataAddr = pointer(b, (int) header, ptrSize);
    long length = pointer(b, (int) header + ptrSize, ptrSize);
    if (length < 0 || length > MAX_STRING) {
      throw new IllegalArgumentException("build info string of length " + length);
    }
    if (length == 0) {
      return "";
    }
    long data = elf.fileOffset(dataAddr).orElseThrow(() -> new IllegalArgumentException("build info string points outside the binary"));
    if (data + length > binary.length) {
      throw new IllegalArgumentException("build info string runs past the end of the binary");
    }
    return new String(binary, (int) data, (int) length, StandardCharsets.UTF_8);
  }

  private static String varintString(byte[] data, int[] at) {
    long length = 0;
    int shift = 0;
    while (true) {
      if (at[0] >= data.length || shift > 63) {
        throw new IllegalArgumentException("build info length is cut off");
      }
      int b = data[at[0]++] & 0xff;
      length |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
      shift += 7;
    }
    if (length > MAX_STRING || at[0] + length > data.length) {
      throw new IllegalArgumentException("build info string of " + length + " bytes runs past the end of the binary");
    }
    String s = new String(data, at[0], (int) length, StandardCharsets.UTF_8);
    at[0] += (int) length;
    return s;
  }

  /** The text format of runtime/debug.BuildInfo.String (tab-separated lines). */
  static Info parseModinfo(String goVersion, String modinfo) {
    Optional<String> path = Optional.empty();
    Module main = null;
    List<Module> deps = new ArrayList<>();
    Map<String, String> settings = new LinkedHashMap<>();
    int lineNo = 0;
    for (String line : modinfo.split("\n")) {
      lineNo++;
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      switch (f[0]) {
        case "path" -> path = Optional.of(field(f, 1, lineNo));
        case "mod" -> main = module(f, lineNo);
        case "dep" -> deps.add(module(f, lineNo));
        case "=>" -> {
          Module replacement = new Module(field(f, 1, lineNo), f.length > 2 ? f[2] : "", f.length > 3 && !f[3].isEmpty() ? Optional.of(f[3]) : Optional.empty(), Optional.empty());
          if (!deps.isEmpty()) {
            Module last = deps.remove(deps.size() - 1);
            deps.add(new Module(last.path(), last.version(), last.sum(), Optional.of(replacement)));
          } else if (main != null) {
            main = new Module(main.path(), main.version(), main.sum(), Optional.of(replacement));
          } else {
            throw new IllegalArgumentException("build info line " + lineNo + " replaces no module");
          }
        }
        case "build" -> {
          String kv = field(f, 1, lineNo);
          int eq = kv.indexOf('=');
          if (eq > 0) {
            settings.put(kv.substring(0, eq), kv.substring(eq + 1));
          }
        }
        default -> throw new IllegalArgumentException("build info line " + lineNo + " is not understood: \"" + abbreviate(line) + "\"");
      }
    }
    return new Info(goVersion, path, Optional.ofNullable(main), List.copyOf(deps), settings);
  }

  private static Module module(String[] f, int lineNo) {
    return new Module(field(f, 1, lineNo), f.length > 2 ? f[2] : "", f.length > 3 && !f[3].isEmpty() ? Optional.of(f[3]) : Optional.empty(), Optional.empty());
  }

  private static String field(String[] f, int i, int lineNo) {
    if (f.length <= i || f[i].isEmpty()) {
      throw new IllegalArgumentException("build info line " + lineNo + " lacks a field");
    }
    return f[i];
  }

  private static String abbreviate(String s) {
    String t = s.replaceAll("\\p{Cntrl}", "?");
    return t.length() > 40 ? t.substring(0, 40) + "…" : t;
  }

  /** The parts of an ELF file (System V gABI) needed here: section names and loadable segments. */
  static final class Elf {
    private final ByteBuffer b;
    private final boolean is64;
    private final List<long[]> loads; // {vaddr, offset, filesz}
    private final Map<String, Integer> sections;

    private Elf(ByteBuffer b, boolean is64, List<long[]> loads, Map<String, Integer> sections) {
      this.b = b;
      this.is64 = is64;
      this.loads = loads;
      this.sections = sections;
    }

    static Optional<Elf> parse(byte[] data) {
      if (data.length < 52 || data[0] != 0x7f || data[1] != 'E' || data[2] != 'L' || data[3] != 'F') {
        return Optional.empty();
      }
      boolean is64 = data[4] == 2;
      ByteOrder order = data[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
      ByteBuffer b = ByteBuffer.wrap(data).order(order);
      try {
        long phoff = is64 ? b.getLong(0x20) : b.getInt(0x1c) & 0xffffffffL;
        long shoff = is64 ? b.getLong(0x28) : b.getInt(0x20) & 0xffffffffL;
        int phentsize = b.getShort(is64 ? 0x36 : 0x2a) & 0xffff;
        int phnum = b.getShort(is64 ? 0x38 : 0x2c) & 0xffff;
        int shentsize = b.getShort(is64 ? 0x3a : 0x2e) & 0xffff;
        int shnum = b.getShort(is64 ? 0x3c : 0x30) & 0xffff;
        int shstrndx = b.getShort(is64 ? 0x3e : 0x32) & 0xffff;
        List<long[]> loads = new ArrayList<>();
        for (int i = 0; i < phnum && phoff + (long) (i + 1) * phentsize <= data.length; i++) {
          int at = (int) (phoff + (long) i * phentsize);
          if (b.getInt(at) != 1) { // PT_LOAD
            continue;
          }
          long offset = is64 ? b.getLong(at + 8) : b.getInt(at + 4) & 0xffffffffL;
          long vaddr = is64 ? b.getLong(at + 16) : b.getInt(at + 8) & 0xffffffffL;
          long filesz = is64 ? b.getLong(at + 32) : b.getInt(at + 16) & 0xffffffffL;
          loads.add(new long[] {vaddr, offset, filesz});
        }
        Map<String, Integer> sections = new LinkedHashMap<>();
        if (shoff > 0 && shnum > 0 && shstrndx < shnum && shoff + (long) shnum * shentsize <= data.length) {
          int strAt = (int) (shoff + (long) shstrndx * shentsize);
          long strOffset = is64 ? b.getLong(strAt + 0x18) : b.getInt(strAt + 0x10) & 0xffffffffL;
          for (int i = 0; i < shnum; i++) {
            int at = (int) (shoff + (long) i * shentsize);
            int nameOff = b.getInt(at);
            long offset = is64 ? b.getLong(at + 0x18) : b.getInt(at + 0x10) & 0xffffffffL;
            long nameAt = strOffset + nameOff;
            if (nameAt < 0 || nameAt >= data.length || offset < 0 || offset >= data.length) {
              continue;
            }
            int end = (int) nameAt;
            while (end < data.length && data[end] != 0) {
              end++;
            }
            sections.putIfAbsent(new String(data, (int) nameAt, end - (int) nameAt, StandardCharsets.ISO_8859_1), (int) offset);
          }
        }
        return Optional.of(new Elf(b, is64, loads, sections));
      } catch (IndexOutOfBoundsException e) {
        return Optional.empty(); // not an ELF file we can read; the marker scan still applies
      }
    }

    Optional<Integer> sectionOffset(String name) {
      return Optional.ofNullable(sections.get(name));
    }

    Optional<Long> fileOffset(long vaddr) {
      for (long[] load : loads) {
        if (vaddr >= load[0] && vaddr < load[0] + load[2]) {
          long off = load[1] + (vaddr - load[0]);
          return off < b.limit() ? Optional.of(off) : Optional.empty();
        }
      }
      return Optional.empty();
    }

    boolean is64() {
      return is64;
    }
  }
}
