package io.jscan.dockerfile.instructions;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code --flag} words of one instruction, checked against the flags it accepts (BuildKit's
 * {@code BFlags}): unknown flags, a repeated single-valued flag, a string flag without value and a
 * non-boolean value of a boolean flag are errors.
 */
final class BuildFlags {
  private enum Type {
    BOOL,
    STRING,
    STRINGS
  }

  private final List<String> words;
  private final Map<String, Type> declared = new LinkedHashMap<>();
  private final Map<String, List<String>> values = new LinkedHashMap<>();
  private final Set<String> used = new HashSet<>();

  BuildFlags(List<String> words) {
    this.words = words;
  }

  BuildFlags bool(String name) {
    declared.put(name, Type.BOOL);
    return this;
  }

  BuildFlags string(String name) {
    declared.put(name, Type.STRING);
    return this;
  }

  BuildFlags strings(String name) {
    declared.put(name, Type.STRINGS);
    return this;
  }

  /** Checks the words against the declared flags; the message is BuildKit's. */
  BuildFlags parse() throws FlagException {
    for (String word : words) {
      if (word.equals("--")) {
        return this; // POSIX: ends the options
      }
      if (!word.startsWith("--")) {
        throw new FlagException("arg should start with -- : " + word);
      }
      int eq = word.indexOf('=');
      String flagName = eq < 0 ? word : word.substring(0, eq);
      String name = flagName.substring(2);
      boolean hasValue = eq >= 0;
      String value = hasValue ? word.substring(eq + 1) : "";
      Type type = declared.get(name);
      if (type == null) {
        throw new FlagException("unknown flag: " + flagName);
      }
      if (!used.add(name) && type != Type.STRINGS) {
        throw new FlagException("duplicate flag specified: " + flagName);
      }
      switch (type) {
        case BOOL -> {
          if (hasValue && value.isEmpty()) {
            throw new FlagException("missing a value on flag: " + flagName);
          }
          String lower = value.toLowerCase(Locale.ROOT);
          if (!lower.isEmpty() && !lower.equals("true") && !lower.equals("false")) {
            throw new FlagException("expecting boolean value for flag " + flagName + ", not: " + value);
          }
          values.put(name, List.of(lower.isEmpty() ? "true" : lower));
        }
        case STRING -> {
          if (!hasValue) {
            throw new FlagException("missing a value on flag: " + flagName);
          }
          values.put(name, List.of(value));
        }
        case STRINGS -> {
          if (!hasValue) {
            throw new FlagException("missing a value on flag: " + flagName);
          }
          values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
      }
    }
    return this;
  }

  boolean isUsed(String name) {
    return used.contains(name);
  }


  Optional<String> value(String name) {
    List<String> v = values.get(name);
    return v == null ? Optional.empty() : Optional.of(v.get(0));
  }

  boolean isTrue(String name) {
    return value(name).map("true"::equals).orElse(false);
  }

  /** A boolean flag's value when given. */
  Optional<Boolean> optionalBool(String name) {
    return value(name).map("true"::equals);
  }

  List<String> all(String name) {
    return List.copyOf(values.getOrDefault(name, List.of()));
  }

  /** A flag error, located by the caller. */
  static final class FlagException extends Exception {
    private static final long serialVersionUID = 1L;

    FlagException(String message) {
      super(message, null, false, false);
    }
  }
}
