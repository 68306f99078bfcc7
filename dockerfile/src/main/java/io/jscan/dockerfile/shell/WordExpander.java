package io.jscan.dockerfile.shell;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Expands the words of one build step with the step's variables and remembers which variables
 * were read: the builder puts the build arguments among {@link #usedVariables()} into the step's
 * cache key. Not thread-safe; use one per step.
 */
public final class WordExpander {
  /** BuildKit expands heredoc bodies with a backslash lexer that leaves quotes alone. */
  private static final ShellLexer HEREDOC_LEXER = ShellLexer.withEscapeToken('\\').ignoringQuotes();

  private final ShellLexer lexer;
  private final VariableLookup variables;
  private final ExpansionBudget budget;
  private final Set<String> used = new LinkedHashSet<>();
  private final Set<String> unset = new LinkedHashSet<>();

  /**
   * @param escapeToken the Dockerfile's escape token
   * @param variables the stage's variables at this step (ENV and ARG values)
   */
  public WordExpander(char escapeToken, VariableLookup variables) {
    this(escapeToken, variables, ExpansionBudget.perWordOnly());
  }

  /**
   * @param budget what expansion may still add to the Dockerfile's words (shared by the plan's stages)
   */
  public WordExpander(char escapeToken, VariableLookup variables, ExpansionBudget budget) {
    this.lexer = ShellLexer.withEscapeToken(escapeToken);
    this.variables = variables;
    this.budget = budget;
  }

  /** One word, quotes and escapes processed (BuildKit's {@code ProcessWord}). */
  public String expand(String word, SourceLocation at) throws DockerfileException {
    return record(lexer.processWord(word, variables, at, budget));
  }

  /** One word split into words after expansion (BuildKit's {@code ProcessWords}, used by EXPOSE). */
  public List<String> expandToWords(String word, SourceLocation at) throws DockerfileException {
    ExpandedWords result = lexer.processWords(word, variables, at, budget);
    used.addAll(result.usedVariables());
    unset.addAll(result.unsetVariables());
    return result.words();
  }

  /** A heredoc body: variables expanded, escapes processed, quotes kept as written. */
  public String expandHeredocBody(String body, SourceLocation at) throws DockerfileException {
    return record(HEREDOC_LEXER.processWord(body, variables, at, budget));
  }

  private String record(ExpandedWord word) {
    used.addAll(word.usedVariables());
    unset.addAll(word.unsetVariables());
    return word.value();
  }

  /** The variables read so far that were set, in first-use order. */
  public Set<String> usedVariables() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(used));
  }

  /** The variables referenced so far that were not set. */
  public Set<String> unsetVariables() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(unset));
  }
}
