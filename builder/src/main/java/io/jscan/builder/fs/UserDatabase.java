package io.jscan.builder.fs;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
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

  private record User(long uid, long gid) {}

  private final Map<String, User> users;
  private final Map<String, Long> groups;

  private UserDatabase(Map<String, User> users, Map<String, Long> groups) {
    this.users = users;
    this.groups = groups;
  }

  /** No users or groups: only numeric ids resolve (an image without /etc/passwd). */
  public static UserDatabase empty() {
    return new UserDatabase(Map.of(), Map.of());
  }

  /** Parses passwd and group files (either may be absent); malformed lines are skipped, as libc does. */
  public static UserDatabase parse(Optional<byte[]> passwd, Optional<byte[]> group) {
    Map<String, User> users = new HashMap<>();
    passwd.ifPresent(bytes -> {
      for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
        String[] f = line.split(":", -1);
        if (f.length < 4 || f[0].isEmpty() || f[0].startsWith("#")) {
          continue;
        }
        Optional<Long> uid = number(f[2]);
        Optional<Long> gid = number(f[3]);
        if (uid.isPresent() && gid.isPresent()) {
          users.putIfAbsent(f[0], new User(uid.get(), gid.get()));
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
        number(f[2]).ifPresent(gid -> groups.putIfAbsent(f[0], gid));
      }
    });
    return new UserDatabase(users, groups);
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

  private static Optional<Long> number(String s) {
    if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    long v = Long.parseLong(s);
    return v <= 0xFFFFFFFFL ? Optional.of(v) : Optional.empty();
  }
}
