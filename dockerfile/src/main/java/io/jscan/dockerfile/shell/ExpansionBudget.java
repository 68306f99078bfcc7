package io.jscan.dockerfile.shell;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How much variable expansion may add to a Dockerfile's words: at most {@link #MAX_WORD_GROWTH}
 * characters to one word, and at most {@link #MAX_TOTAL_GROWTH} to all the words one build (or
 * one lint) expands. Without a bound, nested variables grow geometrically ("billion laughs":
 * {@code ARG b=${a}${a}${a}…}, {@code ARG c=${b}${b}${b}…}) and a Dockerfile of a few lines
 * exhausts memory; BuildKit has no bound.
 *
 * <p>The bound is on growth, what expansion adds beyond the word as written, so that a large
 * Dockerfile (within {@code InputLimit.DOCKERFILE}) without variables is never refused. Linux
 * passes no single argument or environment string longer than 128 KiB to a program ({@code
 * MAX_ARG_STRLEN}, execve(2)), so a word that grows by a mebibyte is not a command any RUN could
 * run. One budget is shared by every stage of a build plan; the lexer checks the word's bound as
 * it expands, before the oversized text is built.
 */
public final class ExpansionBudget {
  /** The most characters expansion may add to one word. */
  public static final int MAX_WORD_GROWTH = 1 << 20;
  /** The most characters expansion may add to all the words of one build or lint. */
  public static final long MAX_TOTAL_GROWTH = 16L << 20;

  private final long total;
  private final AtomicLong used = new AtomicLong();

  private ExpansionBudget(long total) {
    this.total = total;
  }

  /** A budget for one Dockerfile's build plan (all its stages, in any order or thread). */
  public static ExpansionBudget perDockerfile() {
    return new ExpansionBudget(MAX_TOTAL_GROWTH);
  }

  /** Only the bound on each word: for one-off expansions that are not part of a plan. */
  public static ExpansionBudget perWordOnly() {
    return new ExpansionBudget(Long.MAX_VALUE);
  }

  /** Records that a word grew from {@code written} to {@code expanded} characters; fails past the total. */
  void charge(int written, long expanded, SourceLocation at) throws DockerfileException {
    long growth = expanded - written;
    if (growth <= 0) {
      return;
    }
    if (used.addAndGet(growth) > total) {
      throw DockerfileException.overLimit(at, "variable expansion adds more than " + (total >> 20)
          + " MiB of text to this Dockerfile in total (the limit; nested ARG or ENV values that repeat each other?)");
    }
  }
}
