package io.jscan.core.oci.json;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * RFC 3339 date-times as the image-spec uses them ({@code created}, config.md).
 *
 * <p>Writing is canonical so that configs jscan makes are byte-identical on every machine: always
 * UTC with {@code Z}, seconds always present, and a fraction only when it is not zero, with its
 * trailing zeros removed (what Go's {@code time.RFC3339Nano} prints, so BuildKit-made configs look
 * the same). Reading accepts any offset and is strict about the shape: java.time alone would also
 * take a time without seconds, which RFC 3339 does not allow.
 */
public final class Rfc3339 {
  private Rfc3339() {}

  private static final Pattern SHAPE =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** Parses an RFC 3339 date-time; throws {@link IllegalArgumentException} naming the value. */
  public static Instant parse(String text) {
    if (text == null || !SHAPE.matcher(text).matches()) {
      throw new IllegalArgumentException("not an RFC 3339 date-time: \"" + text + "\"");
    }
    try {
      return OffsetDateTime.parse(text.toUpperCase(Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
          .toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not an RFC 3339 date-time: \"" + text + "\"", e);
    }
  }

  /** The canonical form: {@code 2015-10-31T22:22:56Z} or {@code 2015-10-31T22:22:56.015925234Z}. */
  public static String format(Instant instant) {
    if (instant.atOffset(ZoneOffset.UTC).getYear() > 9999 || instant.atOffset(ZoneOffset.UTC).getYear() < 0) {
      throw new IllegalArgumentException("year out of RFC 3339 range: " + instant);
    }
    StringBuilder sb = new StringBuilder(SECONDS.format(instant));
    int nanos = instant.getNano();
    if (nanos != 0) {
      String fraction = String.format(Locale.ROOT, "%09d", nanos);
      int end = fraction.length();
      while (fraction.charAt(end - 1) == '0') {
        end--;
      }
      sb.append('.').append(fraction, 0, end);
    }
    return sb.append('Z').toString();
  }
}
