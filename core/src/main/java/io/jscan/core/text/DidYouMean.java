package io.jscan.core.text;

import java.util.Collection;
import java.util.Optional;

/**
 * The "did you mean X?" of an error message: the known word closest to a misspelt one, when it is
 * close enough to be what was meant. Used for Dockerfile instructions (as BuildKit suggests them)
 * and command-line options and commands.
 */
public final class DidYouMean {
  private DidYouMean() {}

  /**
   * The candidate nearest to {@code word} by edit distance ({@link #distance}), if at most a third of
   * {@code word}'s length (at least 1) away and not {@code word} itself; the first of equally near
   * ones. A third keeps "tagg" → "tag" and "COPPY" → "COPY" but not "load" → "locked".
   */
  public static Optional<String> closest(String word, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(word, candidate);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return best != null && bestDistance > 0 && bestDistance <= Math.max(1, word.length() / 3) ? Optional.of(best) : Optional.empty();
  }

  /**
   * The edit distance with adjacent transpositions (optimal string alignment): insertions,
   * deletions, substitutions and swaps of two neighbours count one each, so "biuld" is one edit
   * from "build", as a typing slip is.
   */
  public static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
