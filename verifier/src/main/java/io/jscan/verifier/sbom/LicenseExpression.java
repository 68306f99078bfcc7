package io.jscan.verifier.sbom;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * An SPDX license expression (SPDX 2.3 Annex D) as a tree, for allow and deny lists: {@code MIT OR
 * GPL-2.0-only} can be used under MIT alone, {@code MIT AND Zlib} needs both. {@code WITH}
 * exceptions are kept with their license for display and ignored when matching (an exception
 * only adds permissions). Precedence as the annex says: {@code WITH} over {@code AND} over {@code OR}.
 */
public sealed interface LicenseExpression {
  record Id(String id) implements LicenseExpression {}

  record And(List<LicenseExpression> terms) implements LicenseExpression {}

  record Or(List<LicenseExpression> terms) implements LicenseExpression {}

  /**
   * Whether the licensee can comply using only licenses {@code usable} accepts: an {@code OR}
   * needs one usable branch, an {@code AND} needs every term.
   */
  default boolean satisfiable(Predicate<String> usable) {
    if (this instanceof Id id) {
      return usable.test(id.id());
    }
    if (this instanceof And and) {
      return and.terms().stream().allMatch(t -> t.satisfiable(usable));
    }
    return ((Or) this).terms().stream().anyMatch(t -> t.satisfiable(usable));
  }

  /** Every license id the expression mentions. */
  default List<String> ids() {
    List<String> out = new ArrayList<>();
    collect(this, out);
    return out;
  }

  private static void collect(LicenseExpression e, List<String> out) {
    if (e instanceof Id id) {
      out.add(id.id());
    } else if (e instanceof And and) {
      and.terms().forEach(t -> collect(t, out));
    } else {
      ((Or) e).terms().forEach(t -> collect(t, out));
    }
  }

  /**
   * Parses an expression.
   *
   * @throws IllegalArgumentException when it is not a well-formed expression
   */
  static LicenseExpression parse(String text) {
    Parser p = new Parser(tokens(text), text);
    LicenseExpression e = p.or();
    if (p.pos != p.tokens.size()) {
      throw new IllegalArgumentException("unexpected \"" + p.tokens.get(p.pos) + "\" in license expression \"" + text + "\"");
    }
    return e;
  }

  private static List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c == '(' || c == ')' || Character.isWhitespace(c)) {
        if (cur.length() > 0) {
          out.add(cur.toString());
          cur.setLength(0);
        }
        if (!Character.isWhitespace(c)) {
          out.add(String.valueOf(c));
        }
      } else {
        cur.append(c);
      }
    }
    if (cur.length() > 0) {
      out.add(cur.toString());
    }
    return out;
  }

  /** Recursive descent over the tokens. */
  final class Parser {
    private final List<String> tokens;
    private final String text;
    private int pos;

    private Parser(List<String> tokens, String text) {
      this.tokens = tokens;
      this.text = text;
    }

    private boolean at(String keyword) {
      return pos < tokens.size() && tokens.get(pos).toUpperCase(Locale.ROOT).equals(keyword);
    }

    LicenseExpression or() {
      List<LicenseExpression> terms = new ArrayList<>(List.of(and()));
      while (at("OR")) {
        pos++;
        terms.add(and());
      }
      return terms.size() == 1 ? terms.get(0) : new Or(List.copyOf(terms));
    }

    LicenseExpression and() {
      List<LicenseExpression> terms = new ArrayList<>(List.of(with()));
      while (at("AND")) {
        pos++;
        terms.add(with());
      }
      return terms.size() == 1 ? terms.get(0) : new And(List.copyOf(terms));
    }

    LicenseExpression with() {
      LicenseExpression atom = atom();
      if (at("WITH")) {
        pos++;
        if (pos >= tokens.size() || tokens.get(pos).equals("(") || tokens.get(pos).equals(")")) {
          throw new IllegalArgumentException("WITH without an exception id in license expression \"" + text + "\"");
        }
        pos++;
        if (!(atom instanceof Id)) {
          throw new IllegalArgumentException("WITH after a parenthesised expression in \"" + text + "\"");
        }
      }
      return atom;
    }

    LicenseExpression atom() {
      if (pos >= tokens.size()) {
        throw new IllegalArgumentException("license expression \"" + text + "\" ends too early");
      }
      String t = tokens.get(pos++);
      if (t.equals("(")) {
        LicenseExpression inner = or();
        if (pos >= tokens.size() || !tokens.get(pos).equals(")")) {
          throw new IllegalArgumentException("unbalanced parentheses in license expression \"" + text + "\"");
        }
        pos++;
        return inner;
      }
      String upper = t.toUpperCase(Locale.ROOT);
      if (t.equals(")") || upper.equals("AND") || upper.equals("OR") || upper.equals("WITH")) {
        throw new IllegalArgumentException("unexpected \"" + t + "\" in license expression \"" + text + "\"");
      }
      return new Id(t);
    }
  }
}
