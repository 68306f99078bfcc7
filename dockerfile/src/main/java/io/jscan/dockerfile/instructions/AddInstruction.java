package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.shell.WordExpander;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code ADD [--chown] [--chmod] [--link] [--checksum=d] [--keep-git-dir[=b]] [--unpack[=b]] [--exclude=p]... src... dest}.
 *
 * @param keepGitDir present only when the flag was given (BuildKit's default depends on the source)
 * @param unpack present only when the flag was given (by default local archives are unpacked)
 */
public record AddInstruction(
    SourceLocation location,
    List<String> sources,
    List<InlineFile> inlineFiles,
    String destination,
    Optional<String> chown,
    Optional<String> chmod,
    boolean link,
    Optional<String> checksum,
    Optional<Boolean> keepGitDir,
    Optional<Boolean> unpack,
    List<String> excludes)
    implements Instruction, Expandable<AddInstruction> {

  public AddInstruction {
    Objects.requireNonNull(location, "location");
    sources = List.copyOf(sources);
    inlineFiles = List.copyOf(inlineFiles);
    if (sources.isEmpty() && inlineFiles.isEmpty()) {
      throw new IllegalArgumentException("ADD needs a source");
    }
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(chown, "chown");
    Objects.requireNonNull(chmod, "chmod");
    Objects.requireNonNull(checksum, "checksum");
    Objects.requireNonNull(keepGitDir, "keepGitDir");
    Objects.requireNonNull(unpack, "unpack");
    excludes = List.copyOf(excludes);
  }

  @Override
  public String keyword() {
    return "ADD";
  }

  /** Sources, destination, {@code --chown}, {@code --chmod}, {@code --checksum} and heredoc bodies expanded. */
  @Override
  public AddInstruction expand(WordExpander e) throws DockerfileException {
    return new AddInstruction(
        location,
        KeyValues.expandAll(sources, e, location),
        KeyValues.expandInline(inlineFiles, e, location),
        e.expand(destination, location),
        KeyValues.expand(chown, e, location),
        KeyValues.expand(chmod, e, location),
        link,
        KeyValues.expand(checksum, e, location),
        keepGitDir,
        unpack,
        excludes);
  }
}
