package io.jscan.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.io.BoundedFiles;
import io.jscan.core.io.InputFileException;
import io.jscan.core.io.InputLimit;
import io.jscan.dockerfile.Dockerfile;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.parser.Heredoc;
import io.jscan.dockerfile.parser.Node;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jscan dockerfile}: commands on Dockerfiles ({@code parse}, {@code lint}). */
@Command(
    name = "dockerfile",
    description = "Work with Dockerfiles (BuildKit-compatible parser).",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {DockerfileCommand.Parse.class, DockerfileCommand.Lint.class})
final class DockerfileCommand {

  /** The output formats of {@code parse}. */
  enum OutputFormat {
    text,
    json
  }

  /**
   * {@code jscan dockerfile parse [--output text|json] FILE}: parses and checks a Dockerfile
   * like BuildKit's frontend and prints its syntax tree.
   */
  @Command(
      name = "parse",
      description = {
        "Parse and check a Dockerfile the way BuildKit does and print its syntax tree.",
        "",
        "Text output is BuildKit's AST dump format; JSON output is one document with the parser directives and every"
          + " instruction (flags, arguments, exec form, lines, heredocs)."
      })
  static final class Parse implements Callable<Integer>, Jscan.InputAware {
    @Spec CommandSpec spec;

    private InputStream stdin = System.in;

    @Override
    public void input(InputStream in) {
      this.stdin = in;
    }

    @Option(
        names = "--output",
        paramLabel = "FORMAT",
        defaultValue = "text",
        description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    OutputFormat output;

    @Parameters(paramLabel = "FILE", description = "The Dockerfile; - reads standard input.")
    String file;

    @Override
    public Integer call() throws DockerfileException, InputFileException, IOException {
      Dockerfile dockerfile = file.equals("-") ? Dockerfile.parse(file, read()) : Dockerfile.parse(Path.of(file), file, read());
      PrintWriter out = spec.commandLine().getOut();
      if (output == OutputFormat.json) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        out.println(mapper.writeValueAsString(toJson(mapper, dockerfile)));
      } else {
        out.println(dockerfile.ast().dump());
      }
      out.flush();
      return ExitCode.OK.code();
    }

    /** The Dockerfile (or standard input for {@code -}), at most {@link InputLimit#DOCKERFILE}, a regular file. */
    private byte[] read() throws InputFileException {
      if (file.equals("-")) {
        return BoundedFiles.read(stdin, "standard input", InputLimit.DOCKERFILE);
      }
      return BoundedFiles.read(Path.of(file), InputLimit.DOCKERFILE);
    }
  }

  /** The lowest lint severity that fails {@code lint}, or none. */
  enum Threshold {
    error,
    warning,
    info,
    none
  }

  /**
   * {@code jscan dockerfile lint FILE}: hadolint-compatible rules (DL3000, DL3002, DL3006, DL3007,
   * DL3020, DL3025, DL4000, DL4006) and jscan's own, plus the Dockerfile rules of any policies.
   */
  @Command(
      name = "lint",
      description = {
        "Lint a Dockerfile with hadolint's rules and jscan's.",
        "",
        "hadolint's DL3000, DL3002, DL3006, DL3007, DL3020, DL3025, DL4000 and DL4006 (same ids and meaning), and jscan's"
          + " JS0001 (no maintainer label) and JS0002 (ADD from a URL without --checksum).",
        "With --policy, the policy rules that can judge a Dockerfile alone run too (base-not-latest, maintainer,"
          + " non-root-user, CEL rules with subject: dockerfile, and others).",
        "Exit code 3 when a finding at or above the failure threshold, or an enforced policy rule, fails;"
          + " 2 when the Dockerfile does not parse."
      })
  static final class Lint implements Callable<Integer>, Jscan.EnvironmentAware {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The Dockerfile.")
    Path file;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
        description = "Report format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    io.jscan.verifier.report.ReportFormat output;

    @Option(names = "--output-file", paramLabel = "FILE", description = "Write the report to FILE instead of standard output.")
    Path outputFile;

    @Option(names = "--policy", paramLabel = "FILE|DIR|NAME", description = "Also apply these policies' Dockerfile rules. Repeatable.")
    java.util.List<String> policies = new java.util.ArrayList<>();

    @Option(names = "--failure-threshold", paramLabel = "LEVEL", defaultValue = "info",
        description = "Lowest lint severity that fails: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}, as hadolint).")
    Threshold threshold;

    private Map<String, String> env = System.getenv();

    @Override
    public void environment(Map<String, String> environment) {
      this.env = environment;
    }

    @Override
    public Integer call() throws Exception {
      Dockerfile dockerfile = VerifyCommand.readDockerfile(file);
      io.jscan.verifier.policy.PolicySet set = policies.isEmpty()
          ? new io.jscan.verifier.policy.PolicySet(java.util.List.of())
          : io.jscan.verifier.policy.PolicyLoader.load(policies);
      io.jscan.verifier.VerificationReport report;
      try (io.jscan.verifier.Verifier verifier = new io.jscan.verifier.Verifier(io.jscan.verifier.VerifierOptions.defaults().withParallelism(1))) {
        io.jscan.verifier.Severity level = threshold == Threshold.none ? null : io.jscan.verifier.Severity.parse(threshold.name());
        report = level == null ? verifier.lintReportOnly(dockerfile, set) : verifier.lint(dockerfile, set, level);
      }
      ReportOutput.write(report, set, output, outputFile, spec.commandLine().getOut(), spec.commandLine().getErr(), env);
      return ReportOutput.exitCode(report).code();
    }
  }

  /** The JSON document: {@code {"directives": {...}, "instructions": [...]}}. */
  static ObjectNode toJson(ObjectMapper mapper, Dockerfile dockerfile) {
    ObjectNode root = mapper.createObjectNode();
    ObjectNode directives = root.putObject("directives");
    for (Map.Entry<String, String> d : dockerfile.directives().entrySet()) {
      directives.put(d.getKey(), d.getValue());
    }
    ArrayNode instructions = root.putArray("instructions");
    for (Node node : dockerfile.ast().nodes()) {
      instructions.add(nodeJson(mapper, node));
    }
    return root;
  }

  private static ObjectNode nodeJson(ObjectMapper mapper, Node node) {
    ObjectNode n = mapper.createObjectNode();
    n.put("cmd", node.command());
    ArrayNode flags = n.putArray("flags");
    node.flags().forEach(flags::add);
    ArrayNode args = n.putArray("args");
    node.args().forEach(args::add);
    n.put("json", node.jsonForm());
    n.put("startLine", node.location().startLine());
    n.put("endLine", node.location().endLine());
    ArrayNode heredocs = n.putArray("heredocs");
    for (Heredoc h : node.heredocs()) {
      ObjectNode hd = heredocs.addObject();
      hd.put("name", h.name());
      hd.put("content", h.content());
      hd.put("expand", h.expand());
      hd.put("chomp", h.chomp());
    }
    node.trigger().ifPresent(t -> n.set("next", nodeJson(mapper, t)));
    return n;
  }
}
