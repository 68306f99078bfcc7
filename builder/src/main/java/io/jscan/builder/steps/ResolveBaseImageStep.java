package io.jscan.builder.steps;

import io.jscan.builder.BuildException;
import io.jscan.builder.BuildResult.ResolvedImage;
import io.jscan.core.JscanException;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.Images;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.ImageConfig.ContainerConfig;
import io.jscan.core.oci.ImageConfig.RootFs;
import io.jscan.core.oci.Platform;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.build.ImageReference;
import io.jscan.dockerfile.build.PlannedStage;
import io.jscan.dockerfile.build.StageBase;
import io.jscan.dockerfile.instructions.FromInstruction;
import io.jscan.dockerfile.instructions.Instruction;
import io.jscan.dockerfile.instructions.Instructions;
import io.jscan.dockerfile.instructions.MaintainerInstruction;
import io.jscan.dockerfile.instructions.OnbuildInstruction;
import io.jscan.dockerfile.parser.Ast;
import io.jscan.dockerfile.parser.DockerfileParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * FROM: what a stage starts from. {@code scratch} (an empty root, BuildKit's default config:
 * PATH set, WORKDIR {@code /}), an earlier stage, or an image read through the build's
 * {@link io.jscan.builder.BaseImageSource} (the local store, {@code oci:}, {@code
 * docker-archive:}; the registry arrives there later) and narrowed to the stage's platform.
 *
 * <p>This is the one place that resolves images, also for {@code COPY --from=image}. Every image
 * resolved is recorded with its digest (for provenance and the base-image labels). The base's
 * ONBUILD triggers are returned to run first, and are not inherited further (BuildKit).
 */
public final class ResolveBaseImageStep {
  private ResolveBaseImageStep() {}

  /** A stage's initial state and the base's ONBUILD triggers to run before its own instructions. */
  public record Started(StageState state, List<Instruction> triggers) {}

  /** An image a reference resolved to, for the build's platform. */
  public record Resolved(Image image, ResolvedImage resolved) {}

  public static Started apply(PlannedStage planned, BuildSession session) throws JscanException {
    Platform platform = planned.platform().orElse(session.request().platform());
    FromInstruction from = planned.stage().from();
    SourceLocation at = from.location();
    StageBase base = planned.base();
    if (base instanceof StageBase.Scratch) {
      StageState state = new StageState(session, planned, platform, Optional.empty(), scratchConfig(platform), Optional.empty());
      return new Started(state, List.of());
    }
    if (base instanceof StageBase.FromStage fs) {
      Image image = session.stageImage(fs.stageIndex());
      StageState state = new StageState(session, planned, platform, Optional.of(image), withoutTriggers(image.config()),
          session.stageRoot(fs.stageIndex()));
      return new Started(state, planned.inheritedTriggers());
    }
    ImageReference ref = ((StageBase.Image) base).reference();
    Resolved r = resolveImage(ref, platform, at, planned.stage().displayName(), "FROM", session);
    ImageConfig config = r.image().config();
    List<Instruction> triggers = parseTriggers(config.config().onBuild(), ref, at);
    StageState state = new StageState(session, planned, platform, Optional.of(r.image()), withoutTriggers(config),
        Optional.of(r.resolved()));
    return new Started(state, triggers);
  }

  /**
   * Reads the image {@code ref} names and picks the image for {@code platform}; failures name the
   * instruction's line and keep their kind (a missing image is bad input, a damaged one an integrity failure).
   */
  public static Resolved resolveImage(ImageReference ref, Platform platform, SourceLocation at, String stage, String use,
      BuildSession session) throws JscanException {
    String name = ref.isTransport() ? ref.original() : ref.normalized();
    try {
      Artifact artifact = session.images().read(ref, platform);
      Image image = Images.forPlatform(artifact, platform);
      ResolvedImage resolved = new ResolvedImage(name, artifact.descriptor().digest(), image.digest(), stage, use);
      session.resolvedImage(resolved);
      return new Resolved(image, resolved);
    } catch (JscanException e) {
      throw BuildException.at(at, e.kind(), use + " " + name + ": " + e.getMessage()
          + (e.kind() == io.jscan.core.FailureKind.BAD_INPUT && !ref.isTransport()
              ? " (load it with 'jscan load', or name an oci: or docker-archive: image)"
              : ""), e);
    }
  }

  /** BuildKit's emptyImage: the platform, PATH, WORKDIR /. */
  static ImageConfig scratchConfig(Platform platform) {
    ContainerConfig empty = ContainerConfig.empty();
    ContainerConfig config = new ContainerConfig(empty.user(), empty.exposedPorts(), List.of(), empty.entrypoint(), empty.cmd(),
        empty.volumes(), Optional.of("/"), empty.labels(), empty.stopSignal(), empty.argsEscaped(), empty.healthcheck(),
        empty.onBuild(), empty.shell());
    return new ImageConfig(Optional.empty(), Optional.empty(), platform.architecture(), platform.os(), platform.osVersion(),
        platform.osFeatures(), platform.variant(), config, new RootFs(List.of()), List.of());
  }

  private static ImageConfig withoutTriggers(ImageConfig config) {
    ContainerConfig c = config.config();
    return config.withConfig(new ContainerConfig(c.user(), c.exposedPorts(), c.env(), c.entrypoint(), c.cmd(), c.volumes(),
        c.workingDir(), c.labels(), c.stopSignal(), c.argsEscaped(), c.healthcheck(), List.of(), c.shell()));
  }

  /** A base image's ONBUILD triggers, each parsed as one Dockerfile instruction (BuildKit's initOnBuildTriggers). */
  private static List<Instruction> parseTriggers(List<String> triggers, ImageReference ref, SourceLocation at)
      throws BuildException {
    List<Instruction> out = new ArrayList<>();
    String file = "ONBUILD of " + (ref.isTransport() ? ref.original() : ref.normalized());
    for (String trigger : triggers) {
      try {
        Ast ast = DockerfileParser.parse(file, trigger);
        if (ast.nodes().size() != 1) {
          throw BuildException.at(at, file + ": onbuild trigger should be a single expression: " + trigger);
        }
        Instruction i = Instructions.parse(ast.nodes().get(0));
        if (i instanceof FromInstruction || i instanceof OnbuildInstruction || i instanceof MaintainerInstruction) {
          throw BuildException.at(at, file + ": " + i.keyword() + " isn't allowed as an ONBUILD trigger");
        }
        out.add(i);
      } catch (DockerfileException e) {
        throw BuildException.at(at, io.jscan.core.FailureKind.BAD_INPUT, file + ": " + e.getMessage(), e);
      }
    }
    return out;
  }
}
