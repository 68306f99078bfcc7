package io.jscan.sbom.version;

/** rpm's version order: epoch, then version and release with rpmvercmp (rpmio/rpmvercmp.c). */
final class RpmVersions {
  private RpmVersions() {}

  static int compare(String a, String b) {
    String[] x = split(a);
    String[] y = split(b);
    int c = Long.compare(DebVersions.parseLong(x[0]), DebVersions.parseLong(y[0]));
    if (c != 0) {
      return c;
    }
    c = rpmvercmp(x[1], y[1]);
    if (c != 0) {
      return c;
    }
    // a range bound without a release matches every release of that version
    if (x[2].isEmpty() || y[2].isEmpty()) {
      return 0;
    }
    return rpmvercmp(x[2], y[2]);
  }

  /** {epoch, version, release}; epoch "0" when absent. */
  private static String[] split(String v) {
    String s = v.strip();
    String epoch = "0";
    int colon = s.indexOf(':');
    if (colon > 0 && s.substring(0, colon).chars().allMatch(Character::isDigit)) {
      epoch = s.substring(0, colon);
      s = s.substring(colon + 1);
    }
    int dash = s.lastIndexOf('-');
    return dash >= 0 ? new String[] {epoch, s.substring(0, dash), s.substring(dash + 1)} : new String[] {epoch, s, ""};
  }

  private static boolean alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }

  static int rpmvercmp(String a, String b) {
    if (a.equals(b)) {
      return 0;
    }
    int i = 0;
    int j = 0;
    while (i < a.length() || j < b.length()) {
      while (i < a.length() && !alnum(a.charAt(i)) && a.charAt(i) != '~' && a.charAt(i) != '^') {
        i++;
      }
      while (j < b.length() && !alnum(b.charAt(j)) && b.charAt(j) != '~' && b.charAt(j) != '^') {
        j++;
      }
      // tilde sorts before everything, even the end
      boolean at = i < a.length() && a.charAt(i) == '~';
      boolean bt = j < b.length() && b.charAt(j) == '~';
      if (at || bt) {
        if (!at) {
          return 1;
        }
        if (!bt) {
          return -1;
        }
        i++;
        j++;
        continue;
      }
      // caret sorts after the end, but before anything else
      boolean ac = i < a.length() && a.charAt(i) == '^';
      boolean bc = j < b.length() && b.charAt(j) == '^';
      if (ac || bc) {
        if (i >= a.length()) {
          return -1;
        }
        if (j >= b.length()) {
          return 1;
        }
        if (!ac) {
          return 1;
        }
        if (!bc) {
          return -1;
        }
        i++;
        j++;
        continue;
      }
      if (i >= a.length() || j >= b.length()) {
        break;
      }
      int si = i;
      int sj = j;
      boolean numeric = digit(a.charAt(i));
      if (numeric) {
        while (i < a.length() && digit(a.charAt(i))) {
          i++;
        }
        while (j < b.length() && digit(b.charAt(j))) {
          j++;
        }
      } else {
        while (i < a.length() && Character.isLetter(a.charAt(i)) && a.charAt(i) < 128) {
          i++;
        }
        while (j < b.length() && Character.isLetter(b.charAt(j)) && b.charAt(j) < 128) {
          j++;
        }
      }
      String one = a.substring(si, i);
      String two = b.substring(sj, j);
      if (two.isEmpty()) {
        // segments of different types: numeric is newer
        return numeric ? 1 : -1;
      }
      if (numeric) {
        one = one.replaceFirst("^0+", "");
        two = two.replaceFirst("^0+", "");
        if (one.length() != two.length()) {
          return one.length() > two.length() ? 1 : -1;
        }
      }
      int c = one.compareTo(two);
      if (c != 0) {
        return Integer.signum(c);
      }
    }
    boolean aDone = i >= a.length();
    boolean bDone = j >= b.length();
    if (aDone && bDone) {
      return 0;
    }
    return aDone ? -1 : 1;
  }
}
