package io.jscan.sbom.cataloger;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An rpm header as rpm stores it in its database (rpm's lib/header.c, "headerImport"): big-endian
 * {@code int32 indexCount, int32 dataLength}, then {@code indexCount} entries of
 * {@code {int32 tag, int32 type, int32 offset, int32 count}}, then the data store. Only the tag
 * types the SBOM needs are decoded; every offset and count is checked against the store.
 */
final class RpmHeader {
  static final int NAME = 1000;
  static final int VERSION = 1001;
  static final int RELEASE = 1002;
  static final int EPOCH = 1003;
  static final int SIZE = 1009;
  static final int VENDOR = 1011;
  static final int LICENSE = 1014;
  static final int ARCH = 1022;
  static final int FILEMODES = 1030;
  static final int FILEDIGESTS = 1035;
  static final int FILEFLAGS = 1037;
  static final int SOURCERPM = 1044;
  static final int PROVIDENAME = 1047;
  static final int REQUIRENAME = 1049;
  static final int DIRINDEXES = 1116;
  static final int BASENAMES = 1117;
  static final int DIRNAMES = 1118;
  static final int LONGSIZE = 5009;
  static final int FILEDIGESTALGO = 5011;
  static final int MODULARITYLABEL = 5096;

  static final int TYPE_CHAR = 1;
  static final int TYPE_INT8 = 2;
  static final int TYPE_INT16 = 3;
  static final int TYPE_INT32 = 4;
  static final int TYPE_INT64 = 5;
  static final int TYPE_STRING = 6;
  static final int TYPE_BIN = 7;
  static final int TYPE_STRING_ARRAY = 8;
  static final int TYPE_I18NSTRING = 9;

  /** rpm refuses headers with more index entries or data than this (header_internal.h). */
  private static final int MAX_INDEX = 0xffff;
  private static final int MAX_DATA = 256 << 20;

  private record Entry(int type, int offset, int count) {}

  private final ByteBuffer data;
  private final Map<Integer, Entry> index;

  private RpmHeader(ByteBuffer data, Map<Integer, Entry> index) {
    this.data = data;
    this.index = index;
  }

  /** Parses a database blob; {@link IllegalArgumentException} says what is damaged. */
  static RpmHeader parse(byte[] blob) {
    if (blob.length < 8) {
      throw new IllegalArgumentException("header blob of " + blob.length + " bytes is too short");
    }
    ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.BIG_ENDIAN);
    int il = b.getInt(0);
    int dl = b.getInt(4);
    if (il < 1 || il > MAX_INDEX || dl < 0 || dl > MAX_DATA) {
      throw new IllegalArgumentException("header has " + il + " index entries and " + dl + " data bytes");
    }
    long need = 8L + 16L * il + dl;
    if (need > blob.length) {
      throw new IllegalArgumentException("header needs " + need + " bytes but the blob has " + blob.length + " (truncated)");
    }
    int dataStart = 8 + 16 * il;
    ByteBuffer data = ByteBuffer.wrap(blob, dataStart, dl).slice().order(ByteOrder.BIG_ENDIAN);
    Map<Integer, Entry> index = new HashMap<>();
    for (int i = 0; i < il; i++) {
      int at = 8 + 16 * i;
      int tag = b.getInt(at);
      int type = b.getInt(at + 4);
      int offset = b.getInt(at + 8);
      int count = b.getInt(at + 12);
      if (type < 0 || type > TYPE_I18NSTRING || offset < 0 || offset > dl || count < 0 || count > dl + 1) {
        throw new IllegalArgumentException("index entry " + i + " (tag " + tag + ") is out of range");
      }
      index.putIfAbsent(tag, new Entry(type, offset, count));
    }
    return new RpmHeader(data, index);
  }

  Optional<String> string(int tag) {
    Entry e = index.get(tag);
    if (e == null || (e.type != TYPE_STRING && e.type != TYPE_I18NSTRING && e.type != TYPE_STRING_ARRAY)) {
      return Optional.empty();
    }
    return Optional.of(readString(e.offset, tag));
  }

  List<String> strings(int tag) {
    Entry e = index.get(tag);
    if (e == null) {
      return List.of();
    }
    if (e.type == TYPE_STRING) {
      return List.of(readString(e.offset, tag));
    }
    if (e.type != TYPE_STRING_ARRAY && e.type != TYPE_I18NSTRING) {
      throw new IllegalArgumentException("tag " + tag + " is not a string array");
    }
    List<String> result = new ArrayList<>(e.count);
    int at = e.offset;
    for (int i = 0; i < e.count; i++) {
      String s = readString(at, tag);
      result.add(s);
      at += s.getBytes(StandardCharsets.UTF_8).length + 1;
    }
    return result;
  }

  private String readString(int offset, int tag) {
    int end = offset;
    while (end < data.limit() && data.get(end) != 0) {
      end++;
    }
    if (end >= data.limit()) {
      throw new IllegalArgumentException("string of tag " + tag + " runs past the data store");
    }
    byte[] bytes = new byte[end - offset];
    data.get(offset, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Integer values of INT8/16/32/64 tags, widened. */
  List<Long> numbers(int tag) {
    Entry e = index.get(tag);
    if (e == null) {
      return List.of();
    }
    int width = switch (e.type) {
      case TYPE_CHAR, TYPE_INT8 -> 1;
      case TYPE_INT16 -> 2;
      case TYPE_INT32 -> 4;
      case TYPE_INT64 -> 8;
      default -> throw new IllegalArgumentException("tag " + tag + " is not numeric");
    };
    if ((long) e.offset + (long) width * e.count > data.limit()) {
      throw new IllegalArgumentException("tag " + tag + " runs past the data store");
    }
    List<Long> result = new ArrayList<>(e.count);
    for (int i = 0; i < e.count; i++) {
      int at = e.offset + i * width;
      result.add(switch (width) {
        case 1 -> (long) (data.get(at) & 0xff);
        case 2 -> (long) (data.getShort(at) & 0xffff);
        case 4 -> data.getInt(at) & 0xffffffffL;
        default -> data.getLong(at);
      });
    }
    return result;
  }

  Optional<Long> number(int tag) {
    List<Long> n = numbers(tag);
    return n.isEmpty() ? Optional.empty() : Optional.of(n.get(0));
  }
}
