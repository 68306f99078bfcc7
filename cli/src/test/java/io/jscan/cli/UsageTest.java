package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.testing.RepoPaths;
import io.jscan.core.transport.store.LocalStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What jscan answers to a command line it cannot run as written: unknown options and commands
 * (never taken as a parameter), docker build's and buildx's flags jscan does not have ("not
 * supported" and what to do instead), and the help of every command, whole.
 */
class UsageTest {
  @TempDir Path tmp;
  Map<String, String> env = new HashMap<>();

  record Result(int code, String out, String err) {}

  @BeforeEach
  void useTempStore() {
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
    env.put("SOURCE_DATE_EPOCH", "1700000000");
  }

  @AfterEach
  void restore() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  Result jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), env, args);
    return new Result(code, out.toString(), err.toString());
  }

  static String sample() {
    return RepoPaths.testdata("sample").toString();
  }

  /** Exit code 2, nothing on stdout, exactly {@code jscan: expected} on stderr. */
  static void assertUsageError(Result r, String expected) {
    assertEquals(2, r.code(), r.err());
    assertEquals("", r.out());
    assertEquals("jscan: " + expected + System.lineSeparator(), r.err());
  }

  // ---------------------------------------------------------------- unknown options and commands

  @Test
  void build_misspeltOption_isAnUnknownOptionWithTheNearestName_notTheContext() {
    assertUsageError(jscan("build", "--tagg", "x", sample()), "unknown option: --tagg (did you mean --tag?)");
    // alone it used to be "missing CONTEXT"
    assertUsageError(jscan("build", "--tagg"), "unknown option: --tagg (did you mean --tag?)");
    assertFalse(Files.exists(tmp.resolve("home/index.json")), "nothing was built");
  }

  @Test
  void unknownOption_onEveryCommand_isReportedAsSuch() {
    for (String command : Jscan.COMMAND_NAMES.keySet()) {
      if (command.equals("help")) {
        continue; // help takes a command name, and has no options of its own to misspell
      }
      Result r = jscan(command, "--no-such-option", "value", "more");
      assertEquals(2, r.code(), command + ": " + r.err());
      assertTrue(r.err().startsWith("jscan: unknown option: --no-such-option"), command + ": " + r.err());
      assertEquals(1, r.err().lines().count(), command + ": one line: " + r.err());
    }
    assertUsageError(jscan("dockerfile", "lint", "--failure-treshold", "error", "Dockerfile"),
        "unknown option: --failure-treshold (did you mean --failure-threshold?)");
    assertUsageError(jscan("verify", "--polcy", "strict", "app:1"), "unknown option: --polcy (did you mean --policy?)");
    assertUsageError(jscan("build", "-qx", sample()), "unknown option: -x; see 'jscan build --help'");
  }

  @Test
  void misspeltCommand_namesTheNearestCommand() {
    assertUsageError(jscan("biuld", "."), "unknown command: biuld (did you mean build?)");
    assertUsageError(jscan("dockerfile", "lnt", "Dockerfile"), "unknown command: dockerfile lnt (did you mean lint?)");
    assertUsageError(jscan("frobnicate"), "unknown command: frobnicate; 'jscan --help' lists the commands");
  }

  @Test
  void otherUsageErrors_areOneLine_withWhereTheUsageIs() {
    assertUsageError(jscan("build", sample(), "extra"), "unexpected argument: extra (see 'jscan build --help')");
    assertUsageError(jscan("sbom"), "missing required parameter: 'IMAGE' (see 'jscan sbom --help')");
    assertUsageError(jscan("verify", "--output", "xml", "app:1"),
        "invalid value for option '--output': expected one of [text, json, sarif] (case-sensitive) but was 'xml' (see 'jscan verify --help')");
  }

  // ---------------------------------------------------------------- docker build / buildx flags

  static Stream<Arguments> buildxFlags() {
    return Stream.of(
        Arguments.of(List.of("--output", "type=registry"), "not supported: --output type=registry: push with -t REGISTRY/NAME:TAG --push"),
        Arguments.of(List.of("-o", "type=docker"), "not supported: --output type=docker: jscan does not talk to a Docker daemon:"
            + " write --output docker-archive:FILE[:NAME:TAG] and run 'docker load -i FILE'"),
        Arguments.of(List.of("--output=type=oci,dest=out.tar"), "not supported: --output type=oci,dest=out.tar: write --output"
            + " oci:DIR[:REF], an OCI image layout directory (jscan writes no layout tarball)"),
        Arguments.of(List.of("-otype=local,dest=out"), "not supported: --output type=local,dest=out: jscan exports images, not file"
            + " trees: write --output oci:DIR and unpack it (umoci unpack)"),
        Arguments.of(List.of("--output", "-"), "not supported: --output -: jscan does not write images to standard output;"
            + " write --output docker-archive:FILE or oci:DIR"),
        Arguments.of(List.of("--platform", "linux/amd64,linux/arm64"), "not supported: --platform linux/amd64,linux/arm64: jscan builds"
            + " one platform per run (no multi-platform index yet); run one build per platform, e.g. --platform linux/amd64"),
        Arguments.of(List.of("--cache-from", "type=registry,ref=r/app:cache"), "not supported: --cache-from type=registry,ref=r/app:cache:"
            + " jscan's layer cache is its local store ($JSCAN_HOME): keep that directory between CI runs instead"),
        Arguments.of(List.of("--cache-to=type=inline"), "not supported: --cache-to type=inline: jscan's layer cache is its local store"
            + " ($JSCAN_HOME): keep that directory between CI runs instead"),
        Arguments.of(List.of("--load"), "not supported: --load: jscan builds into its own store, not Docker's: write --output"
            + " docker-archive:FILE and run 'docker load -i FILE'"),
        Arguments.of(List.of("--progress", "rawjson"), "not supported: --progress rawjson: jscan prints plain progress lines"
            + " (--progress plain) or none (--quiet)"),
        Arguments.of(List.of("--ssh", "default"), "not supported: --ssh default: jscan forwards no SSH agent to RUN steps"
            + " (RUN --mount=type=ssh is skipped, or refused when required); fetch private sources before the build, or pass a token with --secret"),
        Arguments.of(List.of("--add-host", "db:10.0.0.5"), "not supported: --add-host db:10.0.0.5: RUN steps see this machine's"
            + " /etc/hosts; add the entry there"),
        Arguments.of(List.of("--network", "none"), "not supported: --network none: write RUN --network=none in the Dockerfile"
            + " for the steps that need no network"),
        Arguments.of(List.of("--network=bridge"), "not supported: --network bridge: RUN steps use the host's network (default, host),"
            + " or none with RUN --network=none"),
        Arguments.of(List.of("--sbom=generator=docker/scout-sbom-indexer"), "not supported: --sbom=generator=docker/scout-sbom-indexer:"
            + " jscan's own catalogers make the SBOM (CycloneDX and SPDX); write --sbom"),
        Arguments.of(List.of("--provenance=mode=max"), "not supported: --provenance=mode=max: jscan's --provenance has one mode:"
            + " SLSA v1 provenance with every build parameter; write --provenance"),
        Arguments.of(List.of("--provenance", "builder-id=https://ci.example/1"), "not supported: --provenance=builder-id=https://ci.example/1:"
            + " set the environment variable JSCAN_BUILDER_ID instead, with --provenance"),
        Arguments.of(List.of("--pull=sometimes"), "--pull=sometimes: expected missing, always or never (or docker's true and false)"),
        Arguments.of(List.of("--squash"), "not supported: --squash: jscan keeps one layer per instruction (each one cached and shared on its own)"),
        Arguments.of(List.of("--isolation", "hyperv"), "not supported: --isolation hyperv: it selects Windows container isolation;"
            + " jscan builds Linux images"),
        Arguments.of(List.of("--shm-size", "2g"), "not supported: --shm-size 2g: RUN steps get a 64 MiB /dev/shm, as Docker's default"),
        Arguments.of(List.of("--ulimit", "nofile=1024:1024"), "not supported: --ulimit nofile=1024:1024: RUN steps get the open-files"
            + " limit jscan itself has; raise it (ulimit -n) before running jscan"),
        Arguments.of(List.of("--cgroup-parent", "build.slice"), "not supported: --cgroup-parent build.slice: RUN steps run in the OCI"
            + " runtime's cgroup; run jscan itself in the cgroup you want"),
        Arguments.of(List.of("-m", "2g"), "not supported: -m 2g: jscan sets no resource limits on RUN steps; run jscan itself under"
            + " the limit (systemd-run, a cgroup)"));
  }

  @ParameterizedTest
  @MethodSource("buildxFlags")
  void build_buildxFlagJscanLacks_isNotSupported_withWhatToDoInstead(List<String> flags, String expected) {
    List<String> args = new ArrayList<>(List.of("build"));
    args.addAll(flags);
    args.add(sample());
    assertUsageError(jscan(args.toArray(String[]::new)), expected);
    assertFalse(Files.exists(tmp.resolve("home/index.json")), "nothing was built");
    // before any other complaint: the context is missing here too
    args.remove(args.size() - 1);
    assertUsageError(jscan(args.toArray(String[]::new)), expected);
  }

  /** Parses {@code args} with jscan's parser and returns the build command picocli filled. */
  static BuildCommand parsedBuild(String... args) {
    CommandLine cli = Jscan.newCommandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of());
    List<String> all = new ArrayList<>(List.of("build"));
    all.addAll(List.of(args));
    cli.parseArgs(all.toArray(String[]::new));
    return cli.getSubcommands().get("build").getCommand();
  }

  @Test
  void build_pullAlone_meansAlwaysAsDocker_andJscansValuesStillWork() {
    BuildCommand alone = parsedBuild("--pull", "ctx");
    assertEquals("always", alone.pull);
    assertEquals(Path.of("ctx"), alone.context, "the word after docker's boolean --pull is the context");
    assertEquals("always", parsedBuild("ctx", "--pull").pull);
    assertEquals("never", parsedBuild("--pull", "never", "ctx").pull);
    assertEquals(Path.of("ctx"), parsedBuild("--pull", "never", "ctx").context);
    assertEquals("missing", parsedBuild("--pull=missing", "ctx").pull);
    assertEquals("missing", parsedBuild("ctx").pull, "the default");
    assertEquals("true", parsedBuild("--pull=true", "ctx").pull, "docker's --pull=true, taken as always when building");
  }

  @Test
  void build_dockersSpellingsJscanHas_build() throws Exception {
    Path iid = tmp.resolve("iid");
    Result r = jscan("build", "--pull", "--network", "host", "--progress", "plain", "--sbom=false", "--provenance", "false",
        "--iidfile", iid.toString(), "-t", "sample:1", sample());
    assertEquals(0, r.code(), r.err());
    String digest = BuildCommandTest.golden();
    assertEquals(digest + System.lineSeparator(), r.out());
    assertEquals(digest, Files.readString(iid), "the manifest digest, without a newline, as docker writes its id file");
    assertFalse(r.err().contains("attached"), "--sbom=false and --provenance false attach nothing: " + r.err());
    Result quiet = jscan("build", "--progress", "quiet", "--pull=false", sample());
    assertEquals(0, quiet.code(), quiet.err());
    assertEquals("", quiet.err(), "--progress quiet is -q");
  }

  // ---------------------------------------------------------------- help

  /** Every command and subcommand, by its qualified name's words after "jscan". */
  static List<List<String>> everyCommand() {
    CommandLine cli = Jscan.newCommandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of());
    List<List<String>> out = new ArrayList<>();
    collect(cli, List.of(), out);
    return out;
  }

  private static void collect(CommandLine cmd, List<String> path, List<List<String>> out) {
    for (Map.Entry<String, CommandLine> e : cmd.getSubcommands().entrySet()) {
      List<String> p = new ArrayList<>(path);
      p.add(e.getKey());
      out.add(p);
      collect(e.getValue(), p, out);
    }
  }

  @Test
  void help_ofEveryCommand_showsWholeSentences_inEightyColumns() {
    CommandLine root = Jscan.newCommandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of());
    Result top = jscan("--help");
    assertEquals(0, top.code());
    assertWrapped(top.out(), "jscan --help");
    for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
      var usage = e.getValue().getCommandSpec().usageMessage();
      String summary = usage.header().length > 0 ? usage.header()[0] : usage.description()[0];
      assertTrue(collapse(top.out()).contains(e.getKey() + " " + summary), "jscan --help lists " + e.getKey() + " with \"" + summary + "\"");
    }
    for (List<String> command : everyCommand()) {
      CommandLine cmd = root;
      for (String name : command) {
        cmd = cmd.getSubcommands().get(name);
      }
      CommandSpec spec = cmd.getCommandSpec();
      List<String> args = new ArrayList<>(command);
      args.add("--help");
      Result help = jscan(args.toArray(String[]::new));
      String name = String.join(" ", command);
      assertEquals(0, help.code(), name + " --help: " + help.err());
      assertTrue(help.out().contains("Usage: jscan " + name), name + ": " + help.out());
      assertWrapped(help.out(), name + " --help");
      if (command.size() == 1 && !command.get(0).equals("help")) {
        Result viaHelp = jscan("help", command.get(0));
        assertEquals(help.out(), viaHelp.out(), "jscan help " + name + " is " + name + " --help");
      }
      String collapsed = collapse(help.out());
      List<String> texts = new ArrayList<>(List.of(spec.usageMessage().header()));
      texts.addAll(List.of(spec.usageMessage().description()));
      for (ArgSpec arg : spec.args()) {
        if (!arg.hidden()) {
          texts.addAll(List.of(arg.description()));
        }
      }
      for (String text : texts) {
        String t = text.replace("%n", " ").strip();
        if (t.isEmpty() || text.startsWith(" ")) { // an indented line is an example (generate-completion's)
          continue;
        }
        assertTrue(collapsed.contains(collapse(t)), name + " --help shows whole: \"" + t + "\"\n" + help.out());
        assertTrue(t.matches("(?s).*([.!?](\\)|')?|:)"), name + ": a description is whole sentences, this one ends mid-sentence: \"" + t + "\"");
      }
    }
  }

  /** No line longer than 80 columns unless it is one word; no word cut at a line end. */
  private static void assertWrapped(String out, String what) {
    for (String line : out.lines().toList()) {
      if (line.length() > HelpLayout.WIDTH) {
        assertFalse(line.strip().contains(" "), what + ": a line of " + line.length() + " columns: " + line);
      }
      assertFalse(line.endsWith("…"), what + ": " + line);
    }
  }

  private static String collapse(String s) {
    return s.replaceAll("\\s+", " ").strip();
  }
}
