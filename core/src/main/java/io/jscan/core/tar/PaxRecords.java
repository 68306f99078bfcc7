package io.jscan.core.tar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PAX extended header records (POSIX pax, "pax Extended Header"): {@code "<len> <key>=<value>\n"},
 * {@code len} counting the whole record, parsed and interpreted as Go's archive/tar does (its
 * parsePAX, parsePAXRecord, mergePAX and parsePAXTime).
 */
final class PaxRecords {
  private PaxRecords() {}

  /**
   * The records of a PAX header, keys decoded as UTF-8, values kept as bytes (xattrs are binary).
   * Anything but well-formed records is an error, NUL padding included. GNU sparse 0.0's repeated
   * {@code GNU.sparse.offset}/{@code numbytes} pairs become one {@code GNU.sparse.map}, as Go makes them.
   */
  static Map<String, byte[]> parse(byte[] data, long at) throws TarFormatException {
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
        length = TarNumbers.parseDecimal(lengthText);
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
      byte[] value = Arrays.copyOfRange(data, eq + 1, newline);
      // names may not hold a NUL; other values may (binary xattrs), their keys may not
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

  /** A decimal record ({@code uid}, {@code size}...) as Go's strconv.ParseInt reads it. */
  static long number(byte[] value, long at, String key) throws TarFormatException {
    try {
      return TarNumbers.parseDecimal(new String(value, StandardCharsets.ISO_8859_1));
    } catch (NumberFormatException e) {
      throw new TarFormatException(at, "invalid PAX " + key + " record");
    }
  }

  /** A time {@code [-]SECONDS[.FRACTION]} as Go's parsePAXTime and time.Unix make it: {seconds, nanos 0..999999999}. */
  static long[] time(byte[] value, long at, String key) throws TarFormatException {
    String s = new String(value, StandardCharsets.ISO_8859_1);
    int dot = s.indexOf('.');
    String whole = dot < 0 ? s : s.substring(0, dot);
    String fraction = dot < 0 ? "" : s.substring(dot + 1);
    long seconds;
    try {
      seconds = TarNumbers.parseDecimal(whole);
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
    // time.Unix: nanoseconds below 0 borrow a second (wrapping as Go's int64 does)
    if (nanos < 0) {
      nanos += 1_000_000_000L;
      seconds--;
    }
    return new long[] {seconds, nanos};
  }

  /** A record's value as ASCII-ish text, empty when absent (how Go reads a missing map key). */
  static String text(Map<String, byte[]> records, String key) {
    byte[] v = records.get(key);
    return v == null ? "" : new String(v, StandardCharsets.ISO_8859_1);
  }

  static Map<String, String> decoded(Map<String, byte[]> records) {
    Map<String, String> out = new HashMap<>();
    records.forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
    return out;
  }

  static int indexOf(byte[] b, byte c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }
}
