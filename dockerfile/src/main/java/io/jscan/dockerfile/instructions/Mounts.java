package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing of {@code RUN --mount} values with BuildKit's rules (commands_runmount.go), rewritten. */
final class Mounts {
  private static final Pattern RAM_SIZE = Pattern.compile("(\\d+(?:\\.\\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?");

  private Mounts() {}

  /** Expands one option value; may fail like any expansion. */
  @FunctionalInterface
  interface ValueExpander {
    String expand(String value) throws DockerfileException;
  }

  /**
   * The parse-time step: CSV fields, and the {@code from=} source, which may not use variables
   * (BuildKit needs it to order stages before variables are known).
   */
  static MountSpec parse(String text, SourceLocation at) throws DockerfileException {
    List<String> fields = csvFields(text, at);
    Optional<String> from = Optional.empty();
    for (String field : fields) {
      int eq = field.indexOf('=');
      if (eq < 0 || !field.substring(0, eq).toLowerCase(Locale.ROOT).equals("from")) {
        continue;
      }
      String value = field.substring(eq + 1);
      int dollar = value.indexOf('$');
      if (dollar >= 0 && dollar != value.length() - 1) {
        throw DockerfileException.at(at, "'from' doesn't support variable expansion, define alias stage instead");
      }
      from = value.isEmpty() ? Optional.empty() : Optional.of(value);
    }
    return new MountSpec(text, fields, from);
  }

  /** The run-time step: every value expanded, then the mount checked as a whole. */
  static Mount resolve(MountSpec spec, ValueExpander expander, SourceLocation at) throws DockerfileException {
    MountType type = MountType.BIND;
    String from = "";
    String source = "";
    String target = "";
    boolean readOnly = false;
    boolean readOnlyGiven = false;
    OptionalLong size = OptionalLong.empty();
    String cacheId = "";
    Optional<CacheSharing> sharing = Optional.empty();
    boolean required = false;
    Optional<String> env = Optional.empty();
    OptionalLong mode = OptionalLong.empty();
    OptionalLong uid = OptionalLong.empty();
    OptionalLong gid = OptionalLong.empty();

    for (String field : spec.fields()) {
      int eq = field.indexOf('=');
      String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT);
      if (eq < 0) {
        switch (key) {
          case "readonly", "ro" -> {
            readOnly = true;
            readOnlyGiven = true;
          }
          case "readwrite", "rw" -> {
            readOnly = false;
            readOnlyGiven = true;
          }
          case "required" -> {
            if (type != MountType.SECRET && type != MountType.SSH) {
              throw DockerfileException.at(at, "unexpected key '" + key + "' for mount type '" + type.value() + "'");
            }
            required = true;
          }
          default -> throw DockerfileException.at(at, "invalid field '" + field + "' must be a key=value pair");
        }
        continue;
      }
      String value = expander.expand(field.substring(eq + 1));
      switch (key) {
        case "type" -> type = mountType(value, at);
        case "from" -> from = value;
        case "source", "src" -> source = value;
        case "target", "dst", "destination" -> target = value;
        case "readonly", "ro" -> {
          readOnly = parseBool(key, value, at);
          readOnlyGiven = true;
        }
        case "readwrite", "rw" -> {
          readOnly = !parseBool(key, value, at);
          readOnlyGiven = true;
        }
        case "required" -> {
          if (type != MountType.SECRET && type != MountType.SSH) {
            throw DockerfileException.at(at, "unexpected key '" + key + "' for mount type '" + type.value() + "'");
          }
          required = parseBool(key, value, at);
        }
        case "size" -> {
          if (type != MountType.TMPFS) {
            throw DockerfileException.at(at, "unexpected key '" + key + "' for mount type '" + type.value() + "'");
          }
          size = OptionalLong.of(ramInBytes(value, key, at));
        }
        case "id" -> cacheId = value;
        case "sharing" -> sharing = Optional.of(sharing(value, at));
        case "mode" -> mode = OptionalLong.of(parseUnsigned(value, 8, "invalid value " + value + " for mode", at));
        case "uid" -> uid = OptionalLong.of(parseUnsigned(value, 10, "invalid value " + value + " for uid", at));
        case "gid" -> gid = OptionalLong.of(parseUnsigned(value, 10, "invalid value " + value + " for gid", at));
        case "env" -> env = Optional.of(value);
        default -> throw DockerfileException.at(at, "unexpected key '" + key + "' in '" + field + "'");
      }
    }

