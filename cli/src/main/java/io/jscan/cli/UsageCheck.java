package io.jscan.cli;

import io.jscan.core.text.DidYouMean;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Reads a command line before picocli parses it, for the mistakes picocli reports misleadingly:
 *
 * <ul>
 *   <li>an unknown option: picocli lets the next word fill a positional parameter (so {@code
 *       build --tagg x .} took {@code x} as the context and then complained about {@code .}), or
 *       reports a missing parameter instead; here it is {@code unknown option: --tagg (did you mean
 *       --tag?)}, whatever follows;
 *   <li>an unknown command, with the nearest one;
 *   <li>a flag (or a value) of the tool a command stands in for, which jscan does not have: {@code
 *       docker build --cache-from …} gets {@code not supported: --cache-from …} and what to do
 *       instead ({@link Foreign}).
 * </ul>
 *
 * Only the option names and arities of picocli's own model are used, so the check cannot disagree
 * with the parser about what an option is; it never reports a command line picocli would accept
 * (a known option's value is skipped, whatever it looks like, as picocli takes it).
 */
final class UsageCheck {
  private UsageCheck() {}

  /**
   * Flags of another tool that a command recognises in order to answer them precisely. {@link
   * BuildCommand} knows docker build's and buildx's ({@link DockerBuildFlags}).
   */
  interface Foreign {
    /** Whether the other tool's flag {@code name} (as typed, with dashes) takes a value. Empty: not one of its flags. */
    Optional<Boolean> takesValue(String name);

    /**
     * What to say about a flag jscan does not have, or about a value one of jscan's options takes
     * differently from the other tool (e.g. {@code --output type=registry}): the error after
     * {@code jscan: } ({@code not supported: …} and what to do instead), or empty when jscan
     * handles it.
     *
     * @param name the flag as typed ({@code --cache-from}, {@code -o})
     * @param value its value: attached ({@code --x=v}), or the next word when the flag takes one
     */
    Optional<String> problem(String name, Optional<String> value);
  }

  /** The one-line problem with {@code args} (the detail after {@code jscan: }), if there is one. */
  static Optional<String> problem(CommandLine root, String... args) {
    CommandLine cmd = root;
    boolean positionalSeen = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        return Optional.empty(); // the rest is positional, as picocli reads it
      }
      CommandSpec spec = cmd.getCommandSpec();
      if (!arg.startsWith("-") || arg.equals("-")) {
        CommandLine sub = positionalSeen ? null : cmd.getSubcommands().get(arg);
        if (sub != null) {
          cmd = sub;
          continue;
        }
        if (spec.positionalParameters().isEmpty() && !cmd.getSubcommands().isEmpty()) {
          return Optional.of(unknownCommand(cmd, arg));
        }
        positionalSeen = true;
        continue;
      }
      Optional<Foreign> foreign = spec.userObject() instanceof Foreign f ? Optional.of(f) : Optional.empty();
      Token token = Token.of(arg);
      OptionSpec option = spec.findOption(token.name());
      if (!arg.startsWith("--") && arg.length() > 2 && (option == null || option.arity().min() == 0)) {
        // a cluster of short options (-qt NAME, -qfDockerfile): each letter an option, the first
        // that takes a value takes the rest of the word (or the next word)
        Cluster cluster = cluster(spec, arg);
        if (cluster.unknown().isPresent()) {
          return Optional.of(unknownOption(cmd, cluster.unknown().get(), foreign, Optional.empty()));
        }
        if (cluster.valueNext()) {
          i++;
        }
        continue;
      }
      if (option == null) {
        Optional<String> next = i + 1 < args.length ? Optional.of(args[i + 1]) : Optional.empty();
        return Optional.of(unknownOption(cmd, token.name(), foreign, token.value().isPresent() ? token.value() : next));
      }
      Optional<String> value = token.value();
      boolean takesNext = value.isEmpty() && option.arity().min() >= 1 && i + 1 < args.length;
      if (takesNext) {
        value = Optional.of(args[i + 1]);
        i++;
      } else if (value.isEmpty() && option.arity().max() >= 1 && i + 1 < args.length && foreign.isPresent()
          && foreign.get().takesValue(token.name()).orElse(false)) {
        // an optional value (jscan's --sbom[=true|false]) that the other tool's flag always
        // takes (buildx's --sbom generator=…): judged, and skipped only if jscan would take it too
        Optional<String> theirs = Optional.of(args[i + 1]);
        Optional<String> answer = foreign.get().problem(token.name(), theirs);
        if (answer.isPresent()) {
          return answer;
        }
        continue;
      }
      if (foreign.isPresent() && value.isPresent()) {
        Optional<String> answer = foreign.get().problem(token.name(), value);
        if (answer.isPresent()) {
          return answer;
        }
      }
    }
    return Optional.empty();
  }

  /** {@code --name=value}, {@code -o=value}, {@code -ovalue} (picocli's attached forms) or a bare name. */
  private record Token(String name, Optional<String> value) {
    static Token of(String arg) {
      int eq = arg.indexOf('=');
      if (arg.startsWith("--")) {
        return eq > 0 ? new Token(arg.substring(0, eq), Optional.of(arg.substring(eq + 1))) : new Token(arg, Optional.empty());
      }
      if (arg.length() <= 2) {
        return new Token(arg, Optional.empty());
      }
      // -o=value and -ovalue name the option -o; a cluster of flags (-qv) is handled by cluster()
      return new Token(arg.substring(0, 2), Optional.of(arg.charAt(2) == '=' ? arg.substring(3) : arg.substring(2)));
    }
  }

  private record Cluster(Optional<String> unknown, boolean valueNext) {}

  private static Cluster cluster(CommandSpec spec, String arg) {
    for (int j = 1; j < arg.length(); j++) {
      String name = "-" + arg.charAt(j);
      OptionSpec o = spec.findOption(name);
      if (o == null) {
        return new Cluster(Optional.of(name), false);
      }
      if (o.arity().min() >= 1) {
        return new Cluster(Optional.empty(), j == arg.length() - 1);
      }
    }
    return new Cluster(Optional.empty(), false);
  }

  private static String unknownOption(CommandLine cmd, String name, Optional<Foreign> foreign, Optional<String> value) {
    if (foreign.isPresent() && foreign.get().takesValue(name).isPresent()) {
      boolean takesValue = foreign.get().takesValue(name).get();
      Optional<String> answer = foreign.get().problem(name, takesValue ? value : Optional.empty());
      if (answer.isPresent()) {
        return answer.get();
      }
    }
    String hint = "";
    if (name.startsWith("--")) {
      List<String> names = new ArrayList<>();
      for (OptionSpec o : cmd.getCommandSpec().options()) {
        if (!o.hidden()) {
          for (String n : o.names()) {
            if (n.startsWith("--")) {
              names.add(n.substring(2));
            }
          }
        }
      }
      hint = DidYouMean.closest(name.substring(2), names).map(n -> " (did you mean --" + n + "?)").orElse("");
    }
    return "unknown option: " + name + hint + (hint.isEmpty() ? "; see '" + cmd.getCommandSpec().qualifiedName() + " --help'" : "");
  }

  private static String unknownCommand(CommandLine cmd, String name) {
    String hint = DidYouMean.closest(name, cmd.getSubcommands().keySet()).map(n -> " (did you mean " + n + "?)").orElse("");
    String qualified = cmd.getCommandSpec().qualifiedName();
    return "unknown command: " + (cmd.getParent() == null ? "" : qualified.substring(qualified.indexOf(' ') + 1) + " ") + name + hint
        + (hint.isEmpty() ? "; '" + qualified + " --help' lists the commands" : "");
  }
}
