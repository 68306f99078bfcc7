package io.jscan.verifier.files;

/**
 * The metadata of one tar entry that the merged-filesystem checks need, kept compact because an
 * image can have hundreds of thousands: path (normalised, relative to the root), type, mode and,
 * for links, the target. {@code link} is {@code null} for entries that are not links: this is an
 * internal, memory-bound structure, so it avoids an {@code Optional} per entry.
 */
record EntryMeta(String path, byte type, int mode, String link) {
  static final byte FILE = 0;
  static final byte DIRECTORY = 1;
  static final byte SYMLINK = 2;
  static final byte HARDLINK = 3;
  static final byte DEVICE = 4;
  static final byte FIFO = 5;
  /** {@code .wh.NAME}: deletes NAME from lower layers; {@link #path} is NAME's path. */
  static final byte WHITEOUT = 6;
  /** {@code DIR/.wh..wh..opq}: hides DIR's lower-layer children; {@link #path} is DIR's path ("" for the root). */
  static final byte OPAQUE = 7;
}
