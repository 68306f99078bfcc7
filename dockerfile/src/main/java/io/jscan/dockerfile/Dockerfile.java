package io.jscan.dockerfile;

import io.jscan.core.io.BoundedFiles;
import io.jscan.core.io.InputFileException;
import io.jscan.core.io.InputLimit;
import io.jscan.core.text.FileExcerpts;
import io.jscan.dockerfile.instructions.ArgInstruction;
import io.jscan.dockerfile.instructions.FromInstruction;
import io.jscan.dockerfile.instructions.Instruction;
import io.jscan.dockerfile.instructions.Instructions;
import io.jscan.dockerfile.parser.Ast;
import io.jscan.dockerfile.parser.DockerfileParser;
import io.jscan.dockerfile.parser.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A parsed and checked Dockerfile: the syntax tree, the checked instructions, the global ARGs and
 * the stages. This is the front end's main entry point; {@code build.BuildPlan} resolves the stages
 * a target needs.
 *
 * @param ast the syntax tree (BuildKit's AST), with directives and line numbers
 * @param instructions every instruction in file order, checked
 * @param globalArgs the ARG instructions before the first FROM
 * @param stages the build stages in file order
 */
public record Dockerfile(Ast ast, List<Instruction> instructions, List<ArgInstruction> globalArgs, List<Stage> stages) {

  public Dockerfile {
    Objects.requireNonNull(ast, "ast");
    instructions = List.copyOf(instructions);
    globalArgs = List.copyOf(globalArgs);
    stages = List.copyOf(stages);
    if (stages.isEmpty()) {
      throw new IllegalArgumentException("a Dockerfile has at least one stage");
    }
  }

  /** Parses and checks UTF-8 Dockerfile bytes; {@code file} names it in errors. */
  public static Dockerfile parse(String file, byte[] content) throws DockerfileException {
    return fromAst(DockerfileParser.parse(file, content));
  }

  /** Parses and checks Dockerfile text. */
  public static Dockerfile parse(String file, String text) throws DockerfileException {
    return fromAst(DockerfileParser.parse(file, text));
  }

  /**
   * Reads and parses a Dockerfile; errors name the path as given. A Dockerfile is a regular file
   * of at most {@link InputLimit#DOCKERFILE}: a symbolic link to {@code /dev/zero} or a FIFO is
   * refused before it is read.
   */
  public static Dockerfile read(Path path) throws DockerfileException, InputFileException {
    return parse(path, path.toString(), BoundedFiles.read(path, InputLimit.DOCKERFILE));
  }

  /**
   * Parses the bytes read from {@code path}, named {@code file} in errors. When {@code path} is
   * reached through a symlink out of its directory (a {@code Dockerfile} linked to {@code
   * /etc/shadow}), an error gives the file and line and none of its content ({@link FileExcerpts}).
   */
  public static Dockerfile parse(Path path, String file, byte[] content) throws DockerfileException {
    try {
      return parse(file, content);
    } catch (DockerfileException e) {
      if (FileExcerpts.quotable(path)) {
        throw e;
      }
      throw DockerfileException.at(e.file(), e.line(), "not a valid Dockerfile (" + FileExcerpts.notQuotedBecause(path) + ")");
    }
  }

  /** Checks every instruction and groups them into stages (BuildKit's {@code instructions.Parse}). */
  public static Dockerfile fromAst(Ast ast) throws DockerfileException {
    List<Instruction> all = new ArrayList<>();
    List<ArgInstruction> globalArgs = new ArrayList<>();
    List<Stage> stages = new ArrayList<>();
    FromInstruction currentFrom = null;
    List<Instruction> current = new ArrayList<>();
    for (Node node : ast.nodes()) {
      Instruction instruction = Instructions.parse(node);
      all.add(instruction);
      if (instruction instanceof FromInstruction from) {
        if (currentFrom != null) {
          stages.add(new Stage(stages.size(), currentFrom.stageName(), currentFrom, current));
        }
        currentFrom = from;
        current = new ArrayList<>();
      } else if (currentFrom == null) {
        if (instruction instanceof ArgInstruction arg) {
          globalArgs.add(arg);
        } else {
          throw DockerfileException.at(instruction.location(), "no build stage in current context");
        }
      } else {
        current.add(instruction);
      }
    }
    if (currentFrom == null) {
      Node last = ast.nodes().get(ast.nodes().size() - 1);
      throw DockerfileException.at(last.location(), "dockerfile contains no stages to build");
    }
    stages.add(new Stage(stages.size(), currentFrom.stageName(), currentFrom, current));
    return new Dockerfile(ast, all, globalArgs, stages);
  }

  /** The file name as given. */
  public String file() {
    return ast.file();
  }

  /** The parser directives ({@code syntax}, {@code escape}, {@code check}). */
  public Map<String, String> directives() {
    return ast.directives();
  }

  /** The escape token ({@code \} unless {@code # escape=`}). */
  public char escapeToken() {
    return ast.escapeToken();
  }
}
