package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.shell.WordExpander;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code COPY [--from=stage|image] [--chown=u:g] [--chmod=m] [--link] [--parents] [--exclude=p]... src... dest}.
 *
 * @param from a stage name or index, or an image; never expanded (BuildKit rejects variables there)
 * @param sources context (or {@code from}) paths
 * @param inlineFiles sources written as heredocs
 */
public record CopyInstruction(
    SourceLocation location,
    List<String> sources,
    List<InlineFile> inlineFiles,
    String destination,
    Optional<String> from,
    Optional<String> chown,
    Optional<String> chmod,
    boolean link,
    boolean parents,
    List<String> excludes)
    implements Instruction, Expandable<CopyInstruction> {

  public CopyInstruction {
    Objects.requireNonNull(location, "location");
    sources = List.copyOf(sources);
    inlineFiles = List.copyOf(inlineFiles);
    if (sources.isEmpty() && inlineFiles.isEmpty()) {
      throw new IllegalArgumentException("COPY needs a source");
    }
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(chown, "chown");
    Objects.requireNonNull(chmod, "chmod");
    excludes = List.copyOf(excludes);
  }

  @Override
  public String keyword() {
    return "COPY";
  }

  /** Sources, destination, {@code --chown}, {@code --chmod} and heredoc bodies expanded (not {@code --from}). */
  @Override
  public CopyInstruction expand(WordExpander e) throws DockerfileException {
    return new CopyInstruction(
        location,
        KeyValues.expandAll(sources, e, location),
        KeyValues.expandInline(inlineFiles, e, location),
        e.expand(destination, location),
        from,
        KeyValues.expand(chown, e, location),
        KeyValues.expand(chmod, e, location),
        link,
        parents,
        excludes);
  }
}
