package io.jscan.dockerfile.ignore;

import io.jscan.core.io.BoundedFiles;
import io.jscan.core.io.InputFileException;
import io.jscan.core.io.InputLimit;
import io.jscan.core.text.FileExcerpts;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.internal.GoText;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A build context's {@code .dockerignore}: which context paths a build does not send. Reading
 * follows moby/patternmatcher's {@code ignorefile.ReadAll} and matching its {@code
 * MatchesOrParentMatches}: patterns apply in order, a {@code !} pattern re-includes, and a path is
 * excluded when it or any of its parent directories matches.
 *
 * <p>Entry points for the builder: {@link #load} (finds the file BuildKit would use), {@link
 * #isExcluded}, {@link #canSkipDirectory} (prune a walk) and {@link #includedFiles}.
 */
public final class DockerIgnore {
  /** BuildKit's default ignore file name in the context root. */
  public static final String DEFAULT_NAME = ".dockerignore";

  private final String source;
  private final List<IgnorePattern> patterns;
  /**
   * When every pattern is a plain path that excludes (no wildcard, no {@code !}), those paths;
   * otherwise null. Every build has one such pattern (the lock file), and the walk asks about
   * every file of the context: a set lookup per parent answers without taking the path apart.
   */
  private final Set<String> literalExclusions;

  private DockerIgnore(String source, List<IgnorePattern> patterns) {
    this.source = source;
    this.patterns = List.copyOf(patterns);
    Set<String> literals = new HashSet<>();
    for (IgnorePattern p : this.patterns) {
      Optional<String> literal = p.literalPath();
      if (p.exclusion() || literal.isEmpty()) {
        literals = null;
        break;
      }
      literals.add(literal.get());
    }
    this.literalExclusions = literals == null || literals.isEmpty() ? null : Set.copyOf(literals);
  }

  /** No patterns: nothing is excluded. */
  public static DockerIgnore none() {
    return new DockerIgnore("<none>", List.of());
  }

  /**
   * The ignore file BuildKit uses for a build: {@code <Dockerfile>.dockerignore} beside the
   * Dockerfile when it exists (it takes precedence), else {@code .dockerignore} in the context root.
   */
  public static Optional<Path> locate(Path contextDir, Path dockerfile) {
    // anything there counts, not only a regular file: a FIFO, a dangling link or a link to /dev/zero
    // named .dockerignore is refused when read rather than skipped, which would send what it excludes
    Path beside = dockerfile.resolveSibling(dockerfile.getFileName().toString() + DEFAULT_NAME);
    if (Files.exists(beside, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.of(beside);
    }
    Path inContext = contextDir.resolve(DEFAULT_NAME);
    return Files.exists(inContext, LinkOption.NOFOLLOW_LINKS) ? Optional.of(inContext) : Optional.empty();
  }

  /**
   * Reads the ignore file {@link #locate} finds; {@link #none()} when there is none. It is a
   * regular file of at most {@link InputLimit#DOCKERIGNORE}.
   */
  public static DockerIgnore load(Path contextDir, Path dockerfile) throws DockerfileException, InputFileException {
    Optional<Path> file = locate(contextDir, dockerfile);
    if (file.isEmpty()) {
      return none();
    }
    String content = decodeUtf8(BoundedFiles.read(file.get(), InputLimit.DOCKERIGNORE));
    try {
      return parse(file.get().toString(), content);
    } catch (DockerfileException e) {
      if (FileExcerpts.quotable(file.get())) {
        throw e;
      }
      // a link out of its directory: the file and line, none of its content (FileExcerpts)
      throw DockerfileException.at(e.file(), e.line(), "not a valid ignore file (" + FileExcerpts.notQuotedBecause(file.get()) + ")");
    }
  }

  /**
   * Parses ignore-file text; a pattern that patternmatcher rejects ({@code !} alone, a malformed
   * {@code [...]}) is an error naming its line.
   *
   * @param fileName used in error messages
   */
  public static DockerIgnore parse(String fileName, String content) throws DockerfileException {
    List<IgnorePattern> compiled = new ArrayList<>();
    for (NumberedPattern p : read(content)) {
      compile(fileName, p.line, p.text).ifPresent(compiled::add);
    }
    return new DockerIgnore(fileName, compiled);
  }

  /** A matcher for patterns given directly (line numbers in errors are list positions, from 1). */
  public static DockerIgnore of(List<String> patterns) throws DockerfileException {
    List<IgnorePattern> compiled = new ArrayList<>();
    for (int i = 0; i < patterns.size(); i++) {
      compile("<patterns>", i + 1, patterns.get(i)).ifPresent(compiled::add);
    }
    return new DockerIgnore("<patterns>", compiled);
  }

  /**
   * The patterns of an ignore file as {@code ignorefile.ReadAll} returns them: a UTF-8 BOM and
   * lines starting with {@code #} dropped, whitespace trimmed, blank lines dropped, each pattern
   * cleaned like a path with a leading {@code /} removed, a {@code !} prefix kept.
   */
  public static List<String> readPatterns(String content) {
    return read(content).stream().map(p -> p.text).toList();
  }

  /** The patterns in effect, in order ({@code !} marks re-inclusions). */
  public List<String> patterns() {
    return patterns.stream().map(p -> (p.exclusion() ? "!" : "") + p.text()).toList();
  }

  /** Whether any pattern re-includes with {@code !}. */
  public boolean hasExclusions() {
    return patterns.stream().anyMatch(IgnorePattern::exclusion);
  }

  /**
   * Whether the context path (relative, {@code /}-separated, e.g. {@code docs/README.md}) is left
   * out of the build. The context root {@code .} never is.
   *
   * @throws DockerfileException when a pattern that must be evaluated cannot be compiled
   */
  public boolean isExcluded(String relativePath) throws DockerfileException {
    if (patterns.isEmpty()) {
      return false; // no .dockerignore: the walk asks once per file, so answer without parsing the path
    }
    if (literalExclusions != null && isClean(relativePath)) {
      // the general loop below gives the same answer: an exact pattern matches the path itself or
      // one of its parent directories, and with no "!" pattern nothing can take that back
      if (literalExclusions.contains(relativePath)) {
        return true;
      }
      for (int slash = relativePath.indexOf('/'); slash >= 0; slash = relativePath.indexOf('/', slash + 1)) {
        if (literalExclusions.contains(relativePath.substring(0, slash))) {
          return true;
        }
      }
      return false;
    }
    String file = relativePath;
    if (GoPath.clean(file).equals(".")) {
      return false; // patternmatcher never excludes the whole context
    }
    String parent = GoPath.dir(file);
    String[] parentElements = parent.split("/", -1);
    boolean matched = false;
    for (IgnorePattern pattern : patterns) {
      // an inclusion only matters while the path is included, an exclusion while it is excluded
      if (pattern.exclusion() != matched) {
        continue;
      }
      boolean match;
      try {
        match = pattern.matches(file);
      } catch (IgnorePattern.BadPattern e) {
        throw badPattern(pattern);
      }
      if (!match && !parent.equals(".")) {
        StringBuilder prefix = new StringBuilder();
        for (String element : parentElements) {
          if (prefix.length() > 0) {
            prefix.append('/');
          }
          prefix.append(element);
          try {
            match = pattern.matches(prefix.toString());
          } catch (IgnorePattern.BadPattern e) {
            match = false; // patternmatcher ignores errors of the parent checks
          }
          if (match) {
            break;
          }
        }
      }
      if (match) {
        matched = !pattern.exclusion();
      }
    }
    return matched;
  }

  /**
   * Whether a walk of the context can skip this directory entirely: it is excluded, and no {@code
   * !} pattern could re-include anything below it.
   */
  public boolean canSkipDirectory(String relativeDir) throws DockerfileException {
    if (!isExcluded(relativeDir)) {
      return false;
    }
    List<String> elements = List.of(GoPath.clean(relativeDir).split("/", -1));
    for (IgnorePattern pattern : patterns) {
      if (pattern.exclusion() && pattern.couldMatchBelow(elements)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The context's files, symbolic links and other non-directory entries that are not excluded,
   * as sorted relative {@code /}-separated paths (directories are implied by their entries). The
   * walk does not follow symbolic links and skips directories {@link #canSkipDirectory} allows.
   */
  public List<String> includedFiles(Path contextDir) throws DockerfileException, IOException {
    List<String> included = new ArrayList<>();
    DockerfileException[] failure = new DockerfileException[1];
    Files.walkFileTree(contextDir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        if (dir.equals(contextDir)) {
          return FileVisitResult.CONTINUE;
        }
        try {
          return canSkipDirectory(relative(contextDir, dir)) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        } catch (DockerfileException e) {
          failure[0] = e;
          return FileVisitResult.TERMINATE;
        }
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        String rel = relative(contextDir, file);
        try {
          if (!isExcluded(rel)) {
            included.add(rel);
          }
          return FileVisitResult.CONTINUE;
        } catch (DockerfileException e) {
          failure[0] = e;
          return FileVisitResult.TERMINATE;
        }
      }
    });
    if (failure[0] != null) {
      throw failure[0];
    }
    Collections.sort(included);
    return included;
  }

  private static String relative(Path root, Path p) {
    return root.relativize(p).toString().replace(java.io.File.separatorChar, '/');
  }

  /** A path that Go's {@code path.Clean} leaves as it is, other than the root: {@code a/b}, never {@code ./a}, {@code a//b}, {@code a/} or {@code a/..}. */
  private static boolean isClean(String path) {
    if (path.isEmpty() || path.charAt(0) == '/' || path.charAt(path.length() - 1) == '/') {
      return false;
    }
    int start = 0;
    for (int i = 0; i <= path.length(); i++) {
      if (i == path.length() || path.charAt(i) == '/') {
        int len = i - start;
        if (len == 0 || (len == 1 && path.charAt(start) == '.') || (len == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.')) {
          return false;
        }
        start = i + 1;
      }
    }
    return true;
  }

  private DockerfileException badPattern(IgnorePattern pattern) {
    String why = pattern.compileError().orElse("syntax error in pattern");
    return DockerfileException.at(
        source, pattern.line(), "syntax error in pattern " + GoText.quote(pattern.text()) + ": " + why);
  }

  private record NumberedPattern(int line, String text) {}

  private static List<NumberedPattern> read(String content) {
    List<NumberedPattern> out = new ArrayList<>();
    String text = content.startsWith("\uFEFF") ? content.substring(1) : content;
    List<String> lines = splitLines(text);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("#")) {
        continue; // a comment only when '#' is the very first character
      }
      String pattern = GoText.trimSpace(line);
      if (pattern.isEmpty()) {
        continue;
      }
      boolean invert = pattern.charAt(0) == '!';
      if (invert) {
        pattern = GoText.trimSpace(pattern.substring(1));
      }
      if (!pattern.isEmpty()) {
        pattern = GoPath.clean(pattern);
        if (pattern.length() > 1 && pattern.charAt(0) == '/') {
          pattern = pattern.substring(1); // "/x" and "x" both mean x in the context root
        }
      }
      out.add(new NumberedPattern(i + 1, invert ? "!" + pattern : pattern));
    }
    return out;
  }

  /** bufio.ScanLines: lines split at \n, a trailing \r dropped, no empty last line. */
  private static List<String> splitLines(String text) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int nl = text.indexOf('\n', start);
      int end = nl < 0 ? text.length() : nl;
      String line = text.substring(start, end);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      lines.add(line);
      start = nl < 0 ? text.length() : nl + 1;
    }
    return lines;
  }

  /** patternmatcher.New for one pattern: empty when it is blank, an error when it is malformed. */
  private static Optional<IgnorePattern> compile(String fileName, int line, String raw) throws DockerfileException {
    String p = GoText.trimSpace(raw);
    if (p.isEmpty()) {
      return Optional.empty();
    }
    p = GoPath.clean(p);
    boolean exclusion = false;
    if (p.charAt(0) == '!') {
      if (p.length() == 1) {
        throw DockerfileException.at(fileName, line, "illegal exclusion pattern: \"!\"");
      }
      exclusion = true;
      p = p.substring(1);
    }
    if (!GlobSyntax.isValid(p)) {
      throw DockerfileException.at(fileName, line, "syntax error in pattern " + GoText.quote(p));
    }
    return Optional.of(new IgnorePattern(p, exclusion, line));
  }

  private static String decodeUtf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalStateException("a replacing decoder cannot fail", e);
    }
  }
}
