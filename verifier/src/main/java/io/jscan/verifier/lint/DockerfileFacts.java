package io.jscan.verifier.lint;

import io.jscan.dockerfile.Dockerfile;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.Stage;
import io.jscan.dockerfile.build.BuildOptions;
import io.jscan.dockerfile.build.BuildPlan;
import io.jscan.dockerfile.build.PlannedStage;
import io.jscan.dockerfile.build.StageBase;
import io.jscan.dockerfile.instructions.HealthcheckInstruction;
import io.jscan.dockerfile.instructions.Instruction;
import io.jscan.dockerfile.instructions.KeyValue;
import io.jscan.dockerfile.instructions.LabelInstruction;
import io.jscan.dockerfile.instructions.MaintainerInstruction;
import io.jscan.dockerfile.instructions.UserInstruction;
import io.jscan.verifier.BaseImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a Dockerfile says about the image its last stage builds, for the policy rules: the base
 * image (through stages: {@code FROM builder} is followed to the image {@code builder} starts from,
 * with global ARG defaults expanded as BuildKit does), labels, maintainer, user and health check.
 * Stages inherit these from the stage they start from, so the chain is walked from its root.
 *
 * @param base the base image; empty for {@code FROM scratch} or when it cannot be resolved
 * @param scratch whether the chain starts from scratch
 * @param maintainer from MAINTAINER, or the {@code org.opencontainers.image.authors} or {@code maintainer} label
 * @param labels the labels set in the chain (later ones win)
 * @param user the last USER of the chain, when there is one
 * @param healthcheck the last HEALTHCHECK of the chain: true for a check, false for NONE
 */
