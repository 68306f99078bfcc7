package io.jscan.dockerfile.shell;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A word after expansion and splitting into words (BuildKit's {@code ProcessWords}): unquoted
 * whitespace, including whitespace that came out of a variable, separates words.
 */
public record ExpandedWords(List<String> words, Set<String> usedVariables, Set<String> unsetVariables) {
  public ExpandedWords {
    words = List.copyOf(words);
    usedVariables = Collections.unmodifiableSet(new LinkedHashSet<>(usedVariables));
    unsetVariables = Collections.unmodifiableSet(new LinkedHashSet<>(unsetVariables));
  }
}
