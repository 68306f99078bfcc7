package io.jscan.core.tar;

import io.jscan.core.fs.FsEntry;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One tar entry as {@link TarReader} read it: the header fields after PAX records, GNU long names
 * and GNU sparse records were applied exactly as Go's {@code archive/tar} applies them. The name is
 * not normalised: {@code ./a}, {@code /abs} and {@code ../x} come through as written, so that each
 * reader of layers can judge them.
 *
 * @param name the entry name
 * @param linkName the target of a symlink or hard link; empty otherwise
 * @param type the type flag ({@code '0'} file, {@code '5'} directory, {@code '2'} symlink...); the
 *     old NUL flag comes back as {@code '0'}, or {@code '5'} when the name ends with {@code /}, as Go does
 * @param mode the mode field as written (may carry file-type bits such as {@code 0100000}); never negative
 * @param uid owner, 0 to 4294967294 (a 32-bit {@code uid_t}, without the {@code -1} that chown reads as "unchanged")
 * @param gid group, same range as {@code uid}
 * @param mtimeSeconds modification time, seconds since the epoch (PAX times may be fractional or negative)
 * @param mtimeNanos the fraction of {@code mtimeSeconds}, 0 to 999,999,999
 * @param size bytes of content: the logical size of a sparse file, 0 for links, directories, devices and FIFOs
 * @param devMajor device major number (0 unless a device), at most 2^31-1
 * @param devMinor device minor number (0 unless a device), at most 2^31-1
 * @param paxRecords the entry's PAX records (its own {@code x} header; global headers never apply), values decoded as UTF-8
 * @param xattrs extended attributes from {@code SCHILY.xattr.NAME} records, name to raw value bytes
 *     (binary values such as {@code security.capability} survive); callers must not modify the arrays
 * @param sparse whether the entry is a GNU sparse file (its content is expanded with zeros for the holes)
 * @param offset where the entry's own header block starts in the tar stream
 */
public record TarEntry(
    String name,
    String linkName,
    char type,
    long mode,
    long uid,
    long gid,
    String userName,
    String groupName,
    long mtimeSeconds,
    int mtimeNanos,
    long size,
    long devMajor,
    long devMinor,
    Map<String, String> paxRecords,
    Map<String, byte[]> xattrs,
    boolean sparse,
    long offset) {

  /** The largest owner id a container runtime can give a file: uid_t is 32 bits and (uid_t) -1 means "leave unchanged". */
  public static final long MAX_ID = 0xFFFF_FFFEL;

  public TarEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(linkName, "linkName");
    Objects.requireNonNull(userName, "userName");
    Objects.requireNonNull(groupName, "groupName");
    if (mode < 0 || uid < 0 || uid > MAX_ID || gid < 0 || gid > MAX_ID || size < 0 || devMajor < 0 || devMinor < 0
        || devMajor > Integer.MAX_VALUE || devMinor > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tar entry field out of range");
    }
    if (mtimeNanos < 0 || mtimeNanos > 999_999_999) {
      throw new IllegalArgumentException("mtimeNanos out of range");
    }
    paxRecords = Collections.unmodifiableMap(new TreeMap<>(paxRecords));
    xattrs = Collections.unmodifiableMap(new TreeMap<>(xattrs));
  }

  /** The permission and special bits (setuid, setgid, sticky) a runtime applies: {@code mode & 07777}. */
  public int permissions() {
    return (int) (mode & 07777);
  }

  /** The modification time, clamped to what {@link Instant} can hold. */
  public Instant modTime() {
    if (mtimeSeconds <= Instant.MIN.getEpochSecond()) {
      return Instant.MIN;
    }
    if (mtimeSeconds >= Instant.MAX.getEpochSecond()) {
      return Instant.MAX;
    }
    return Instant.ofEpochSecond(mtimeSeconds, mtimeNanos);
  }

  public boolean isRegularFile() {
    return type == '0';
  }

  public boolean isDirectory() {
    return type == '5';
  }

  public boolean isSymlink() {
    return type == '2';
  }

  public boolean isHardLink() {
    return type == '1';
  }

  public boolean isCharDevice() {
    return type == '3';
  }

  public boolean isBlockDevice() {
    return type == '4';
  }

  public boolean isFifo() {
    return type == '6';
  }

  /**
   * What the entry becomes when a container runtime extracts it, or empty for a type no runtime
   * extracts: containerd, Docker and podman handle {@code 0}-{@code 6} and refuse the layer for any
   * other flag ("unhandled tar header type"), among them contiguous files ({@code 7}), GNU's old
   * sparse files ({@code S}), volume labels ({@code V}) and vendor types ({@code A}-{@code Z}). A
   * reader of layers treats an empty answer as an integrity failure: the runtime will not run it.
   */
  public Optional<FsEntry.Type> fileType() {
    return Optional.ofNullable(
        switch (type) {
          case '0' -> FsEntry.Type.FILE;
          case '1' -> FsEntry.Type.HARDLINK;
          case '2' -> FsEntry.Type.SYMLINK;
          case '3' -> FsEntry.Type.CHAR_DEVICE;
          case '4' -> FsEntry.Type.BLOCK_DEVICE;
          case '5' -> FsEntry.Type.DIRECTORY;
          case '6' -> FsEntry.Type.FIFO;
          default -> null;
        });
  }

  /** The type flag for messages: {@code 'S' (GNU sparse file)}. */
  public String typeDescription() {
    return describeType(type);
  }

  static String describeType(char type) {
    String shown = type >= 0x20 && type < 0x7f ? "'" + type + "'" : String.format("\\x%02x", (int) type);
    String meaning = switch (type) {
      case '0' -> "regular file";
      case '1' -> "hard link";
      case '2' -> "symlink";
      case '3' -> "character device";
      case '4' -> "block device";
      case '5' -> "directory";
      case '6' -> "FIFO";
      case '7' -> "contiguous file";
      case 'S' -> "GNU sparse file";
      case 'V' -> "volume label";
      case 'M' -> "GNU multi-volume continuation";
      case 'D' -> "GNU dump directory";
      case 'N' -> "GNU old long name";
      default -> null;
    };
    return meaning == null ? "type " + shown : "type " + shown + " (" + meaning + ")";
  }

  /**
   * PAX records other than those tar itself turns into header fields (path, sizes, owners, times,
   * GNU sparse records): extended attributes and vendor records, as a file system entry keeps them.
   */
  public Map<String, String> extraPaxRecords() {
    Map<String, String> extra = new TreeMap<>();
    for (Map.Entry<String, String> r : paxRecords.entrySet()) {
      String k = r.getKey();
      boolean interpreted = switch (k) {
        case "path", "linkpath", "size", "uid", "gid", "uname", "gname", "mtime", "atime", "ctime" -> true;
        default -> k.startsWith("GNU.sparse.");
      };
      if (!interpreted) {
        extra.put(k, r.getValue());
      }
    }
    return extra;
  }
}