public record DockerfileFacts(
    String file,
    Optional<BaseImage> base,
    boolean scratch,
    Optional<String> maintainer,
    Optional<SourceLocation> maintainerAt,
    Map<String, String> labels,
    Optional<String> user,
    Optional<SourceLocation> userAt,
    Optional<Boolean> healthcheck,
    SourceLocation finalFrom,
    int stages) {

  public DockerfileFacts {
    Objects.requireNonNull(file, "file");
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
  }

  /**
   * The facts of {@code dockerfile}; words that do not expand are judged as written.
   *
   * @throws DockerfileException only when the Dockerfile passes a limit (variable expansion that
   *     grows past {@code ExpansionBudget}'s bounds): such a file is refused, not judged
   */
  public static DockerfileFacts of(Dockerfile dockerfile) throws DockerfileException {
    List<Stage> all = dockerfile.stages();
    Stage last = all.get(all.size() - 1);
    List<Stage> chain = new ArrayList<>();
    Optional<BaseImage> base = Optional.empty();
    boolean scratch = false;
    Optional<BuildPlan> plan = plan(dockerfile);
    Stage cur = last;
    for (int guard = 0; guard <= all.size(); guard++) {
      chain.add(0, cur);
      Stage here = cur;
      Optional<StageBase> resolved = plan.flatMap(p -> baseOf(p, here));
      Optional<Stage> parent = resolved.filter(b -> b instanceof StageBase.FromStage)
          .map(b -> all.get(((StageBase.FromStage) b).stageIndex()));
      if (resolved.isEmpty()) {
        parent = earlierStageNamed(all, cur);
      }
      if (parent.isPresent() && parent.get().index() < cur.index()) {
        cur = parent.get();
        continue;
      }
      if (resolved.isPresent() && resolved.get() instanceof StageBase.Scratch) {
        scratch = true;
      } else if (resolved.isPresent() && resolved.get() instanceof StageBase.Image img) {
        base = parseBase(img.reference().original(), cur);
      } else {
        String raw = cur.from().image();
        if (raw.equalsIgnoreCase("scratch")) {
          scratch = true;
        } else if (!raw.contains("$")) {
          base = parseBase(raw, cur);
        }
      }
      break;
    }
    Map<String, String> labels = new LinkedHashMap<>();
    Optional<String> maintainer = Optional.empty();
    Optional<SourceLocation> maintainerAt = Optional.empty();
    Optional<String> user = Optional.empty();
    Optional<SourceLocation> userAt = Optional.empty();
    Optional<Boolean> health = Optional.empty();
    // label and user values are words BuildKit expands (quotes removed, $VARS replaced) with the
    // stage's ARGs and ENVs; without a plan (ARGs that need --build-arg) only quotes are removed
    io.jscan.dockerfile.build.StageEnvironment env = plan.map(p -> p.newStageEnvironment(List.of())).orElse(null);
    io.jscan.dockerfile.shell.WordExpander plain =
        new io.jscan.dockerfile.shell.WordExpander(dockerfile.escapeToken(), io.jscan.dockerfile.shell.VariableLookup.none());
    for (Stage s : chain) {
      for (Instruction i : s.instructions()) {
        io.jscan.dockerfile.shell.WordExpander expander = env == null ? plain : env.expander();
        try {
          if (env != null && i instanceof io.jscan.dockerfile.instructions.ArgInstruction a) {
            env.declareArg(a);
          } else if (env != null && i instanceof io.jscan.dockerfile.instructions.EnvInstruction e) {
            env.applyEnv(e.expand(expander));
          } else if (i instanceof LabelInstruction l) {
            i = l.expand(expander);
          } else if (i instanceof UserInstruction u) {
            i = u.expand(expander);
          }
        } catch (DockerfileException e) {
          if (e.overLimit()) {
            throw e;
          }
          // a word that does not expand is judged as written
        } catch (RuntimeException e) {
          // a word that does not expand is judged as written
        }
        if (i instanceof LabelInstruction l) {
          for (KeyValue kv : l.labels()) {
            labels.put(kv.key(), kv.value());
            if (isMaintainerLabel(kv.key()) && !kv.value().isBlank()) {
              maintainer = Optional.of(kv.value());
              maintainerAt = Optional.of(l.location());
            }
          }
        } else if (i instanceof MaintainerInstruction m) {
          maintainer = Optional.of(m.maintainer());
          maintainerAt = Optional.of(m.location());
        } else if (i instanceof UserInstruction u) {
          user = Optional.of(u.user());
          userAt = Optional.of(u.location());
        } else if (i instanceof HealthcheckInstruction h) {
          health = Optional.of(!h.disablesHealthcheck());
        }
      }
    }
    return new DockerfileFacts(
        dockerfile.file(), base, scratch, maintainer, maintainerAt, labels, user, userAt, health,
        last.from().location(), all.size());
  }

  static boolean isMaintainerLabel(String key) {
    return key.equals("org.opencontainers.image.authors") || key.equals("maintainer");
  }

  private static Optional<BuildPlan> plan(Dockerfile dockerfile) throws DockerfileException {
    try {
      return Optional.of(BuildPlan.resolve(dockerfile, BuildOptions.defaults()));
    } catch (DockerfileException e) {
      if (e.overLimit()) {
        throw e;
      }
      // a Dockerfile that needs --build-arg values to resolve is still linted; its base stays unknown
      return Optional.empty();
    } catch (RuntimeException e) {
      // a Dockerfile that needs --build-arg values to resolve is still linted; its base stays unknown
      return Optional.empty();
    }
  }

  private static Optional<StageBase> baseOf(BuildPlan plan, Stage stage) {
    for (PlannedStage p : plan.stages()) {
      if (p.stage().index() == stage.index()) {
        return Optional.of(p.base());
      }
    }
    return Optional.empty();
  }

  private static Optional<Stage> earlierStageNamed(List<Stage> all, Stage stage) {
    String name = stage.from().image().toLowerCase(Locale.ROOT);
    for (Stage s : all) {
      if (s.index() < stage.index() && s.name().isPresent() && s.name().get().equals(name)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  private static Optional<BaseImage> parseBase(String reference, Stage stage) {
    try {
      return Optional.of(BaseImage.parse(reference, Optional.empty(), BaseImage.DOCKERFILE, OptionalInt.of(stage.from().location().startLine())));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
