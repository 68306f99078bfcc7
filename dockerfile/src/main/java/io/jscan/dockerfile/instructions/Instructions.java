package io.jscan.dockerfile.instructions;

import io.jscan.core.text.DidYouMean;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.parser.Heredoc;
import io.jscan.dockerfile.parser.HeredocMarker;
import io.jscan.dockerfile.parser.Node;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns syntax-tree nodes into checked {@link Instruction}s with the rules of BuildKit's {@code
 * instructions.ParseInstruction}: known keyword, accepted flags, argument counts and values. The
 * error messages are BuildKit's, prefixed with the file and line.
 */
public final class Instructions {
  private static final Pattern ONBUILD_PREFIX = Pattern.compile("(?i)^[\t\n\f\r ]*ONBUILD[\t\n\f\r ]*");
  private static final List<String> KEYWORDS = List.of(
      "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER",
      "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR");

  private Instructions() {}

  /** Checks one node; an unknown keyword, a bad flag or a wrong argument count is an error at its line. */
  public static Instruction parse(Node node) throws DockerfileException {
    SourceLocation at = node.location();
    try {
      return switch (node.command()) {
        case "add" -> add(node, at);
        case "arg" -> arg(node, at);
        case "cmd" -> new CmdInstruction(at, commandLine(node));
        case "copy" -> copy(node, at);
        case "entrypoint" -> new EntrypointInstruction(at, commandLine(node));
        case "env" -> new EnvInstruction(at, keyValues(node, "ENV", at));
        case "expose" -> expose(node, at);
        case "from" -> from(node, at);
        case "healthcheck" -> healthcheck(node, at);
        case "label" -> new LabelInstruction(at, keyValues(node, "LABEL", at));
        case "maintainer" -> new MaintainerInstruction(at, exactlyOne(node, "MAINTAINER", true, at));
        case "onbuild" -> onbuild(node, at);
        case "run" -> run(node, at);
        case "shell" -> shell(node, at);
        case "stopsignal" -> new StopSignalInstruction(at, exactlyOne(node, "STOPSIGNAL", false, at));
        case "user" -> new UserInstruction(at, exactlyOne(node, "USER", true, at));
        case "volume" -> volume(node, at);
        case "workdir" -> new WorkdirInstruction(at, exactlyOne(node, "WORKDIR", true, at));
        default -> throw DockerfileException.at(at, unknownInstruction(node.keyword()));
      };
    } catch (BuildFlags.FlagException e) {
      throw DockerfileException.at(at, e.getMessage());
    }
  }

  private static BuildFlags flags(Node node) {
    return new BuildFlags(node.flags());
  }

  private static String exactlyOne(Node node, String keyword, boolean checkFlags, SourceLocation at)
      throws DockerfileException, BuildFlags.FlagException {
    if (node.args().size() != 1) {
      throw DockerfileException.at(at, keyword + " requires exactly one argument");
    }
    if (checkFlags) {
      flags(node).parse(); // STOPSIGNAL is the one instruction BuildKit does not check flags of
    }
    return node.args().get(0);
  }

  private static List<KeyValue> keyValues(Node node, String keyword, SourceLocation at)
      throws DockerfileException, BuildFlags.FlagException {
    flags(node).parse();
    List<String> args = node.args();
    if (args.isEmpty()) {
      throw DockerfileException.at(at, keyword + " requires at least one argument");
    }
    if (args.size() % 3 != 0) {
      throw DockerfileException.at(at, "Bad input to " + keyword + ", too many arguments");
    }
    List<KeyValue> out = new ArrayList<>();
    for (int i = 0; i < args.size(); i += 3) {
      if (args.get(i).isEmpty()) {
        throw DockerfileException.at(at, keyword + " names can not be blank");
      }
      out.add(new KeyValue(args.get(i), args.get(i + 1), args.get(i + 2).isEmpty()));
    }
    return out;
  }

  private static CommandLine commandLine(Node node) throws BuildFlags.FlagException {
    flags(node).parse();
    return commandLine(node.args(), node.jsonForm());
  }

  /** BuildKit's handleJSONArgs: exec form as is, shell form joined into one string. */
  private static CommandLine commandLine(List<String> args, boolean json) {
    if (json) {
      return new CommandLine(args, true);
    }
    return new CommandLine(args.isEmpty() ? List.of() : List.of(String.join(" ", args)), false);
  }

