package io.jscan.sbom.version;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEP 440 version order (packaging's {@code Version}): epoch, release (trailing zeros ignored),
 * pre-release, post-release, development release; the local label is ignored. A string that is not
 * PEP 440 falls back to the semver order.
 */
final class Pep440Versions {
  private Pep440Versions() {}

  private static final Pattern PEP440 = Pattern.compile(
      "v?(?:(\\d+)!)?(\\d+(?:\\.\\d+)*)"
          + "(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\\d*))?"
          + "(?:-(\\d+)|[-_.]?(post|rev|r)[-_.]?(\\d*))?"
          + "(?:[-_.]?(dev)[-_.]?(\\d*))?"
          + "(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?");

  /** Sort key: epoch, release..., then pre, post, dev as (rank, number) pairs. */
  private static List<Long> key(Matcher m) {
    List<Long> key = new ArrayList<>();
    key.add(m.group(1) == null ? 0 : DebVersions.parseLong(m.group(1)));
    List<Long> release = new ArrayList<>();
    for (String part : m.group(2).split("\\.")) {
      release.add(DebVersions.parseLong(part));
    }
    while (release.size() > 1 && release.get(release.size() - 1) == 0) {
      release.remove(release.size() - 1);
    }
    // pad the release to a fixed width so that keys compare position by position
    while (release.size() < 8) {
      release.add(-1L);
    }
    key.addAll(release);
    boolean hasPre = m.group(3) != null;
    boolean hasPost = m.group(5) != null || m.group(6) != null;
    boolean hasDev = m.group(8) != null;
    if (!hasPre && !hasPost && hasDev) {
      key.add(-1L); // 1.0.dev0 sorts before 1.0a0
      key.add(0L);
    } else if (!hasPre) {
      key.add(4L);
      key.add(0L);
    } else {
      long rank = switch (m.group(3)) {
        case "a", "alpha" -> 1;
        case "b", "beta" -> 2;
        default -> 3; // c, rc, pre, preview
      };
      key.add(rank);
      key.add(m.group(4).isEmpty() ? 0 : DebVersions.parseLong(m.group(4)));
    }
    if (hasPost) {
      key.add(1L);
      String n = m.group(5) != null ? m.group(5) : m.group(7);
      key.add(n.isEmpty() ? 0 : DebVersions.parseLong(n));
    } else {
      key.add(0L);
      key.add(0L);
    }
    if (hasDev) {
      key.add(0L);
      key.add(m.group(9).isEmpty() ? 0 : DebVersions.parseLong(m.group(9)));
    } else {
      key.add(1L);
      key.add(0L);
    }
    return key;
  }

  static int compare(String a, String b) {
    Matcher x = PEP440.matcher(a.strip().toLowerCase(Locale.ROOT));
    Matcher y = PEP440.matcher(b.strip().toLowerCase(Locale.ROOT));
    if (!x.matches() || !y.matches()) {
      return SemVers.compare(a, b);
    }
    List<Long> p = key(x);
    List<Long> q = key(y);
    for (int i = 0; i < Math.min(p.size(), q.size()); i++) {
      int c = Long.compare(p.get(i), q.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(p.size(), q.size());
  }
}
