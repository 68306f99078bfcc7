package io.jscan.core.text;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much of a file an error message may quote: the one home of that rule, for every file jscan
 * reads on the user's behalf (Dockerfiles, policies, {@code jscan.lock}, keys, bundles, trusted
 * roots, predicates).
 *
 * <ul>
 *   <li><b>Only from the file the user named.</b> A file reached through a symlink that leads out of
 *       the directory holding the link (a {@code Dockerfile} or a policy that is a link to
 *       {@code /etc/shadow}) is not what the user named: errors about it give the file, the line and
 *       what kind of file was expected, and no content at all. Links that stay in their directory (a
 *       Kubernetes ConfigMap mount: {@code policy.yaml -> ..data/policy.yaml}) are fine. See
 *       {@link #quotable}.
 *   <li><b>Only a short excerpt</b>, at most {@value #MAX} characters, escaped ({@link Printable#excerpt}).
 *   <li><b>Nothing of a file that is not of the expected format</b>: a Dockerfile line that does not
 *       start with an instruction word, a policy whose top level is not a mapping, and any JSON that
 *       does not parse (described by line and column only, {@link #jsonProblem}) are named as such
 *       without quoting them.
 * </ul>
 */
public final class FileExcerpts {
  /** The most characters of a file a message quotes. */
  public static final int MAX = 40;

  private FileExcerpts() {}

  /**
   * Whether messages may quote {@code named} (a path as the user or a configuration gave it): every
   * symlink met on the way along it points inside the directory that holds the link. An
   * unreadable path is not quotable (fail closed: the message then says less, never more).
   */
  public static boolean quotable(Path named) {
    Path at = named.isAbsolute() ? named.getRoot() : Path.of("");
    try {
      for (Path part : named) {
        Path next = at.resolve(part);
        if (Files.isSymbolicLink(next)) {
          Path holder = (at.toString().isEmpty() ? Path.of(".") : at).toRealPath();
          if (!next.toRealPath().startsWith(holder)) {
            return false;
          }
        }
        at = next;
      }
      return true;
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  /** Why content of {@code named} is not quoted, for messages that leave it out. */
  public static String notQuotedBecause(Path named) {
    return named + " is reached through a symlink that leads out of its directory, so none of its content is shown";
  }

  /**
   * A JSON parse failure in jscan's words, without any of the content: Jackson's messages quote the
   * token they choked on and a source excerpt of up to 500 characters (the first line of {@code
   * /etc/shadow} fed as a trusted root). Says where (line, column) and what kind of mistake.
   */
  public static String jsonProblem(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    String where = at != null && at.getLineNr() > 0 ? " at line " + at.getLineNr() + ", column " + at.getColumnNr() : "";
    String original = String.valueOf(e.getOriginalMessage());
    String kind;
    if (original.startsWith("Unexpected end-of-input")) {
      kind = "it ends too early";
    } else if (original.startsWith("Unrecognized token")) {
      kind = "a word that is not a JSON value";
    } else if (original.startsWith("Unexpected character")) {
      kind = "an unexpected character";
    } else if (original.startsWith("Duplicate field")) {
      kind = "a key appears twice";
    } else if (original.startsWith("Illegal unquoted character")) {
      kind = "a control character inside a string";
    } else if (original.startsWith("Invalid UTF-8") || original.contains("Invalid UTF-8")) {
      kind = "invalid UTF-8";
    } else if (original.startsWith("Trailing token")) {
      kind = "more after the JSON value";
    } else {
      kind = "";
    }
    return "not valid JSON" + where + (kind.isEmpty() ? "" : " (" + kind + ")");
  }
}
