package io.jscan.dockerfile.instructions;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One {@code RUN --mount=...}, expanded and checked (BuildKit's {@code instructions.Mount}).
 *
 * @param from the stage or image a bind or cache mount takes its files from (empty: the context)
 * @param readOnly defaults to read-only except for cache and tmpfs mounts
 * @param sizeLimit a tmpfs size in bytes
 * @param cacheId the cache id ({@code id=}); for a secret, the secret's id
 * @param env for a secret, the environment variable to expose it as (empty string: the default name)
 * @param mode file mode of a secret, ssh socket or cache directory
 */
public record Mount(
    MountType type,
    Optional<String> from,
    Optional<String> source,
    Optional<String> target,
    boolean readOnly,
    OptionalLong sizeLimit,
    Optional<String> cacheId,
    Optional<CacheSharing> sharing,
    boolean required,
    Optional<String> env,
    OptionalLong mode,
    OptionalLong uid,
    OptionalLong gid) {

  public Mount {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(sizeLimit, "sizeLimit");
    Objects.requireNonNull(cacheId, "cacheId");
    Objects.requireNonNull(sharing, "sharing");
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(gid, "gid");
  }
}