  private static FromInstruction from(Node node, SourceLocation at) throws DockerfileException, BuildFlags.FlagException {
    List<String> args = node.args();
    Optional<String> stageName = Optional.empty();
    if (args.size() == 3 && args.get(1).equalsIgnoreCase("as")) {
      String name = args.get(2).toLowerCase(Locale.ROOT);
      if (!FromInstruction.STAGE_NAME.matcher(name).matches()) {
        throw DockerfileException.at(
            at,
            "invalid name for build stage: " + io.jscan.dockerfile.internal.GoText.quote(args.get(2))
                + ", name can't start with a number or contain symbols");
      }
      stageName = Optional.of(name);
    } else if (args.size() != 1) {
      throw DockerfileException.at(at, "FROM requires either one or three arguments");
    }
    BuildFlags flags = flags(node).string("platform").parse();
    return new FromInstruction(at, args.get(0), stageName, flags.value("platform"));
  }

  private static CopyInstruction copy(Node node, SourceLocation at) throws DockerfileException, BuildFlags.FlagException {
    if (node.args().size() < 2) {
      throw DockerfileException.at(
          at, "COPY requires at least two arguments, but only one was provided. Destination could not be determined");
    }
    BuildFlags flags =
        flags(node).string("chown").string("from").string("chmod").bool("link").strings("exclude").bool("parents").parse();
    SourcesAndDestination sd = sourcesAndDestination(node, "COPY", at);
    return new CopyInstruction(
        at,
        sd.sources,
        sd.inlineFiles,
        sd.destination,
        flags.value("from").filter(v -> !v.isEmpty()),
        flags.value("chown").filter(v -> !v.isEmpty()),
        flags.value("chmod").filter(v -> !v.isEmpty()),
        flags.isTrue("link"),
        flags.isTrue("parents"),
        flags.all("exclude"));
  }

  private static AddInstruction add(Node node, SourceLocation at) throws DockerfileException, BuildFlags.FlagException {
    if (node.args().size() < 2) {
      throw DockerfileException.at(
          at, "ADD requires at least two arguments, but only one was provided. Destination could not be determined");
    }
    BuildFlags flags = flags(node)
        .string("chown")
        .string("chmod")
        .bool("link")
        .bool("keep-git-dir")
        .string("checksum")
        .bool("unpack")
        .strings("exclude")
        .parse();
    SourcesAndDestination sd = sourcesAndDestination(node, "ADD", at);
    return new AddInstruction(
        at,
        sd.sources,
        sd.inlineFiles,
        sd.destination,
        flags.value("chown").filter(v -> !v.isEmpty()),
        flags.value("chmod").filter(v -> !v.isEmpty()),
        flags.isTrue("link"),
        flags.value("checksum").filter(v -> !v.isEmpty()),
        flags.optionalBool("keep-git-dir"),
        flags.optionalBool("unpack"),
        flags.all("exclude"));
  }

  private record SourcesAndDestination(List<String> sources, List<InlineFile> inlineFiles, String destination) {}

  private static SourcesAndDestination sourcesAndDestination(Node node, String keyword, SourceLocation at)
      throws DockerfileException {
    List<String> args = node.args();
    String destination = args.get(args.size() - 1);
    if (HeredocMarker.parseLenient(destination).isPresent()) {
      throw DockerfileException.at(at, keyword + " cannot accept a heredoc as a destination");
    }
    List<String> sources = new ArrayList<>();
    List<InlineFile> inline = new ArrayList<>();
    for (String source : args.subList(0, args.size() - 1)) {
      Optional<HeredocMarker> marker = HeredocMarker.parseLenient(source);
      if (marker.isEmpty()) {
        sources.add(source);
        continue;
      }
      String content = "";
      for (Heredoc h : node.heredocs()) {
        if (h.name().equals(marker.get().name())) {
          content = marker.get().chomp() ? h.content().replaceAll("(?m)^\t+", "") : h.content();
        }
      }
      inline.add(new InlineFile(marker.get().name(), content, marker.get().expand()));
    }
    return new SourcesAndDestination(sources, inline, destination);
  }

