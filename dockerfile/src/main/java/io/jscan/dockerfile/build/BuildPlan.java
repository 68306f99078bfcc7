package io.jscan.dockerfile.build;

import io.jscan.core.oci.Platform;
import io.jscan.dockerfile.Dockerfile;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.Stage;
import io.jscan.dockerfile.instructions.ArgDefinition;
import io.jscan.dockerfile.instructions.ArgInstruction;
import io.jscan.dockerfile.instructions.CopyInstruction;
import io.jscan.dockerfile.instructions.Instruction;
import io.jscan.dockerfile.instructions.MountSpec;
import io.jscan.dockerfile.instructions.OnbuildInstruction;
import io.jscan.dockerfile.instructions.RunInstruction;
import io.jscan.dockerfile.internal.GoText;
import io.jscan.dockerfile.shell.ExpandedWord;
import io.jscan.dockerfile.shell.ExpansionBudget;
import io.jscan.dockerfile.shell.ShellLexer;
import io.jscan.dockerfile.shell.VariableLookup;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The stages a build target needs, in the order to build them, with the global build arguments
 * resolved (BuildKit's {@code dockerfile2llb} up to dispatch): FROM lines expanded with the global
 * ARGs, stage references resolved by name (case-insensitive) or index, image references checked,
 * unused stages left out.
 *
 * <p>Like BuildKit, every stage's FROM line and every {@code --from} is checked, reachable or not;
 * the order rules (a stage can only copy from or mount an earlier stage) apply to the stages the
 * target needs.
 */
public final class BuildPlan {
  /** Build arguments BuildKit reads but never puts into a stage's environment. */
  private static final Set<String> NON_ENV_ARGS = Set.of("BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE");

  private final Dockerfile dockerfile;
  private final BuildOptions options;
  private final Map<String, String> globalArgs;
  private final List<PlannedStage> stages;
  private final PlannedStage target;
  /** What variable expansion may add to this plan's words, resolving included: one budget for every stage. */
  private final ExpansionBudget budget;

  private BuildPlan(Dockerfile dockerfile, BuildOptions options, Map<String, String> globalArgs, List<PlannedStage> stages,
      PlannedStage target, ExpansionBudget budget) {
    this.budget = budget;
    this.dockerfile = dockerfile;
    this.options = options;
    this.globalArgs = Collections.unmodifiableMap(globalArgs);
    this.stages = List.copyOf(stages);
    this.target = target;
  }

  /** Resolves the plan for {@code options.target()} (default: the last stage). */
  public static BuildPlan resolve(Dockerfile dockerfile, BuildOptions options) throws DockerfileException {
    return new Resolver(dockerfile, options).resolve();
  }

  public Dockerfile dockerfile() {
    return dockerfile;
  }

  public BuildOptions options() {
    return options;
  }

  /**
   * The global build arguments after the ARGs before the first FROM: the predefined platform
   * arguments and {@code TARGETSTAGE}, then each global ARG's {@code --build-arg} value or expanded
   * default. A stage sees one only after declaring it with ARG.
   */
  public Map<String, String> globalArgs() {
    return globalArgs;
  }

  /** The stages to build, each after every stage it depends on; the target is last. */
  public List<PlannedStage> stages() {
    return stages;
  }

  /** The target stage. */
  public PlannedStage target() {
    return target;
  }

  /**
   * The proxy settings from the build arguments ({@code HTTP_PROXY}, {@code HTTPS_PROXY}, {@code
   * FTP_PROXY}, {@code NO_PROXY}, {@code ALL_PROXY}, any case): BuildKit passes them to RUN steps
   * without an ARG and keeps them out of the image history and cache key.
   */
  public Map<String, String> proxyEnvironment() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(options.buildArgs()).entrySet()) {
      for (String name : PredefinedArgs.PROXY_ARGS) {
        if (e.getKey().equalsIgnoreCase(name)) {
          out.put(name, e.getValue());
        }
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * A new environment for a stage of this plan, starting from its base image's {@code Env}
   * ({@code KEY=VALUE} entries; for a stage based on another stage, that stage's image env).
   */
  public StageEnvironment newStageEnvironment(List<String> baseEnv) {
    return new StageEnvironment(dockerfile.escapeToken(), options.buildArgs(), globalArgs, baseEnv, budget);
  }

  /** Whether an ARG of this name goes into the stage environment (BuildKit keeps two SBOM switches out). */
  static boolean isEnvArg(String name) {
    return !NON_ENV_ARGS.contains(name);
  }

  private static final class Resolver {
    private final Dockerfile dockerfile;
    private final BuildOptions options;
    private final ShellLexer lexer;
    private final String file;
    private final Map<String, Integer> stageByName = new HashMap<>();
    private final ExpansionBudget budget = ExpansionBudget.perDockerfile();

    Resolver(Dockerfile dockerfile, BuildOptions options) {
      this.dockerfile = dockerfile;
      this.options = options;
      this.lexer = ShellLexer.withEscapeToken(dockerfile.escapeToken());
      this.file = dockerfile.file();
    }

    BuildPlan resolve() throws DockerfileException {
      List<Stage> all = dockerfile.stages();
      String targetName = options.target().orElse(all.get(all.size() - 1).name().orElse(""));
      Map<String, String> globals = PredefinedArgs.defaults(options, targetName);
      globals = applyGlobalArgs(globals);

      // FROM lines, in order: a FROM can only name a stage defined before it
      List<StageBase> bases = new ArrayList<>();
      List<Optional<Platform>> platforms = new ArrayList<>();
      List<Set<String>> fromArgs = new ArrayList<>();
      for (Stage stage : all) {
        Set<String> used = new LinkedHashSet<>();
        SourceLocation at = stage.from().location();
        ExpandedWord base = lexer.processWord(stage.from().image(), VariableLookup.of(globals), at, budget);
        used.addAll(base.usedVariables());
        if (base.value().isEmpty()) {
          throw DockerfileException.at(at, "base name (" + stage.from().image() + ") should not be blank");
        }
        bases.add(resolveBase(base.value(), at));
        Optional<Platform> platform = Optional.empty();
        if (stage.from().platform().isPresent()) {
          String expression = stage.from().platform().get();
          ExpandedWord p = lexer.processWord(expression, VariableLookup.of(globals), at, budget);
          used.addAll(p.usedVariables());
          if (p.value().isEmpty()) {
            throw DockerfileException.at(at, "empty platform value from expression " + expression);
          }
          platform = Optional.of(parsePlatform(p.value(), expression, at));
        }
        platforms.add(platform);
        fromArgs.add(used);
        stage.name().ifPresent(n -> stageByName.put(n, stage.index()));
      }

      // --from and --mount from=, for every stage
      List<List<StageSource>> sources = new ArrayList<>();
      for (Stage stage : all) {
        List<StageSource> list = new ArrayList<>();
        for (Instruction instruction : stage.instructions()) {
          list.addAll(sourcesOf(instruction));
        }
        sources.add(list);
      }
      checkNoCycle(all, bases, sources);

      int targetIndex = all.size() - 1;
      if (options.target().isPresent()) {
        Integer found = stageByName.get(options.target().get().toLowerCase(Locale.ROOT));
        if (found == null) {
          throw DockerfileException.at(file, 1, "target stage " + GoText.quote(options.target().get()) + " could not be found");
        }
        targetIndex = found;
      }

      // the stages the target needs; a base stage's ONBUILD triggers may add sources
      List<List<Instruction>> triggers = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        triggers.add(new ArrayList<>());
      }
      Set<Integer> needed = new LinkedHashSet<>();
      List<Integer> queue = new ArrayList<>(List.of(targetIndex));
      while (!queue.isEmpty()) {
        int index = queue.remove(queue.size() - 1);
        if (!needed.add(index)) {
          continue;
        }
        if (bases.get(index) instanceof StageBase.FromStage fs) {
          queue.add(fs.stageIndex());
          for (Instruction instruction : all.get(fs.stageIndex()).instructions()) {
            if (instruction instanceof OnbuildInstruction onbuild) {
              Instruction trigger = onbuild.trigger();
              triggers.get(index).add(trigger);
              sources.get(index).addAll(sourcesOf(trigger));
            }
          }
        }
        for (StageSource s : sources.get(index)) {
          if (s.source() instanceof StageSource.OfStage os) {
            queue.add(os.stageIndex());
          }
        }
      }
      for (int index : needed) {
        checkOrder(all.get(index), sources.get(index));
      }

      List<PlannedStage> planned = new ArrayList<>();
      PlannedStage targetStage = null;
      for (int index = 0; index < all.size(); index++) {
        if (!needed.contains(index)) {
          continue;
        }
        PlannedStage p = new PlannedStage(
            all.get(index), bases.get(index), platforms.get(index), fromArgs.get(index), sources.get(index), triggers.get(index));
        planned.add(p);
        if (index == targetIndex) {
          targetStage = p;
        }
      }
      // every dependency comes earlier in the file (checked above), so file order is a topological
      // order and the target, which depends on all the others, comes last
      return new BuildPlan(dockerfile, options, globals, planned, targetStage, budget);
    }

    /** BuildKit's buildMetaArgs: each global ARG takes its --build-arg value or its expanded default. */
    private Map<String, String> applyGlobalArgs(Map<String, String> defaults) throws DockerfileException {
      Map<String, String> globals = new LinkedHashMap<>(defaults);
      for (ArgInstruction arg : dockerfile.globalArgs()) {
        for (ArgDefinition def : arg.arguments()) {
          String value;
          if (options.buildArgs().containsKey(def.name())) {
            value = options.buildArgs().get(def.name());
          } else if (def.defaultValue().isPresent()) {
            value = lexer.processWord(def.defaultValue().get(), VariableLookup.of(globals), arg.location(), budget).value();
          } else {
            continue; // declared without a value: usable in FROM only if a build arg sets it
          }
          globals.remove(def.name());
          globals.put(def.name(), value);
        }
      }
      return globals;
    }

    private StageBase resolveBase(String name, SourceLocation at) throws DockerfileException {
      // BuildKit looks FROM names up exactly among the (lower-case) names of earlier stages
      Integer stage = stageByName.get(name);
      if (stage != null) {
        return new StageBase.FromStage(stage);
      }
      if (name.equals("scratch")) {
        return new StageBase.Scratch();
      }
      return new StageBase.Image(imageReference(name, at));
    }

    private ImageReference imageReference(String name, SourceLocation at) throws DockerfileException {
      if (ImageReference.isTransportReference(name)) {
        return ImageReference.transport(name); // jscan's oci: and docker-archive: sources
      }
      try {
        return ImageReference.parse(name);
      } catch (IllegalArgumentException e) {
        throw DockerfileException.at(at, "failed to parse stage name " + GoText.quote(name) + ": " + e.getMessage());
      }
    }

    private Platform parsePlatform(String value, String expression, SourceLocation at) throws DockerfileException {
      String spec = value;
      if (!spec.contains("/")) {
        // containerd accepts an OS or an architecture alone and fills in the other from the build platform
        spec = PredefinedArgs.KNOWN_OS.contains(spec.toLowerCase(Locale.ROOT))
            ? spec + "/" + options.buildPlatform().architecture()
            : options.buildPlatform().os() + "/" + spec;
      }
      try {
        return Platform.parse(spec);
      } catch (IllegalArgumentException e) {
        throw DockerfileException.at(at, "failed to parse platform " + expression + ": " + e.getMessage());
      }
    }

    private List<StageSource> sourcesOf(Instruction instruction) throws DockerfileException {
      List<StageSource> out = new ArrayList<>();
      SourceLocation at = instruction.location();
      if (instruction instanceof CopyInstruction copy && copy.from().isPresent()) {
        String from = copy.from().get();
        String expanded = lexer.processWord(from, VariableLookup.none(), at).value();
        if (!expanded.equals(from)) {
          throw DockerfileException.at(
              at,
              "variable expansion is not supported for --from, define a new stage with FROM using ARG from global"
                  + " scope as a workaround");
        }
        Optional<Integer> index = goAtoi(from);
        if (index.isPresent()) {
          if (index.get() < 0 || index.get() >= dockerfile.stages().size()) {
            throw DockerfileException.at(at, "invalid stage index " + index.get());
          }
          out.add(new StageSource(at, new StageSource.OfStage(index.get())));
        } else {
          out.add(new StageSource(at, sourceByName(from, at)));
        }
      } else if (instruction instanceof RunInstruction run) {
        for (MountSpec mount : run.mounts()) {
          if (mount.from().isPresent()) {
            out.add(new StageSource(at, sourceByName(mount.from().get(), at)));
          }
        }
      }
      return out;
    }

    private StageSource.Source sourceByName(String name, SourceLocation at) throws DockerfileException {
      Integer stage = stageByName.get(name.toLowerCase(Locale.ROOT));
      if (stage != null) {
        return new StageSource.OfStage(stage);
      }
      return new StageSource.OfImage(imageReference(name, at));
    }

    /** Go's strconv.Atoi: an optional sign and decimal digits. */
    private static Optional<Integer> goAtoi(String s) {
      if (!s.matches("[+-]?[0-9]+")) {
        return Optional.empty();
      }
      try {
        return Optional.of(Integer.parseInt(s));
      } catch (NumberFormatException e) {
        return Optional.of(Integer.MAX_VALUE); // out of range: an invalid index, as in BuildKit
      }
    }

    private void checkOrder(Stage stage, List<StageSource> sources) throws DockerfileException {
      for (StageSource s : sources) {
        if (s.source() instanceof StageSource.OfStage os && os.stageIndex() > stage.index()) {
          Stage other = dockerfile.stages().get(os.stageIndex());
          throw DockerfileException.at(
              s.at(),
              "cannot copy from stage " + GoText.quote(other.displayName()) + ", it needs to be defined before current stage "
                  + GoText.quote(stage.displayName()));
        }
      }
    }

    private void checkNoCycle(List<Stage> all, List<StageBase> bases, List<List<StageSource>> sources)
        throws DockerfileException {
      int[] state = new int[all.size()]; // 0 unvisited, 1 on the path, 2 done
      for (int i = 0; i < all.size(); i++) {
        visit(i, all, bases, sources, state);
      }
    }

    private void visit(int i, List<Stage> all, List<StageBase> bases, List<List<StageSource>> sources, int[] state)
        throws DockerfileException {
      if (state[i] != 0) {
        return;
      }
      state[i] = 1;
      if (bases.get(i) instanceof StageBase.FromStage fs) {
        visit(fs.stageIndex(), all, bases, sources, state);
      }
      for (StageSource s : sources.get(i)) {
        if (s.source() instanceof StageSource.OfStage os) {
          if (state[os.stageIndex()] == 1) {
            throw DockerfileException.at(
                s.at(), "circular dependency detected on stage: " + all.get(os.stageIndex()).displayName());
          }
          visit(os.stageIndex(), all, bases, sources, state);
        }
      }
      state[i] = 2;
    }
  }
}
