package io.jscan.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.dockerfile.Dockerfile;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.parser.Heredoc;
import io.jscan.dockerfile.parser.Node;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jscan dockerfile}: commands on Dockerfiles ({@code parse}; {@code lint} comes later). */
@Command(
    name = "dockerfile",
    mixinStandardHelpOptions = true,
    description = "Work with Dockerfiles (BuildKit-compatible parser).",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {DockerfileCommand.Parse.class})
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
      mixinStandardHelpOptions = true,
      description = {
        "Parse and check a Dockerfile the way BuildKit does and print its syntax tree.",
        "Text output is BuildKit's AST dump format; JSON output is one document with the parser",
        "directives and every instruction (flags, arguments, exec form, lines, heredocs)."
      })
  static final class Parse implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--output",
        paramLabel = "FORMAT",
        defaultValue = "text",
        description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    OutputFormat output;

    @Parameters(paramLabel = "FILE", description = "The Dockerfile; - reads standard input.")
    String file;

    @Override
    public Integer call() throws DockerfileException, IOException {
      Dockerfile dockerfile = Dockerfile.parse(file, read());
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

    private byte[] read() throws IOException {
      if (file.equals("-")) {
        return System.in.readAllBytes();
      }
      try {
        return Files.readAllBytes(Path.of(file));
      } catch (NoSuchFileException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "no such file: " + file);
      }
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
