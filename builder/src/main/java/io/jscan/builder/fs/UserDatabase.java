package io.jscan.builder.fs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The users and groups of a stage's root file system ({@code /etc/passwd}, {@code /etc/group}), as
 * {@code COPY --chown}, {@code ADD --chown} and the owner of WORKDIR's directories need them. Names
 * are resolved against the image being built, never against the host (Dockerfile reference,
 * "COPY --chown").
 */
public final class UserDatabase {
  /** A numeric owner. */
  public record Owner(long uid, long gid) {
    public static final Owner ROOT = new Owner(0, 0);

    public Owner {
      if (uid < 0 || gid < 0) {
        throw new IllegalArgumentException("negative uid or gid");
      }
    }
  }

  /**
   * Who a RUN step's command runs as (runc's GetExecUser).
   *
   * @param additionalGids the groups that list the user as a member, when USER named no group
   * @param home the user's home directory from passwd, {@code /} when it has no entry
   */
  public record ExecUser(long uid, long gid, List<Long> additionalGids, String home) {
    public ExecUser {
      additionalGids = List.copyOf(additionalGids);
      if (uid < 0 || gid < 0) {
        throw new IllegalArgumentException("negative uid or gid");
      }
    }
  }

  private record User(String name, long uid, long gid, String home) {}

  private record Group(String name, long gid, List<String> members) {}

  private final Map<String, User> users;
  private final Map<String, Long> groups;
  private final List<User> userLines;
  private final List<Group> groupLines;

  private UserDatabase(Map<String, User> users, Map<String, Long> groups, List<User> userLines, List<Group> groupLines) {
    this.users = users;
    this.groups = groups;
    this.userLines = userLines;
    this.groupLines = groupLines;
  }

  /** No users or groups: only numeric ids resolve (an image without /etc/passwd). */
  public static UserDatabase empty() {
    return new UserDatabase(Map.of(), Map.of(), List.of(), List.of());
  }

  /** Parses passwd and group files (either may be absent); malformed lines are skipped, as libc does. */
  public static UserDatabase parse(Optional<byte[]> passwd, Optional<byte[]> group) {
    Map<String, User> users = new HashMap<>();
    List<User> userLines = new ArrayList<>();
    List<Group> groupLines = new ArrayList<>();
    passwd.ifPresent(bytes -> {
      for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
        String[] f = line.split(":", -1);
        if (f.length < 4 || f[0].isEmpty() || f[0].startsWith("#")) {
          continue;
        }
        Optional<Long> uid = number(f[2]);
        Optional<Long> gid = number(f[3]);
        if (uid.isPresent() && gid.isPresent()) {
          User u = new User(f[0], uid.get(), gid.get(), f.length > 5 && !f[5].isEmpty() ? f[5] : "/");
          users.putIfAbsent(f[0], u);
          userLines.add(u);
        }
      }
    });
    Map<String, Long> groups = new HashMap<>();
    group.ifPresent(bytes -> {
      for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
        String[] f = line.split(":", -1);
        if (f.length < 3 || f[0].isEmpty() || f[0].startsWith("#")) {
          continue;
        }
        Optional<Long> gid = number(f[2]);
        if (gid.isPresent()) {
          groups.putIfAbsent(f[0], gid.get());
          List<String> members = f.length > 3 && !f[3].isEmpty() ? List.of(f[3].split(",")) : List.of();
          groupLines.add(new Group(f[0], gid.get(), members));
        }
      }
    });
    return new UserDatabase(users, groups, userLines, groupLines);
  }

  /**
   * Resolves {@code user[:group]} (names or numbers) to numeric ids. Without a group, a user name
   * takes its primary group from passwd and a numeric uid is used as the gid too (Dockerfile
   * reference: "a UID without GID will use the same numeric UID as the GID").
   *
   * @throws IllegalArgumentException naming the user or group that cannot be found
   */
  public Owner resolve(String spec) {
    String userPart = spec;
    Optional<String> groupPart = Optional.empty();
    int colon = spec.indexOf(':');
    if (colon >= 0) {
      userPart = spec.substring(0, colon);
      groupPart = Optional.of(spec.substring(colon + 1));
    }
    if (userPart.isEmpty()) {
      throw new IllegalArgumentException("no user in \"" + spec + "\"");
    }
    long uid;
    long primaryGid;
    Optional<Long> numericUid = number(userPart);
    if (numericUid.isPresent()) {
      uid = numericUid.get();
      primaryGid = uid;
    } else {
      User u = users.get(userPart);
      if (u == null) {
        throw new IllegalArgumentException("unable to find user " + userPart + " in /etc/passwd of the image");
      }
      uid = u.uid();
      primaryGid = u.gid();
    }
    long gid = primaryGid;
    if (groupPart.isPresent() && !groupPart.get().isEmpty()) {
      Optional<Long> numericGid = number(groupPart.get());
      if (numericGid.isPresent()) {
        gid = numericGid.get();
      } else {
        Long g = groups.get(groupPart.get());
        if (g == null) {
          throw new IllegalArgumentException("unable to find group " + groupPart.get() + " in /etc/group of the image");
        }
        gid = g;
      }
    }
    return new Owner(uid, gid);
  }

  /**
   * Resolves USER for a RUN step as runc does: a name must be in passwd; a uid that has an entry
   * takes its primary group and home, one without gets group 0 and home {@code /}; a group is a
   * name in /etc/group or a number; without a group, the groups listing the user become its
   * supplementary groups.
   *
   * @throws IllegalArgumentException with Docker's wording when a name cannot be found
   */
  public ExecUser resolveExec(String spec) {
    String userPart = spec;
    Optional<String> groupPart = Optional.empty();
    int colon = spec.indexOf(':');
    if (colon >= 0) {
      userPart = spec.substring(0, colon);
      groupPart = Optional.of(spec.substring(colon + 1)).filter(g -> !g.isEmpty());
    }
    User entry = null;
    Optional<Long> numericUid = number(userPart);
    if (numericUid.isPresent()) {
      for (User u : userLines) {
        if (u.uid() == numericUid.get()) {
          entry = u;
          break;
        }
      }
    } else if (!userPart.isEmpty()) {
      entry = users.get(userPart);
      if (entry == null) {
        throw new IllegalArgumentException("unable to find user " + userPart + ": no matching entries in passwd file");
      }
    }
    long uid = numericUid.orElse(entry == null ? 0L : entry.uid());
    long gid = entry == null ? 0 : entry.gid();
    String home = entry == null ? "/" : entry.home();
    List<Long> supplementary = new ArrayList<>();
    if (groupPart.isPresent()) {
      Optional<Long> numericGid = number(groupPart.get());
      if (numericGid.isPresent()) {
        gid = numericGid.get();
      } else {
        Long g = groups.get(groupPart.get());
        if (g == null) {
          throw new IllegalArgumentException("unable to find group " + groupPart.get() + ": no matching entries in group file");
        }
        gid = g;
      }
    } else if (entry != null) {
      for (Group g : groupLines) {
        if (g.members().contains(entry.name()) && !supplementary.contains(g.gid())) {
          supplementary.add(g.gid());
        }
      }
    }
    return new ExecUser(uid, gid, supplementary, home);
  }

  private static Optional<Long> number(String s) {
    if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    long v = Long.parseLong(s);
    return v <= 0xFFFFFFFFL ? Optional.of(v) : Optional.empty();
  }
}
