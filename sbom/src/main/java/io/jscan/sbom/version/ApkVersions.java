package io.jscan.sbom.version;

import java.util.ArrayList;
import java.util.List;

/**
 * apk-tools' version order (apk-package(5), "version"): {@code number{.number}[letter]{_suffix[number]}[-rREVISION]}.
 * Pre-release suffixes ({@code _alpha < _beta < _pre < _rc}) sort before the plain version,
 * post-release ones ({@code _cvs < _svn < _git < _hg < _p}) after it.
 */
final class ApkVersions {
  private ApkVersions() {}

  private static final List<String> SUFFIXES = List.of("alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p");
  private static final int NO_SUFFIX = SUFFIXES.indexOf("");

  private record Suffix(int rank, long number) {}

  private record Parsed(List<Long> numbers, int letter, List<Suffix> suffixes, long revision, String rest) {}

  private static Parsed parse(String v) {
    String s = v.strip();
    int i = 0;
    List<Long> numbers = new ArrayList<>();
    while (true) {
      int start = i;
      while (i < s.length() && Character.isDigit(s.charAt(i))) {
        i++;
      }
      numbers.add(start == i ? 0 : DebVersions.parseLong(s.substring(start, i)));
      if (i < s.length() - 1 && s.charAt(i) == '.' && Character.isDigit(s.charAt(i + 1))) {
        i++;
        continue;
      }
      break;
    }
    int letter = 0;
    if (i < s.length() && Character.isLetter(s.charAt(i))) {
      letter = s.charAt(i);
      i++;
    }
    List<Suffix> suffixes = new ArrayList<>();
    while (i < s.length() && s.charAt(i) == '_') {
      int start = ++i;
      while (i < s.length() && Character.isLetter(s.charAt(i))) {
        i++;
      }
      int rank = SUFFIXES.indexOf(s.substring(start, i));
      if (rank < 0 || rank == NO_SUFFIX) {
        i = start - 1;
        break;
      }
      int ds = i;
      while (i < s.length() && Character.isDigit(s.charAt(i))) {
        i++;
      }
      suffixes.add(new Suffix(rank, ds == i ? 0 : DebVersions.parseLong(s.substring(ds, i))));
    }
    long revision = 0;
    if (s.startsWith("-r", i)) {
      int start = i + 2;
      int j = start;
      while (j < s.length() && Character.isDigit(s.charAt(j))) {
        j++;
      }
      if (j > start) {
        revision = DebVersions.parseLong(s.substring(start, j));
        i = j;
      }
    }
    return new Parsed(numbers, letter, suffixes, revision, s.substring(i));
  }

  static int compare(String a, String b) {
    Parsed x = parse(a);
    Parsed y = parse(b);
    for (int i = 0; i < Math.min(x.numbers.size(), y.numbers.size()); i++) {
      int c = Long.compare(x.numbers.get(i), y.numbers.get(i));
      if (c != 0) {
        return c;
      }
    }
    if (x.numbers.size() != y.numbers.size()) {
      return Integer.compare(x.numbers.size(), y.numbers.size());
    }
    if (x.letter != y.letter) {
      return Integer.compare(x.letter, y.letter);
    }
    int n = Math.max(x.suffixes.size(), y.suffixes.size());
    for (int i = 0; i < n; i++) {
      Suffix p = i < x.suffixes.size() ? x.suffixes.get(i) : new Suffix(NO_SUFFIX, 0);
      Suffix q = i < y.suffixes.size() ? y.suffixes.get(i) : new Suffix(NO_SUFFIX, 0);
      int c = p.rank != q.rank ? Integer.compare(p.rank, q.rank) : Long.compare(p.number, q.number);
      if (c != 0) {
        return c;
      }
    }
    int c = Long.compare(x.revision, y.revision);
    return c != 0 ? c : Integer.signum(x.rest.compareTo(y.rest));
  }
}
