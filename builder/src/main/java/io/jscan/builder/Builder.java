package io.jscan.builder;

import io.jscan.builder.BuildResult.ResolvedImage;
import io.jscan.builder.context.ContextSnapshot;
import io.jscan.builder.run.RunSupport;
import io.jscan.builder.steps.BuildSession;
import io.jscan.builder.steps.BuildStep;
import io.jscan.builder.steps.ExportImageStep;
import io.jscan.builder.steps.ResolveBaseImageStep;
import io.jscan.builder.steps.SnapshotContextStep;
import io.jscan.builder.steps.StageState;
import io.jscan.core.JscanException;
import io.jscan.core.image.Image;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.io.BoundedFiles;
import io.jscan.core.io.InputFileException;
import io.jscan.core.io.InputLimit;
import io.jscan.core.oci.Annotations;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.dockerfile.Dockerfile;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.build.BuildOptions;
import io.jscan.dockerfile.build.BuildPlan;
import io.jscan.dockerfile.build.PlannedStage;
import io.jscan.dockerfile.instructions.Instruction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code jscan build}: Dockerfile → parsed instructions → stage graph ({@link BuildPlan}) → build
 * steps → lazy {@link Image} → a sink.
 *
 * <pre>{@code
 * try (LocalStore store = LocalStore.openDefault()) {
 *   BuildResult r = Builder.withStore(store, System.err::println)
 *       .build(BuildRequest.of(Path.of("testdata/sample")).withTags(List.of(ImageName.parse("sample:1"))));
 *   System.out.println(r.manifestDigest());
 * }
 * }</pre>
 *
 * <p>Only the stages the target needs are built, in dependency order. Nothing is named in the
 * store or written to the output unless every stage succeeded; layers built on the way may stay
 * in the layer cache. A build killed at any point leaves the store readable (every store write is
 * a temp file renamed into place).
 */
public final class Builder {
  private final LocalStore store;
  private final BaseImageSource images;
  private final Consumer<String> log;

  /**
   * @param store the store for the layer cache, the local base images and the default output
   * @param images where FROM and COPY --from images come from
   * @param log progress lines (stderr in the command line)
   */
  public Builder(LocalStore store, BaseImageSource images, Consumer<String> log) {
    this.store = store;
    this.images = images;
    this.log = log;
  }

  /** A builder reading base images through core's transports over {@code store}. */
  public static Builder withStore(LocalStore store, Consumer<String> log) {
    return new Builder(store, BaseImageSource.transports(new Transports(store)), log);
  }

  /** Builds and exports; see the class comment. */
  public BuildResult build(BuildRequest request) throws JscanException {
    byte[] dockerfileBytes = readDockerfile(request);
    Dockerfile dockerfile = Dockerfile.parse(request.dockerfile(), request.dockerfileName(), dockerfileBytes);
    BuildOptions options = new BuildOptions(request.target(), request.buildArgs(), Platform.host(), request.platform());
    BuildPlan plan = BuildPlan.resolve(dockerfile, options);
    // a jscan killed during a RUN left a container, a mount or a directory: remove them first
    RunSupport.cleanLeftovers(store.home(), log);

    BuildSession session = new BuildSession(request, store, images, dockerfile, plan, log);
    List<String> lines = List.of(new String(dockerfileBytes, StandardCharsets.UTF_8).split("\n", -1));
    try {
      ContextSnapshot context = SnapshotContextStep.apply(session);
      Optional<ResolvedImage> finalBase = Optional.empty();
      for (PlannedStage planned : plan.stages()) {
        String name = planned.stage().displayName();
        int total = planned.stage().instructions().size() + 1;
        int n = 1;
        log(session, name, n++, total, planned.stage().from().location(), lines);
        ResolveBaseImageStep.Started started = ResolveBaseImageStep.apply(planned, session);
        StageState state = started.state();
        for (Instruction trigger : started.triggers()) {
          log.accept("#" + session.nextStepNumber() + " [" + name + " " + (n++) + "/" + total + "] ONBUILD " + trigger.keyword()
              + " (a trigger of the base image)");
          BuildStep.of(trigger).apply(state);
        }
        for (Instruction instruction : planned.stage().instructions()) {
          log(session, name, n++, total, instruction.location(), lines);
          BuildStep.of(instruction).apply(state);
        }
        if (planned == plan.target()) {
          finalBase = finishTarget(state, request);
        }
        session.finishStage(planned.stage().index(), state.toImage(), state.rootImage());
      }
      // the built image stays valid until the store is closed: its layers are in the store's
      // layer cache or, with --no-cache, in the store's temp directory
      Image image = session.stageImage(plan.target().stage().index());
      Digest contextDigest;
      try {
        contextDigest = context.digest(); // before the export: a failed bookkeeping write fails the build, not after it
      } catch (IOException e) {
        throw BuildException.io("hashing the build context", e);
      }
      List<String> names = ExportImageStep.apply(image, session).names();
      log.accept("built " + image.digest() + (names.isEmpty() ? "" : " " + String.join(", ", names))
          + " (" + session.layersBuilt() + " layers built, " + session.layersReused() + " from cache)");
      return new BuildResult(
          image,
          image.digest(),
          image.manifest().config().digest(),
          finalBase,
          session.resolvedImages(),
          request.buildArgs(),
          plan.target().stage().displayName(),
          request.platform(),
          Digest.sha256(dockerfileBytes),
          contextDigest,
          request.sourceDateEpoch(),
          session.layersBuilt(),
          session.layersReused(),
          session.downloads());
    } catch (JscanException | RuntimeException e) {
      try {
        AtomicFiles.deleteTree(session.workDir());
      } catch (IOException ignored) {
        // the store's temp directory goes when the store is closed, or with the next process
      }
      throw e;
    } finally {
      session.closeRunSupport();
    }
  }

  /** The Dockerfile's bytes: a regular file of at most {@link InputLimit#DOCKERFILE}, named as the user gave it. */
  private static byte[] readDockerfile(BuildRequest request) throws BuildException {
    try {
      return BoundedFiles.read(request.dockerfile(), InputLimit.DOCKERFILE);
    } catch (InputFileException e) {
      throw new BuildException(e.kind(), request.dockerfileName(), e.detail(), e);
    }
  }

  /** The final image's labels: {@code --label}, then its base image (buildah's base.name/base.digest). */
  private static Optional<ResolvedImage> finishTarget(StageState state, BuildRequest request) {
    Map<String, String> labels = new TreeMap<>(request.labels());
    Optional<ResolvedImage> base = state.rootImage();
    base.ifPresent(b -> {
      labels.put(Annotations.BASE_NAME, b.reference());
      labels.put(Annotations.BASE_DIGEST, b.digest().toString());
    });
    state.addLabels(labels);
    return base;
  }

  private void log(BuildSession session, String stage, int n, int total, SourceLocation at, List<String> lines) {
    String text = at.startLine() <= lines.size() ? lines.get(at.startLine() - 1).strip() : "";
    if (text.length() > 100) {
      text = text.substring(0, 97) + "...";
    }
    log.accept("#" + session.nextStepNumber() + " [" + stage + " " + n + "/" + total + "] " + text);
  }
}
