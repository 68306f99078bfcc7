package io.jscan.dockerfile.build;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.instructions.ArgDefinition;
import io.jscan.dockerfile.instructions.ArgInstruction;
import io.jscan.dockerfile.instructions.EnvInstruction;
import io.jscan.dockerfile.instructions.KeyValue;
import io.jscan.dockerfile.shell.ExpansionBudget;
import io.jscan.dockerfile.shell.VariableLookup;
import io.jscan.dockerfile.shell.WordExpander;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The variables of one stage while its instructions are applied in order, with BuildKit's rules:
 * the base image's env, then each ENV, and each ARG with its {@code --build-arg} value, else its
 * default expanded with the variables so far, else the global ARG of the same name (including the
 * predefined platform arguments). A later ENV or ARG of the same name replaces an earlier value.
 *
 * <p>Use {@link #expander()} to expand an instruction at its place in the stage; the expander
 * records the variables the step used, and {@link #declaredArgs()} tells which of them are build
 * arguments (those go into the step's cache key and, for RUN, its environment).
 */
public final class StageEnvironment {
  private final char escapeToken;
  private final Map<String, String> buildArgs;
  private final Map<String, String> globalArgs;
  private final Map<String, String> variables = new LinkedHashMap<>();
  private final Map<String, Optional<String>> declaredArgs = new LinkedHashMap<>();
  private final Map<String, String> imageEnv = new LinkedHashMap<>();
  private final ExpansionBudget budget;

  StageEnvironment(char escapeToken, Map<String, String> buildArgs, Map<String, String> globalArgs, List<String> baseEnv,
      ExpansionBudget budget) {
    this.escapeToken = escapeToken;
    this.budget = budget;
    this.buildArgs = Map.copyOf(buildArgs);
    this.globalArgs = Map.copyOf(globalArgs);
    for (String kv : baseEnv) {
      int eq = kv.indexOf('=');
      variables.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
      imageEnv.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
    }
  }

  /** An expander for the next instruction, over the variables as they are now. */
  public WordExpander expander() {
    return new WordExpander(escapeToken, variables(), budget);
  }

  /** A snapshot of the variables as they are now. */
  public VariableLookup variables() {
    return VariableLookup.of(variables);
  }

  /** Applies an ENV whose words are already expanded ({@code env.expand(expander())}). */
  public void applyEnv(EnvInstruction expandedEnv) {
    for (KeyValue kv : expandedEnv.variables()) {
      variables.remove(kv.key());
      variables.put(kv.key(), kv.value());
      imageEnv.remove(kv.key());
      imageEnv.put(kv.key(), kv.value());
    }
  }

  /** Applies an ARG as written (not expanded): BuildKit's dispatchArg. */
  public void declareArg(ArgInstruction arg) throws DockerfileException {
    for (ArgDefinition def : arg.arguments()) {
      Optional<String> value;
      if (buildArgs.containsKey(def.name())) {
        value = Optional.of(buildArgs.get(def.name()));
      } else if (def.defaultValue().isPresent()) {
        value = Optional.of(expander().expand(def.defaultValue().get(), arg.location()));
      } else {
        value = Optional.ofNullable(globalArgs.get(def.name()));
      }
      declaredArgs.put(def.name(), value);
      if (value.isPresent() && BuildPlan.isEnvArg(def.name())) {
        variables.remove(def.name());
        variables.put(def.name(), value.get());
      }
    }
  }

  /** The build arguments the stage has declared so far, with their values (empty: declared, unset). */
  public Map<String, Optional<String>> declaredArgs() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(declaredArgs));
  }

  /** What RUN steps see, as {@code KEY=VALUE} entries: base env, ENV and ARG values. */
  public List<String> buildEnv() {
    return variables.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
  }

  /** What the image config's {@code Env} gets: base env and ENV values, never ARG values. */
  public List<String> imageEnv() {
    return imageEnv.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
  }
}
