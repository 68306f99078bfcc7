package io.jscan.core.oci;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The image configuration (OCI image-spec config.md, plus the Docker fields BuildKit and Docker
 * write: {@code Healthcheck}, {@code OnBuild}, {@code Shell}, {@code ArgsEscaped}).
 *
 * <p>This is a parsed view. The exact bytes a source served are kept by the {@code Image}: jscan
 * never re-serialises a config it did not make, so digests survive round trips.
 */
public record ImageConfig(
    Optional<Instant> created,
    Optional<String> author,
    String architecture,
    String os,
    Optional<String> osVersion,
    List<String> osFeatures,
    Optional<String> variant,
    ContainerConfig config,
    RootFs rootfs,
    List<History> history) {

  public ImageConfig {
    if (architecture == null || architecture.isEmpty()) {
      throw new IllegalArgumentException("invalid config: architecture is empty");
    }
    if (os == null || os.isEmpty()) {
      throw new IllegalArgumentException("invalid config: os is empty");
    }
    osFeatures = List.copyOf(osFeatures);
    history = List.copyOf(history);
  }

  public Platform platform() {
    return new Platform(os, architecture, variant, osVersion, osFeatures);
  }

  /** Number of history entries that produced a layer (not {@code empty_layer}). */
  public long nonEmptyHistoryCount() {
    return history.stream().filter(h -> !h.emptyLayer()).count();
  }

  public ImageConfig withConfig(ContainerConfig newConfig) {
    return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, newConfig, rootfs, history);
  }

  public ImageConfig withRootFs(RootFs newRootFs) {
    return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, config, newRootFs, history);
  }

  public ImageConfig withHistory(List<History> newHistory) {
    return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, config, rootfs, newHistory);
  }

  public ImageConfig withCreated(Optional<Instant> newCreated) {
    return new ImageConfig(newCreated, author, architecture, os, osVersion, osFeatures, variant, config, rootfs, history);
  }

  public ImageConfig withAuthor(Optional<String> newAuthor) {
    return new ImageConfig(created, newAuthor, architecture, os, osVersion, osFeatures, variant, config, rootfs, history);
  }

  /** {@code rootfs}: the ordered uncompressed layer digests (diff_ids). */
  public record RootFs(String type, List<Digest> diffIds) {
    public RootFs {
      if (!"layers".equals(type)) {
        throw new IllegalArgumentException("invalid config: rootfs.type must be \"layers\", got \"" + type + "\"");
      }
      diffIds = List.copyOf(diffIds);
    }

    public RootFs(List<Digest> diffIds) {
      this("layers", diffIds);
    }
  }

  /** One {@code history} entry. */
  public record History(
      Optional<Instant> created,
      Optional<String> createdBy,
      Optional<String> author,
      Optional<String> comment,
      boolean emptyLayer) {}

  /** Docker's HEALTHCHECK configuration ({@code Healthcheck}); durations in nanoseconds as Docker stores them. */
  public record HealthCheck(
      List<String> test,
      Optional<Long> intervalNanos,
      Optional<Long> timeoutNanos,
      Optional<Long> startPeriodNanos,
      Optional<Long> startIntervalNanos,
      Optional<Integer> retries) {
    public HealthCheck {
      test = List.copyOf(test);
    }
  }

  /**
   * The execution parameters ({@code config} in the image config). Lists that Docker distinguishes
   * as "unset" and "empty" (Entrypoint, Cmd, Shell) are optional; the rest use empty collections.
   * Maps are sorted so that serialisation is deterministic.
   */
  public record ContainerConfig(
      Optional<String> user,
      java.util.SortedSet<String> exposedPorts,
      List<String> env,
      Optional<List<String>> entrypoint,
      Optional<List<String>> cmd,
      java.util.SortedSet<String> volumes,
      Optional<String> workingDir,
      java.util.SortedMap<String, String> labels,
      Optional<String> stopSignal,
      Optional<Boolean> argsEscaped,
      Optional<HealthCheck> healthcheck,
      List<String> onBuild,
      Optional<List<String>> shell) {

    public ContainerConfig {
      exposedPorts = Collections.unmodifiableSortedSet(new java.util.TreeSet<>(exposedPorts));
      env = List.copyOf(env);
      entrypoint = entrypoint.map(List::copyOf);
      cmd = cmd.map(List::copyOf);
      volumes = Collections.unmodifiableSortedSet(new java.util.TreeSet<>(volumes));
      labels = Collections.unmodifiableSortedMap(new java.util.TreeMap<>(labels));
      onBuild = List.copyOf(onBuild);
      shell = shell.map(List::copyOf);
    }

    public static ContainerConfig empty() {
      return new ContainerConfig(
          Optional.empty(),
          new java.util.TreeSet<>(),
          List.of(),
          Optional.empty(),
          Optional.empty(),
          new java.util.TreeSet<>(),
          Optional.empty(),
          new java.util.TreeMap<>(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          List.of(),
          Optional.empty());
    }
  }
}
