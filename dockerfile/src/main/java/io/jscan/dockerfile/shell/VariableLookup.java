package io.jscan.dockerfile.shell;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The variables a word is expanded against (BuildKit's {@code shell.EnvGetter}). A variable that is
 * set to the empty string is different from one that is unset: {@code ${A-x}} keeps an empty
 * {@code A}, {@code ${A:-x}} does not.
 */
@FunctionalInterface
public interface VariableLookup {

  /** The value of {@code name}, or empty when the variable is not set. */
  Optional<String> get(String name);

  /** No variables at all. */
  static VariableLookup none() {
    return name -> Optional.empty();
  }

  /** The variables of a map (copied). */
  static VariableLookup of(Map<String, String> variables) {
    Map<String, String> copy = Map.copyOf(variables);
    return name -> Optional.ofNullable(copy.get(name));
  }

  /**
   * Variables from {@code KEY=VALUE} strings, as an image config's {@code Env} holds them; a later
   * entry wins over an earlier one with the same key, an entry without {@code =} sets the empty
   * string (BuildKit's {@code EnvsFromSlice}).
   */
  static VariableLookup fromEnvList(List<String> keyValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String kv : keyValues) {
      Objects.requireNonNull(kv, "env entry");
      int eq = kv.indexOf('=');
      if (eq < 0) {
        map.put(kv, "");
      } else {
        map.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return of(map);
  }
}