    boolean fileInfoAllowed = type == MountType.SECRET || type == MountType.SSH || type == MountType.CACHE;
    if (!fileInfoAllowed) {
      if (mode.isPresent()) {
        throw DockerfileException.at(at, "mode not allowed for \"" + type.value() + "\" type mounts");
      }
      if (uid.isPresent()) {
        throw DockerfileException.at(at, "uid not allowed for \"" + type.value() + "\" type mounts");
      }
      if (gid.isPresent()) {
        throw DockerfileException.at(at, "gid not allowed for \"" + type.value() + "\" type mounts");
      }
    }
    if (!readOnlyGiven) {
      readOnly = type != MountType.CACHE && type != MountType.TMPFS;
    }
    if (type == MountType.SECRET) {
      if (!from.isEmpty()) {
        throw DockerfileException.at(at, "secret mount should not have a from");
      }
      if (sharing.isPresent()) {
        throw DockerfileException.at(at, "secret mount should not define sharing");
      }
      if (source.isEmpty() && target.isEmpty() && cacheId.isEmpty()) {
        throw DockerfileException.at(at, "invalid secret mount. one of source, target required");
      }
      if (!source.isEmpty() && !cacheId.isEmpty()) {
        throw DockerfileException.at(at, "both source and id can't be set");
      }
    }
    if (sharing.isPresent() && type != MountType.CACHE) {
      throw DockerfileException.at(at, "invalid cache sharing set for " + type.value() + " mount");
    }
    return new Mount(
        type,
        nonEmpty(from),
        nonEmpty(source),
        nonEmpty(target),
        readOnly,
        size,
        nonEmpty(cacheId),
        sharing,
        required,
        env,
        mode,
        uid,
        gid);
  }

  private static Optional<String> nonEmpty(String s) {
    return s.isEmpty() ? Optional.empty() : Optional.of(s); // BuildKit treats "" as not set
  }

  private static MountType mountType(String value, SourceLocation at) throws DockerfileException {
    for (MountType t : MountType.values()) {
      if (t.value().equals(value.toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw DockerfileException.at(at, "unsupported mount type \"" + value + "\"");
  }

  private static CacheSharing sharing(String value, SourceLocation at) throws DockerfileException {
    for (CacheSharing s : CacheSharing.values()) {
      if (s.value().equals(value.toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw DockerfileException.at(at, "unsupported sharing value \"" + value + "\"");
  }

  /** Go's strconv.ParseBool. */
  private static boolean parseBool(String key, String value, SourceLocation at) throws DockerfileException {
    return switch (value) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      case "0", "f", "F", "FALSE", "false", "False" -> false;
      default -> throw DockerfileException.at(at, "invalid value for " + key + ": " + value);
    };
  }

  /** Go's strconv.ParseUint(value, base, 32). */
  private static long parseUnsigned(String value, int base, String error, SourceLocation at) throws DockerfileException {
    String digits = base == 8 ? "[0-7]+" : "[0-9]+";
    if (!value.matches(digits) || value.length() > 12) {
      throw DockerfileException.at(at, error);
    }
    long v = Long.parseLong(value, base);
    if (v > 0xFFFF_FFFFL) {
      throw DockerfileException.at(at, error);
    }
    return v;
  }

  /** docker/go-units RAMInBytes: a size with an optional binary unit (k, m, g, t, p). */
  private static long ramInBytes(String value, String key, SourceLocation at) throws DockerfileException {
    Matcher m = RAM_SIZE.matcher(value);
    if (!m.matches()) {
      throw DockerfileException.at(at, "invalid value for " + key + ": " + value);
    }
    BigDecimal size;
    try {
      size = new BigDecimal(m.group(1));
    } catch (NumberFormatException e) {
      throw DockerfileException.at(at, "invalid value for " + key + ": " + value);
    }
    String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
    int power = "kmgtp".indexOf(unit.isEmpty() ? 'x' : unit.charAt(0)) + 1;
    BigDecimal bytes = size.multiply(BigDecimal.valueOf(1024).pow(power));
    return bytes.longValue();
  }

  /** One CSV record (Go encoding/csv rules): commas separate fields, {@code "..."} quotes one. */
  private static List<String> csvFields(String text, SourceLocation at) throws DockerfileException {
    List<String> fields = new ArrayList<>();
    int i = 0;
    while (true) {
      StringBuilder field = new StringBuilder();
      if (i < text.length() && text.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= text.length()) {
            throw DockerfileException.at(at, "failed to parse csv mounts: extraneous or missing \" in quoted-field");
          }
          char c = text.charAt(i++);
          if (c == '"') {
            if (i < text.length() && text.charAt(i) == '"') {
              field.append('"');
              i++;
            } else {
              break;
            }
          } else {
            field.append(c);
          }
        }
        if (i < text.length() && text.charAt(i) != ',') {
          throw DockerfileException.at(at, "failed to parse csv mounts: extraneous or missing \" in quoted-field");
        }
      } else {
        while (i < text.length() && text.charAt(i) != ',') {
          char c = text.charAt(i++);
          if (c == '"') {
            throw DockerfileException.at(at, "failed to parse csv mounts: bare \" in non-quoted-field");
          }
          field.append(c);
        }
      }
      fields.add(field.toString());
      if (i >= text.length()) {
        return fields;
      }
      i++; // the comma
    }
  }
}
