package io.jscan.builder;

import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@code jscan build} was asked: Docker's flags, resolved.
 *
 * @param context the build context directory
 * @param dockerfile the Dockerfile to read
 * @param dockerfileName how errors name the Dockerfile (the path as the user gave it)
 * @param tags {@code -t} names
 * @param buildArgs {@code --build-arg} values (SOURCE_DATE_EPOCH among them when it came from the environment)
 * @param target {@code --target}
 * @param platform {@code --platform} (default: the host's)
 * @param labels {@code --label} values, added to the final image
 * @param output {@code --output}: an {@code oci:} or {@code docker-archive:} destination; empty for the local store
 * @param noCache {@code --no-cache}: build every layer, read and write no layer cache
 * @param sourceDateEpoch the build's reference time
 * @param compression how layers are compressed (gzip unless asked otherwise)
 * @param run how RUN steps run ({@code --runtime}, {@code --secret})
 */
public record BuildRequest(
    Path context,
    Path dockerfile,
    String dockerfileName,
    List<ImageName> tags,
    Map<String, String> buildArgs,
    Optional<String> target,
    Platform platform,
    Map<String, String> labels,
    Optional<ImageReference> output,
    boolean noCache,
    SourceDateEpoch sourceDateEpoch,
    Compression compression,
    RunOptions run) {

  public BuildRequest {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(dockerfile, "dockerfile");
    Objects.requireNonNull(dockerfileName, "dockerfileName");
    tags = List.copyOf(tags);
    buildArgs = Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs));
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(platform, "platform");
    labels = Collections.unmodifiableMap(new TreeMap<>(labels));
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(sourceDateEpoch, "sourceDateEpoch");
    Objects.requireNonNull(compression, "compression");
    Objects.requireNonNull(run, "run");
  }

  /** The request as before RUN options existed (the defaults: runc, no secrets). */
  public BuildRequest(Path context, Path dockerfile, String dockerfileName, List<ImageName> tags, Map<String, String> buildArgs,
      Optional<String> target, Platform platform, Map<String, String> labels, Optional<ImageReference> output, boolean noCache,
      SourceDateEpoch sourceDateEpoch, Compression compression) {
    this(context, dockerfile, dockerfileName, tags, buildArgs, target, platform, labels, output, noCache, sourceDateEpoch,
        compression, RunOptions.defaults());
  }

  /** The defaults for a context: {@code CONTEXT/Dockerfile}, no tags, linux/amd64, SOURCE_DATE_EPOCH 0, gzip. */
  public static BuildRequest of(Path context) {
    return new BuildRequest(
        context,
        context.resolve("Dockerfile"),
        "Dockerfile",
        List.of(),
        Map.of(),
        Optional.empty(),
        Platform.LINUX_AMD64,
        Map.of(),
        Optional.empty(),
        false,
        new SourceDateEpoch(SourceDateEpoch.DEFAULT, "default"),
        Compression.GZIP);
  }

  public BuildRequest withContext(Path newContext, Path newDockerfile) {
    return new BuildRequest(newContext, newDockerfile, dockerfileName, tags, buildArgs, target, platform, labels, output, noCache,
        sourceDateEpoch, compression, run);
  }

  public BuildRequest withTags(List<ImageName> newTags) {
    return new BuildRequest(context, dockerfile, dockerfileName, newTags, buildArgs, target, platform, labels, output, noCache,
        sourceDateEpoch, compression, run);
  }

  public BuildRequest withBuildArgs(Map<String, String> newArgs) {
    return new BuildRequest(context, dockerfile, dockerfileName, tags, newArgs, target, platform, labels, output, noCache,
        sourceDateEpoch, compression, run);
  }

  public BuildRequest withTarget(String stage) {
    return new BuildRequest(context, dockerfile, dockerfileName, tags, buildArgs, Optional.of(stage), platform, labels, output,
        noCache, sourceDateEpoch, compression, run);
  }

  public BuildRequest withPlatform(Platform newPlatform) {
    return new BuildRequest(context, dockerfile, dockerfileName, tags, buildArgs, target, newPlatform, labels, output, noCache,
        sourceDateEpoch, compression, run);
  }

  public BuildRequest withLabels(Map<String, String> newLabels) {
    return new BuildRequest(context, dockerfile, dockerfileName, tags, buildArgs, target, platform, newLabels, output, noCache,
        sourceDateEpoch, compression, run);
  }

  public BuildRequest withOutput(Optional<ImageReference> newOutput) {
    return new BuildRequest(context, dockerfile, dockerfileName, tags, buildArgs, target, platform, labels, newOutput, noCache,
        sourceDateEpoch, compression, run);
  }

  public BuildRequest withNoCache(boolean newNoCache) {
    return new BuildRequest(context, dockerfile, dockerfileName, tags, buildArgs, target, platform, labels, output, newNoCache,
        sourceDateEpoch, compression, run);
  }

  public BuildRequest withSourceDateEpoch(SourceDateEpoch newEpoch) {
    return new BuildRequest(context, dockerfile, dockerfileName, tags, buildArgs, target, platform, labels, output, noCache,
        newEpoch, compression, run);
  }

  public BuildRequest withCompression(Compression newCompression) {
    return new BuildRequest(context, dockerfile, dockerfileName, tags, buildArgs, target, platform, labels, output, noCache,
        sourceDateEpoch, newCompression, run);
  }

  public BuildRequest withRun(RunOptions newRun) {
    return new BuildRequest(context, dockerfile, dockerfileName, tags, buildArgs, target, platform, labels, output, noCache,
        sourceDateEpoch, compression, newRun);
  }
}
