package io.jscan.sbom.version;

import java.util.ArrayList;
import java.util.List;

/**
 * Semantic Versioning 2.0.0 precedence (semver.org §11), lenient the way Go and npm need it: a
 * leading {@code v} or {@code =} is dropped, missing minor and patch count as 0, build metadata
 * ({@code +incompatible}) is ignored. A string that is not semver at all sorts by its numeric
 * prefix, then as text, so the order stays total.
 */
final class SemVers {
  private SemVers() {}

  record Parsed(List<Long> release, List<String> prerelease) {}

  static Parsed parse(String v) {
    String s = v.strip();
    if (s.startsWith("=")) {
      s = s.substring(1).strip();
    }
    if (s.startsWith("v") || s.startsWith("V")) {
      s = s.substring(1);
    }
    int plus = s.indexOf('+');
    if (plus >= 0) {
      s = s.substring(0, plus);
    }
    String pre = "";
    int dash = s.indexOf('-');
    if (dash >= 0) {
      pre = s.substring(dash + 1);
      s = s.substring(0, dash);
    }
    List<Long> release = new ArrayList<>();
    for (String part : s.split("\\.", -1)) {
      String digits = leadingDigits(part);
      release.add(digits.isEmpty() ? 0 : DebVersions.parseLong(digits));
      if (digits.length() != part.length()) {
        // "1.2rc1": the rest is a pre-release
        pre = pre.isEmpty() ? part.substring(digits.length()) : part.substring(digits.length()) + "." + pre;
        break;
      }
    }
    while (release.size() < 3) {
      release.add(0L);
    }
    List<String> prerelease = pre.isEmpty() ? List.of() : List.of(pre.split("\\.", -1));
    return new Parsed(release, prerelease);
  }

  private static String leadingDigits(String s) {
    int i = 0;
    while (i < s.length() && Character.isDigit(s.charAt(i))) {
      i++;
    }
    return s.substring(0, i);
  }

  static int compare(String a, String b) {
    Parsed x = parse(a);
    Parsed y = parse(b);
    int n = Math.max(x.release.size(), y.release.size());
    for (int i = 0; i < n; i++) {
      long p = i < x.release.size() ? x.release.get(i) : 0;
      long q = i < y.release.size() ? y.release.get(i) : 0;
      if (p != q) {
        return Long.compare(p, q);
      }
    }
    // a version with a pre-release sorts before the same version without one
    if (x.prerelease.isEmpty() || y.prerelease.isEmpty()) {
      return Boolean.compare(x.prerelease.isEmpty(), y.prerelease.isEmpty());
    }
    for (int i = 0; i < Math.min(x.prerelease.size(), y.prerelease.size()); i++) {
      int c = identifier(x.prerelease.get(i), y.prerelease.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.prerelease.size(), y.prerelease.size());
  }

  private static int identifier(String a, String b) {
    boolean an = !a.isEmpty() && a.chars().allMatch(Character::isDigit);
    boolean bn = !b.isEmpty() && b.chars().allMatch(Character::isDigit);
    if (an && bn) {
      String x = a.replaceFirst("^0+(?=.)", "");
      String y = b.replaceFirst("^0+(?=.)", "");
      return x.length() != y.length() ? Integer.compare(x.length(), y.length()) : Integer.signum(x.compareTo(y));
    }
    if (an != bn) {
      return an ? -1 : 1; // numeric identifiers have lower precedence
    }
    return Integer.signum(a.compareTo(b));
  }
}
