package io.jscan.sbom.version;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * Maven's version order, after the algorithm documented for {@code ComparableVersion}
 * (maven-artifact): items split at {@code .}, {@code -} and digit/letter transitions, trailing
 * "null" items ({@code 0}, {@code ga}, {@code final}, {@code release}) dropped, qualifiers ordered
 * {@code alpha < beta < milestone < rc = cr < snapshot < "" < sp}, unknown qualifiers after
 * {@code sp} in text order, numbers above qualifiers.
 */
final class MavenVersions {
  private MavenVersions() {}

  private static final List<String> QUALIFIERS = List.of("alpha", "beta", "milestone", "rc", "snapshot", "", "sp");
  private static final String RELEASE_INDEX = String.valueOf(QUALIFIERS.indexOf(""));

  private sealed interface Item permits IntItem, StringItem, ListItem {
    /** {@code other} null means "nothing there" (the shorter side of a comparison). */
    int compareTo(Item other);

    boolean isNull();
  }

  private record IntItem(long value) implements Item {
    @Override
    public int compareTo(Item other) {
      if (other == null) {
        return value == 0 ? 0 : 1;
      }
      if (other instanceof IntItem i) {
        return Long.compare(value, i.value);
      }
      return 1; // 1.1 > 1-sp, 1.1 > 1-1
    }

    @Override
    public boolean isNull() {
      return value == 0;
    }
  }

  private record StringItem(String value) implements Item {
    static StringItem of(String raw, boolean followedByDigit) {
      String v = raw;
      if (followedByDigit && v.length() == 1) {
        v = switch (v.charAt(0)) {
          case 'a' -> "alpha";
          case 'b' -> "beta";
          case 'm' -> "milestone";
          default -> v;
        };
      }
      v = switch (v) {
        case "ga", "final", "release" -> "";
        case "cr" -> "rc";
        default -> v;
      };
      return new StringItem(v);
    }

    String comparable() {
      int i = QUALIFIERS.indexOf(value);
      return i >= 0 ? String.valueOf(i) : QUALIFIERS.size() + "-" + value;
    }

    @Override
    public int compareTo(Item other) {
      if (other == null) {
        return Integer.signum(comparable().compareTo(RELEASE_INDEX));
      }
      if (other instanceof StringItem s) {
        return Integer.signum(comparable().compareTo(s.comparable()));
      }
      return -1;
    }

    @Override
    public boolean isNull() {
      return comparable().equals(RELEASE_INDEX);
    }
  }

  private record ListItem(List<Item> items) implements Item {
    ListItem() {
      this(new ArrayList<>());
    }

    void normalize() {
      for (int i = items.size() - 1; i >= 0; i--) {
        Item last = items.get(i);
        if (last.isNull()) {
          items.remove(i);
        } else if (!(last instanceof ListItem)) {
          break;
        }
      }
    }

    @Override
    public int compareTo(Item other) {
      if (other == null) {
        return items.isEmpty() ? 0 : items.get(0).compareTo(null);
      }
      if (other instanceof IntItem) {
        return -1;
      }
      if (other instanceof StringItem) {
        return 1;
      }
      List<Item> them = ((ListItem) other).items;
      for (int i = 0; i < Math.max(items.size(), them.size()); i++) {
        Item l = i < items.size() ? items.get(i) : null;
        Item r = i < them.size() ? them.get(i) : null;
        int c = l == null ? (r == null ? 0 : -r.compareTo(null)) : l.compareTo(r);
        if (c != 0) {
          return c;
        }
      }
      return 0;
    }

    @Override
    public boolean isNull() {
      return items.isEmpty();
    }
  }

  private static Item item(boolean digits, String text) {
    if (digits) {
      return new IntItem(DebVersions.parseLong(text.replaceFirst("^0+(?=.)", "")));
    }
    return StringItem.of(text, false);
  }

  private static ListItem parse(String version) {
    String v = version.strip().toLowerCase(Locale.ROOT);
    ListItem main = new ListItem();
    ListItem list = main;
    Deque<ListItem> stack = new ArrayDeque<>();
    stack.push(list);
    boolean digits = false;
    int start = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '.') {
        list.items.add(i == start ? new IntItem(0) : item(digits, v.substring(start, i)));
        start = i + 1;
      } else if (c == '-') {
        list.items.add(i == start ? new IntItem(0) : item(digits, v.substring(start, i)));
        start = i + 1;
        ListItem sub = new ListItem();
        list.items.add(sub);
        list = sub;
        stack.push(list);
      } else if (Character.isDigit(c)) {
        if (!digits && i > start) {
          list.items.add(StringItem.of(v.substring(start, i), true));
          start = i;
          ListItem sub = new ListItem();
          list.items.add(sub);
          list = sub;
          stack.push(list);
        }
        digits = true;
      } else {
        if (digits && i > start) {
          list.items.add(item(true, v.substring(start, i)));
          start = i;
          ListItem sub = new ListItem();
          list.items.add(sub);
          list = sub;
          stack.push(list);
        }
        digits = false;
      }
    }
    if (v.length() > start) {
      list.items.add(item(digits, v.substring(start)));
    }
    while (!stack.isEmpty()) {
      stack.pop().normalize();
    }
    return main;
  }

  static int compare(String a, String b) {
    return Integer.signum(parse(a).compareTo(parse(b)));
  }
}
