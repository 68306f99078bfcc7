package io.jscan.dockerfile.parser;

import java.util.Objects;

/**
 * A heredoc attached to a RUN, COPY or ADD line ({@code <<EOF ... EOF}).
 *
 * @param name the delimiter word after quote removal ({@code <<"EOF"} has name {@code EOF})
 * @param content the body lines as written, each with its line ending; leading tabs are still
 *     there even when {@link #chomp()} is set (BuildKit strips them when it uses the content)
 * @param expand false when any part of the delimiter was quoted: the body is then not expanded
 * @param chomp true for {@code <<-}: leading tabs are removed from the body and the terminator
 * @param fileDescriptor the number before {@code <<} ({@code 3<<EOF}), 0 when there is none
 */
public record Heredoc(String name, String content, boolean expand, boolean chomp, int fileDescriptor) {
  public Heredoc {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(content, "content");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("heredoc name is empty");
    }
    if (fileDescriptor < 0) {
      throw new IllegalArgumentException("negative file descriptor " + fileDescriptor);
    }
  }

  /** The body as the instruction uses it: with {@code <<-}, leading tabs of every line removed. */
  public String effectiveContent() {
    return chomp ? content.replaceAll("(?m)^\t+", "") : content;
  }
}
