package io.jscan.sbom.version;

/** dpkg's version order (deb-version(7); dpkg's lib/dpkg/version.c verrevcmp). */
final class DebVersions {
  private DebVersions() {}

  static int compare(String a, String b) {
    Parts x = Parts.of(a);
    Parts y = Parts.of(b);
    int c = Long.compare(x.epoch, y.epoch);
    if (c != 0) {
      return c;
    }
    c = verrevcmp(x.upstream, y.upstream);
    return c != 0 ? c : verrevcmp(x.revision, y.revision);
  }

  private record Parts(long epoch, String upstream, String revision) {
    static Parts of(String v) {
      String s = v.strip();
      long epoch = 0;
      int colon = s.indexOf(':');
      if (colon > 0 && s.substring(0, colon).chars().allMatch(Character::isDigit)) {
        epoch = parseLong(s.substring(0, colon));
        s = s.substring(colon + 1);
      }
      int dash = s.lastIndexOf('-');
      // no revision means revision "" (which sorts as "0")
      return dash >= 0 ? new Parts(epoch, s.substring(0, dash), s.substring(dash + 1)) : new Parts(epoch, s, "");
    }
  }

  /** The sort weight of a non-digit character: {@code ~} before the end, letters before others. */
  private static int order(int c) {
    if (Character.isDigit(c)) {
      return 0;
    }
    if (Character.isLetter(c)) {
      return c;
    }
    if (c == '~') {
      return -1;
    }
    return c == 0 ? 0 : c + 256;
  }

  static int verrevcmp(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() || j < b.length()) {
      int firstDiff = 0;
      while ((i < a.length() && !Character.isDigit(a.charAt(i))) || (j < b.length() && !Character.isDigit(b.charAt(j)))) {
        int ac = i < a.length() ? order(a.charAt(i)) : 0;
        int bc = j < b.length() ? order(b.charAt(j)) : 0;
        if (ac != bc) {
          return Integer.signum(ac - bc);
        }
        i++;
        j++;
      }
      while (i < a.length() && a.charAt(i) == '0') {
        i++;
      }
      while (j < b.length() && b.charAt(j) == '0') {
        j++;
      }
      while (i < a.length() && Character.isDigit(a.charAt(i)) && j < b.length() && Character.isDigit(b.charAt(j))) {
        if (firstDiff == 0) {
          firstDiff = a.charAt(i) - b.charAt(j);
        }
        i++;
        j++;
      }
      if (i < a.length() && Character.isDigit(a.charAt(i))) {
        return 1;
      }
      if (j < b.length() && Character.isDigit(b.charAt(j))) {
        return -1;
      }
      if (firstDiff != 0) {
        return Integer.signum(firstDiff);
      }
    }
    return 0;
  }

  static long parseLong(String digits) {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
