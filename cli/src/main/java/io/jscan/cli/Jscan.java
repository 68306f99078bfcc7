package io.jscan.cli;

import io.jscan.core.JscanException;
import io.jscan.core.text.Printable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * The {@code jscan} command. {@link #run} is the testable entry point: it never exits the JVM and
 * never prints a stack trace unless {@code --debug} is given. Results go to {@code out}; progress,
 * logs and errors go to {@code err}.
 */
@Command(
    name = "jscan",
    // -h/--help and -V/--version on every command (inherited), so 'jscan sbom --help' shows help
    // instead of complaining that IMAGE is missing
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT,
    versionProvider = Jscan.Version.class,
    description = {
      "Builds reproducible OCI images from Dockerfiles and verifies images before they run.",
      ""
    },
    synopsisSubcommandLabel = "COMMAND")
public final class Jscan {

  @Option(
      names = "--debug",
      scope = ScopeType.INHERIT,
      description = "Print stack traces of errors (for bug reports).")
  boolean debug;

  private Jscan() {}

  /**
   * Every command by the name (or alias) that invokes it, in the order {@code --help} lists them.
   * The names repeat the {@code @Command} annotations on purpose: reading the annotations of every
   * command class to find the one invoked cost a build about 30 ms of start-up (reflection, proxies);
   * {@code JscanTest} checks that this table and the annotations agree.
   */
  static final Map<String, Class<?>> COMMAND_NAMES = commandTable(
      "help", CommandLine.HelpCommand.class,
      "generate-completion", AutoComplete.GenerateCompletion.class,
      "dockerfile", DockerfileCommand.class,
      "build", BuildCommand.class,
      "sbom", SbomCommand.class,
      "generate-key-pair", GenerateKeyPairCommand.class,
      "sign-blob", SignBlobCommand.class,
      "verify-blob", VerifyBlobCommand.class,
      "verify-bundle", VerifyBundleCommand.class,
      "sign", SignCommand.class,
      "attest", AttestCommand.class,
      "verify", VerifyCommand.class,
      "serve", ServeCommand.class,
      "images", ImagesCommand.class,
      "inspect", InspectCommand.class,
      "tag", TagCommand.class,
      "rmi", RmiCommand.class,
      "save", SaveCommand.class,
      "load", LoadCommand.class,
      "pull", PullCommand.class,
      "push", PushCommand.class,
      "login", LoginCommand.class,
      "logout", LogoutCommand.class);

  /** Every command, in the order {@code --help} lists them. */
  static final List<Class<?>> COMMANDS = List.copyOf(new java.util.LinkedHashSet<>(COMMAND_NAMES.values()));

  private static Map<String, Class<?>> commandTable(Object... nameThenClass) {
    Map<String, Class<?>> table = new java.util.LinkedHashMap<>();
    for (int i = 0; i < nameThenClass.length; i += 2) {
      table.put((String) nameThenClass[i], (Class<?>) nameThenClass[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(table);
  }

  /** The commands that need every other command's model: help, completion scripts. */
  private static final Set<String> NEED_ALL = Set.of("help", "generate-completion");

  /** Commands that read environment variables get them through this, so tests can supply their own. */
  interface EnvironmentAware {
    void environment(Map<String, String> env);
  }

  /** Commands that read standard input get it through this, so tests can supply their own. */
  interface InputAware {
    void input(InputStream in);
  }

  /** Parses {@code args}, runs the command and returns its exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(out, err, System.getenv(), args);
  }

  /** As {@link #run(PrintWriter, PrintWriter, String...)} with an explicit environment (tests). */
  public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
    return run(out, err, env, System.in, args);
  }

  /** As {@link #run(PrintWriter, PrintWriter, Map, String...)} with an explicit standard input (tests). */
  public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, InputStream in, String... args) {
    CommandLine cli = newCommandLine(out, err, env, in, commandsFor(args));
    // unknown options, unknown commands and other tools' flags, answered before picocli's parser
    // misreads them (an unknown option's value taken as the build context)
    java.util.Optional<String> problem = UsageCheck.problem(cli, args);
    if (problem.isPresent()) {
      err.println("jscan: " + Printable.escape(problem.get()));
      err.flush();
      return ExitCode.BAD_INPUT.code();
    }
    return cli.execute(args);
  }

  static CommandLine newCommandLine(PrintWriter out, PrintWriter err) {
    return newCommandLine(out, err, System.getenv());
  }

  static CommandLine newCommandLine(PrintWriter out, PrintWriter err, Map<String, String> env) {
    return newCommandLine(out, err, env, System.in);
  }

  static CommandLine newCommandLine(PrintWriter out, PrintWriter err, Map<String, String> env, InputStream in) {
    return newCommandLine(out, err, env, in, COMMANDS);
  }

  /**
   * The commands {@code args} can reach. Picocli builds each command's model by reflection when it
   * is added, which costs about as much as starting the JVM once there are twenty commands; a run
   * of one command (the usual case: {@code jscan build ...}) builds only that one. Anything else
   * (no command, {@code --help}, {@code help}, a misspelt command that needs suggestions) gets
   * them all.
   */
  static List<Class<?>> commandsFor(String... args) {
    for (String arg : args) {
      if (arg.equals("--debug")) {
        continue; // the one global option that can come before the command
      }
      if (arg.startsWith("-") || NEED_ALL.contains(arg)) {
        return COMMANDS;
      }
      Class<?> command = COMMAND_NAMES.get(arg);
      if (command != null) {
        return List.of(command);
      }
      return COMMANDS;
    }
    return COMMANDS;
  }

  private static CommandLine newCommandLine(
      PrintWriter out, PrintWriter err, Map<String, String> env, InputStream in, List<Class<?>> commands) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine.IFactory factory =
        new CommandLine.IFactory() {
          @Override
          public <K> K create(Class<K> cls) throws Exception {
            K created = defaults.create(cls);
            if (created instanceof EnvironmentAware aware) {
              aware.environment(env);
            }
            if (created instanceof InputAware reads) {
              reads.input(in);
            }
            return created;
          }
        };
    CommandLine cli = new CommandLine(new Jscan(), factory);
    for (Class<?> command : commands) {
      cli.addSubcommand(command);
    }
    cli.setOut(out);
    cli.setErr(err);
    cli.setExitCodeExceptionMapper(t -> ExitCode.UNEXPECTED.code());
    cli.getCommandSpec().usageMessage().footer(ExitCode.helpFooter());
    cli.getCommandSpec().usageMessage().footerHeading("");
    HelpLayout.install(cli);
    cli.setParameterExceptionHandler(Jscan::onBadUsage);
    cli.setExecutionExceptionHandler(Jscan::onFailure);
    // 'generate-completion' is hidden by picocli; show it, people look for it
    CommandLine completion = cli.getSubcommands().get("generate-completion");
    if (completion != null) {
      completion.getCommandSpec().usageMessage().hidden(false);
    }
    return cli;
  }

  /** One line, as every jscan error: what picocli found wrong, and where the usage is. */
  private static int onBadUsage(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    String message;
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      // what is left once every parameter is filled (UsageCheck caught unknown options before,
      // except those picocli read from an @argument file)
      List<String> extra = u.getUnmatched();
      String first = extra.get(0);
      message = first.startsWith("-") && first.length() > 1 && cmd.getCommandSpec().findOption(first.split("=", 2)[0]) == null
          ? "unknown option: " + first.split("=", 2)[0]
          : "unexpected argument" + (extra.size() == 1 ? "" : "s") + ": " + String.join(" ", extra);
    } else {
      String m = String.valueOf(e.getMessage()).strip().replaceAll("\\s*\\R\\s*", "; ");
      message = m.isEmpty() ? "bad usage" : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }
    err.println("jscan: " + Printable.escape(message) + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
    err.flush();
    return ExitCode.BAD_INPUT.code();
  }

  private static int onFailure(Exception e, CommandLine cmd, ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    boolean debug = isDebug(parsed);
    int code;
    if (e instanceof JscanException je) {
      // a message may quote an image's file name or a registry's answer: never raw on the terminal
      err.println("jscan: " + Printable.escape(je.getMessage()));
      code = ExitCode.of(je.kind()).code();
    } else if (e instanceof IOException io) {
      err.println("jscan: I/O error: " + Printable.escape(String.valueOf(io.getMessage())));
      code = ExitCode.UNEXPECTED.code();
    } else {
      err.println("jscan: unexpected error: " + Printable.escape(String.valueOf(e)));
      if (!debug) {
        err.println("Rerun with --debug for details.");
      }
      code = ExitCode.UNEXPECTED.code();
    }
    if (debug) {
      e.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  private static boolean isDebug(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--debug")) {
        return true;
      }
    }
    return false;
  }

  /** Reads the version Maven filtered into {@code version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      return new String[] {"jscan " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }

    static String version() throws IOException {
      Properties p = new Properties();
      try (InputStream in = Jscan.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return p.getProperty("version", "unknown");
    }
  }
}
