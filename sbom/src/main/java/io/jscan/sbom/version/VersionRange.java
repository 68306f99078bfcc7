package io.jscan.sbom.version;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A set of versions under one {@link VersionScheme}, for policy rules such as "openssl older than
 * 3.0.7" or "log4j-core in [2.0-beta9,2.15.0)".
 *
 * <p>Syntax (whitespace is free):
 * <ul>
 *   <li>comparisons {@code < <= > >= = == !=}, plus dpkg's {@code << >>}; a bare version means {@code =};
 *   <li>{@code ,} or a space joins comparisons that must all hold: {@code >= 1.2, < 2.0};
 *   <li>{@code ||} joins alternatives: {@code < 1.0 || >= 2.0 < 2.1};
 *   <li>Maven-style intervals, as alternatives separated by commas: {@code [1.0,2.0)},
 *       {@code (,1.0],[1.2,)}, {@code [1.5]} (exactly 1.5);
 *   <li>{@code *} or an empty text: every version.
 * </ul>
 * Bounds are compared with the scheme, so {@code 1:1.0 > 2.0} under {@link VersionScheme#DEB}.
 */
public final class VersionRange {
  private static final Pattern COMPARISON = Pattern.compile("(<<|>>|<=|>=|==|!=|<|>|=)?\\s*([A-Za-z0-9][^\\s,<>=!|\\[\\]()]*)");

  private enum Op {
    LT, LE, GT, GE, EQ, NE
  }

  private record Constraint(Op op, String version) {}

  private final String text;
  private final VersionScheme scheme;
  /** Alternatives (OR) of conjunctions (AND); empty alternatives list means "any version". */
  private final List<List<Constraint>> alternatives;

  private VersionRange(String text, VersionScheme scheme, List<List<Constraint>> alternatives) {
    this.text = text;
    this.scheme = scheme;
    this.alternatives = alternatives;
  }

  /**
   * Parses {@code expression} for {@code scheme}.
   *
   * @throws IllegalArgumentException naming the expression and what is wrong with it
   */
  public static VersionRange parse(String expression, VersionScheme scheme) {
    Objects.requireNonNull(scheme, "scheme");
    String text = expression == null ? "" : expression.strip();
    if (text.isEmpty() || text.equals("*")) {
      return new VersionRange(text, scheme, List.of());
    }
    List<List<Constraint>> alternatives = new ArrayList<>();
    if (text.startsWith("[") || text.startsWith("(")) {
      parseIntervals(text, alternatives);
    } else {
      for (String alternative : text.split("\\|\\|", -1)) {
        alternatives.add(parseConjunction(text, alternative.strip()));
      }
    }
    return new VersionRange(text, scheme, List.copyOf(alternatives));
  }

  private static List<Constraint> parseConjunction(String whole, String part) {
    if (part.isEmpty()) {
      throw new IllegalArgumentException("invalid version range \"" + whole + "\": empty alternative");
    }
    List<Constraint> result = new ArrayList<>();
    int i = 0;
    while (i < part.length()) {
      char c = part.charAt(i);
      if (Character.isWhitespace(c) || c == ',') {
        i++;
        continue;
      }
      Matcher m = COMPARISON.matcher(part);
      m.region(i, part.length());
      if (!m.lookingAt()) {
        throw new IllegalArgumentException(
            "invalid version range \"" + whole + "\": unexpected \"" + part.substring(i) + "\"");
      }
      String op = m.group(1) == null ? "=" : m.group(1);
      result.add(new Constraint(op(op), m.group(2)));
      i = m.end();
    }
    return List.copyOf(result);
  }

  private static Op op(String symbol) {
    return switch (symbol) {
      case "<", "<<" -> Op.LT;
      case "<=" -> Op.LE;
      case ">", ">>" -> Op.GT;
      case ">=" -> Op.GE;
      case "!=" -> Op.NE;
      default -> Op.EQ;
    };
  }

  /** {@code [a,b)}, {@code (,b]}, {@code [v]}, separated by commas. */
  private static void parseIntervals(String text, List<List<Constraint>> alternatives) {
    int i = 0;
    while (i < text.length()) {
      char open = text.charAt(i);
      if (Character.isWhitespace(open) || open == ',') {
        i++;
        continue;
      }
      if (open != '[' && open != '(') {
        throw new IllegalArgumentException("invalid version range \"" + text + "\": expected [ or ( at \"" + text.substring(i) + "\"");
      }
      int close = i + 1;
      while (close < text.length() && text.charAt(close) != ']' && text.charAt(close) != ')') {
        close++;
      }
      if (close >= text.length()) {
        throw new IllegalArgumentException("invalid version range \"" + text + "\": unclosed interval");
      }
      String inside = text.substring(i + 1, close);
      boolean lowerInclusive = open == '[';
      boolean upperInclusive = text.charAt(close) == ']';
      List<Constraint> conjunction = new ArrayList<>();
      int comma = inside.indexOf(',');
      if (comma < 0) {
        String v = inside.strip();
        if (v.isEmpty() || !lowerInclusive || !upperInclusive) {
          throw new IllegalArgumentException("invalid version range \"" + text + "\": a single version needs [v]");
        }
        conjunction.add(new Constraint(Op.EQ, v));
      } else {
        String lower = inside.substring(0, comma).strip();
        String upper = inside.substring(comma + 1).strip();
        if (lower.isEmpty() && upper.isEmpty()) {
          throw new IllegalArgumentException("invalid version range \"" + text + "\": interval without bounds");
        }
        if (!lower.isEmpty()) {
          conjunction.add(new Constraint(lowerInclusive ? Op.GE : Op.GT, lower));
        }
        if (!upper.isEmpty()) {
          conjunction.add(new Constraint(upperInclusive ? Op.LE : Op.LT, upper));
        }
      }
      alternatives.add(List.copyOf(conjunction));
      i = close + 1;
    }
    if (alternatives.isEmpty()) {
      throw new IllegalArgumentException("invalid version range \"" + text + "\"");
    }
  }

  /** Whether {@code version} is in the range. */
  public boolean contains(String version) {
    Objects.requireNonNull(version, "version");
    if (alternatives.isEmpty()) {
      return true;
    }
    for (List<Constraint> conjunction : alternatives) {
      boolean all = true;
      for (Constraint c : conjunction) {
        int cmp = scheme.compare(version, c.version);
        boolean ok = switch (c.op) {
          case LT -> cmp < 0;
          case LE -> cmp <= 0;
          case GT -> cmp > 0;
          case GE -> cmp >= 0;
          case EQ -> cmp == 0;
          case NE -> cmp != 0;
        };
        if (!ok) {
          all = false;
          break;
        }
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  public VersionScheme scheme() {
    return scheme;
  }

  @Override
  public String toString() {
    return text.isEmpty() ? "*" : text;
  }
}
