package io.jscan.builder.check;

import io.jscan.builder.BaseImageSource;
import io.jscan.builder.BuildException;
import io.jscan.builder.BuildRequest;
import io.jscan.builder.BuildResult;
import io.jscan.builder.Builder;
import io.jscan.builder.steps.ExportImageStep;
import io.jscan.core.JscanException;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.oci.Digest;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.dockerfile.ignore.DockerIgnore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * {@code jscan build --check-reproducible}: builds twice, each time from a fresh copy of the
 * context (different creation order, mtimes and permission bits, see {@link ContextCopies}), each
 * time without the layer cache and into a store of its own, then compares the two images. When
 * they are identical the first is exported as a normal build would be; when not, the outcome names
 * the first layer and the first file that differ ({@link ImageComparison}).
 */
public final class ReproducibilityCheck {
  private ReproducibilityCheck() {}

  /**
   * @param result the first build, exported when reproducible (its image read back from the output)
   * @param secondDigest the manifest digest of the second build
   * @param difference where the two builds first differ; empty when they are identical
   */
  public record Outcome(BuildResult result, Digest secondDigest, Optional<String> difference) {
    public boolean reproducible() {
      return difference.isEmpty();
    }
  }

  public static Outcome run(BuildRequest request, LocalStore store, BaseImageSource images, Consumer<String> log)
      throws JscanException {
    Path scratch = store.tempDir().resolve("check-" + UUID.randomUUID());
    try {
      Path contextA = scratch.resolve("a/context");
      Path contextB = scratch.resolve("b/context");
      Path context = request.context().toAbsolutePath().normalize();
      Path dockerfile = request.dockerfile().toAbsolutePath().normalize();
      List<Path> always = new ArrayList<>(List.of(dockerfile, context.resolve(DockerIgnore.DEFAULT_NAME)));
      DockerIgnore.locate(context, dockerfile).ifPresent(always::add);
      DockerIgnore ignore = DockerIgnore.load(context, dockerfile);
      ContextCopies.copy(context, contextA, ignore, always, ContextCopies.Variant.FORWARD);
      ContextCopies.copy(context, contextB, ignore, always, ContextCopies.Variant.REVERSED);
      Path dockerfileA = dockerfile.startsWith(context) ? contextA.resolve(context.relativize(dockerfile)) : dockerfile;
      Path dockerfileB = dockerfile.startsWith(context) ? contextB.resolve(context.relativize(dockerfile)) : dockerfile;
      BuildRequest isolated = request.withNoCache(true).withOutput(Optional.empty()).withTags(List.of());
      try (LocalStore a = LocalStore.open(scratch.resolve("a/store"));
          LocalStore b = LocalStore.open(scratch.resolve("b/store"))) {
        log.accept("check 1/2: building from a fresh copy of the context");
        BuildResult first = new Builder(a, images, log).build(isolated.withContext(contextA, dockerfileA));
        log.accept("check 2/2: building from a second copy (reverse creation order, other mtimes, umask 077)");
        BuildResult second = new Builder(b, images, log).build(isolated.withContext(contextB, dockerfileB));
        Optional<String> difference = ImageComparison.firstDifference(first.image(), second.image());
        if (difference.isPresent()) {
          return new Outcome(first, second.manifestDigest(), difference);
        }
        ExportImageStep.Exported exported = ExportImageStep.export(first.image(), request, store);
        BuildResult result = new BuildResult(exported.image(), first.manifestDigest(), first.configDigest(), first.base(),
            first.baseImages(), request.buildArgs(), first.target(), first.platform(), first.dockerfileDigest(),
            first.contextDigest(), first.sourceDateEpoch(), first.layersBuilt(), first.layersReused(), first.downloads());
        return new Outcome(result, second.manifestDigest(), Optional.empty());
      }
    } catch (IOException e) {
      throw BuildException.io("copying the build context for --check-reproducible", e);
    } finally {
      try {
        AtomicFiles.deleteTree(scratch);
      } catch (IOException ignored) {
        // removed with the store's temp directory
      }
    }
  }
}