  private static RunInstruction run(Node node, SourceLocation at) throws DockerfileException, BuildFlags.FlagException {
    BuildFlags flags = flags(node).strings("mount").string("network").string("security").parse();
    List<MountSpec> mounts = new ArrayList<>();
    for (String spec : flags.all("mount")) {
      mounts.add(Mounts.parse(spec, at));
    }
    String network = flags.value("network").orElse("default");
    NetworkMode networkMode = switch (network) {
      case "default" -> NetworkMode.DEFAULT;
      case "none" -> NetworkMode.NONE;
      case "host" -> NetworkMode.HOST;
      default -> throw DockerfileException.at(at, "invalid network mode \"" + network + "\"");
    };
    String security = flags.value("security").orElse("sandbox");
    SecurityMode securityMode = switch (security) {
      case "sandbox" -> SecurityMode.SANDBOX;
      case "insecure" -> SecurityMode.INSECURE;
      default -> throw DockerfileException.at(at, "security \"" + security + "\" is not valid");
    };
    return new RunInstruction(
        at, commandLine(node.args(), node.jsonForm()), node.heredocs(), mounts, networkMode, securityMode);
  }

  private static ShellInstruction shell(Node node, SourceLocation at) throws DockerfileException, BuildFlags.FlagException {
    flags(node).parse();
    if (node.args().isEmpty()) {
      throw DockerfileException.at(at, "SHELL requires at least one argument");
    }
    if (!node.jsonForm()) {
      throw DockerfileException.at(at, "SHELL requires the arguments to be in JSON form");
    }
    return new ShellInstruction(at, node.args());
  }

  private static ExposeInstruction expose(Node node, SourceLocation at) throws DockerfileException, BuildFlags.FlagException {
    if (node.args().isEmpty()) {
      throw DockerfileException.at(at, "EXPOSE requires at least one argument");
    }
    flags(node).parse();
    return new ExposeInstruction(at, node.args().stream().sorted().toList());
  }

  private static VolumeInstruction volume(Node node, SourceLocation at) throws DockerfileException, BuildFlags.FlagException {
    if (node.args().isEmpty()) {
      throw DockerfileException.at(at, "VOLUME requires at least one argument");
    }
    flags(node).parse();
    List<String> volumes = new ArrayList<>();
    for (String v : node.args()) {
      String trimmed = io.jscan.dockerfile.internal.GoText.trimSpace(v);
      if (trimmed.isEmpty()) {
        throw DockerfileException.at(at, "VOLUME specified can not be an empty string");
      }
      volumes.add(trimmed);
    }
    return new VolumeInstruction(at, volumes);
  }

  private static ArgInstruction arg(Node node, SourceLocation at) throws DockerfileException {
    if (node.args().isEmpty()) {
      throw DockerfileException.at(at, "ARG requires at least one argument");
    }
    // BuildKit does not check ARG's flags
    List<ArgDefinition> defs = new ArrayList<>();
    for (String arg : node.args()) {
      int eq = arg.indexOf('=');
      if (eq == 0) {
        throw DockerfileException.at(at, "ARG names can not be blank");
      }
      defs.add(eq < 0
          ? new ArgDefinition(arg, Optional.empty())
          : new ArgDefinition(arg.substring(0, eq), Optional.of(arg.substring(eq + 1))));
    }
    return new ArgInstruction(at, defs);
  }

