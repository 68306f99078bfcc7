package io.jscan.dockerfile.instructions;

import java.util.Objects;

/**
 * A COPY or ADD source written as a heredoc: a file named {@code name} with {@code content}.
 *
 * @param content the body, leading tabs already removed for {@code <<-}
 * @param expand whether variables in the body are expanded (false when the delimiter was quoted)
 */
public record InlineFile(String name, String content, boolean expand) {
  public InlineFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(content, "content");
  }
}