  private static OnbuildInstruction onbuild(Node node, SourceLocation at) throws DockerfileException, BuildFlags.FlagException {
    if (node.trigger().isEmpty()) {
      throw DockerfileException.at(at, "ONBUILD requires at least one argument");
    }
    flags(node).parse();
    Node trigger = node.trigger().get();
    String keyword = io.jscan.dockerfile.internal.GoText.trimSpace(trigger.keyword()).toUpperCase(Locale.ROOT);
    switch (keyword) {
      case "ONBUILD" -> throw DockerfileException.at(at, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      case "MAINTAINER", "FROM" -> throw DockerfileException.at(at, keyword + " isn't allowed as an ONBUILD trigger");
      default -> {}
    }
    StringBuilder expression = new StringBuilder(ONBUILD_PREFIX.matcher(node.original()).replaceAll(""));
    for (Heredoc h : node.heredocs()) {
      expression.append('\n').append(h.content()).append(h.name());
    }
    Node withHeredocs = new Node(
        trigger.keyword(), trigger.flags(), trigger.args(), trigger.trigger(), trigger.jsonForm(), node.heredocs(),
        trigger.location(), trigger.original(), trigger.comments());
    return new OnbuildInstruction(at, withHeredocs, expression.toString());
  }

  private static HealthcheckInstruction healthcheck(Node node, SourceLocation at)
      throws DockerfileException, BuildFlags.FlagException {
    if (node.args().isEmpty()) {
      throw DockerfileException.at(at, "HEALTHCHECK requires at least one argument");
    }
    String type = node.args().get(0).toUpperCase(Locale.ROOT);
    List<String> args = node.args().subList(1, node.args().size());
    if (type.equals("NONE")) {
      if (!args.isEmpty()) {
        throw DockerfileException.at(at, "HEALTHCHECK NONE takes no arguments");
      }
      // BuildKit does not look at the flags of HEALTHCHECK NONE
      return new HealthcheckInstruction(at, List.of("NONE"), Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0);
    }
    BuildFlags flags = flags(node)
        .string("interval").string("timeout").string("start-period").string("start-interval").string("retries")
        .parse();
    if (!type.equals("CMD")) {
      throw DockerfileException.at(at, "Unknown type \"" + type + "\" in HEALTHCHECK (try CMD)");
    }
    CommandLine command = commandLine(args, node.jsonForm());
    if (command.arguments().isEmpty()) {
      throw DockerfileException.at(at, "Missing command after HEALTHCHECK CMD");
    }
    List<String> test = new ArrayList<>();
    test.add(node.jsonForm() ? "CMD" : "CMD-SHELL");
    test.addAll(command.arguments());
    int retries = 0;
    Optional<String> retriesFlag = flags.value("retries").filter(v -> !v.isEmpty());
    if (retriesFlag.isPresent()) {
      String v = retriesFlag.get();
      long parsed;
      try {
        parsed = Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw DockerfileException.at(at, "strconv.ParseInt: parsing \"" + v + "\": invalid syntax");
      }
      if (parsed < Integer.MIN_VALUE || parsed > Integer.MAX_VALUE) {
        throw DockerfileException.at(at, "strconv.ParseInt: parsing \"" + v + "\": value out of range");
      }
      if (parsed < 0) {
        throw DockerfileException.at(at, "--retries cannot be negative (" + parsed + ")");
      }
      retries = (int) parsed;
    }
    return new HealthcheckInstruction(
        at,
        test,
        interval(flags, "interval", at),
        interval(flags, "timeout", at),
        interval(flags, "start-period", at),
        interval(flags, "start-interval", at),
        retries);
  }

  /** BuildKit's parseOptInterval: empty or zero is "not set"; otherwise at least 1ms. */
  private static Duration interval(BuildFlags flags, String name, SourceLocation at) throws DockerfileException {
    Optional<String> value = flags.value(name).filter(v -> !v.isEmpty());
    if (value.isEmpty()) {
      return Duration.ZERO;
    }
    Duration d;
    try {
      d = GoDuration.parse(value.get());
    } catch (IllegalArgumentException e) {
      throw DockerfileException.at(at, e.getMessage());
    }
    if (d.isZero()) {
      return Duration.ZERO;
    }
    if (d.compareTo(Duration.ofMillis(1)) < 0) {
      throw DockerfileException.at(at, "Interval \"" + name + "\" cannot be less than 1ms");
    }
    return d;
  }

  /** " (did you mean X?)" for a near miss of a known keyword, as BuildKit suggests. */
  /**
   * BuildKit's "unknown instruction: WORD", with WORD only when it looks like an instruction word: a
   * line of another kind of file (the first line of /etc/passwd, reached through a Dockerfile
   * symlink or named by mistake) is not echoed into logs (FileExcerpts).
   */
  static String unknownInstruction(String word) {
    if (!INSTRUCTION_LIKE.matcher(word).matches()) {
      return "unknown instruction: the line does not start with an instruction word (is this a Dockerfile?)";
    }
    return "unknown instruction: " + word + suggestion(word);
  }

  private static final java.util.regex.Pattern INSTRUCTION_LIKE = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,19}");

  private static String suggestion(String word) {
    return DidYouMean.closest(word.toUpperCase(Locale.ROOT), KEYWORDS)
        .map(k -> " (did you mean " + k.toLowerCase(Locale.ROOT) + "?)")
        .orElse("");
  }
}
