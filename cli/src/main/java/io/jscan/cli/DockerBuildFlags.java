package io.jscan.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code docker build} and {@code docker buildx build} flags people paste into {@code jscan
 * build}, and what jscan answers to each it does not have: one line saying so and what to do
 * instead ({@code jscan: not supported: --cache-from: …}, exit code 2), never a confusing error
 * about something else (an "invalid image name" for {@code --output type=registry}).
 *
 * <p>The flags jscan has with Docker's meaning ({@code -t}, {@code -f}, {@code --build-arg},
 * {@code --target}, {@code --label}, {@code --secret}, {@code --push}, {@code --pull}, {@code
 * --platform}, {@code -q}, {@code --no-cache}, {@code --metadata-file}, {@code --iidfile}, {@code
 * --progress}, {@code --network}, {@code --sbom}, {@code --provenance}) are options of {@link
 * BuildCommand}; here are only the values of those that jscan reads differently (a list of
 * platforms, an exporter's {@code type=}, a network other than the host's). Flag names and value
 * syntax as docker-buildx's build reference describes them.
 */
final class DockerBuildFlags implements UsageCheck.Foreign {
  static final DockerBuildFlags INSTANCE = new DockerBuildFlags();

  /** A flag jscan does not have: whether it takes a value, and what to say. */
  private record Absent(boolean takesValue, String advice) {}

  private static final String RESOURCES =
      "jscan sets no resource limits on RUN steps; run jscan itself under the limit (systemd-run, a cgroup)";

  private static final Map<String, Absent> ABSENT = absent();

  private static Map<String, Absent> absent() {
    Map<String, Absent> m = new LinkedHashMap<>();
    String cache = "jscan's layer cache is its local store ($JSCAN_HOME): keep that directory between CI runs instead";
    m.put("--cache-from", new Absent(true, cache));
    m.put("--cache-to", new Absent(true, cache));
    m.put("--load", new Absent(false,
        "jscan builds into its own store, not Docker's: write --output docker-archive:FILE and run 'docker load -i FILE'"));
    m.put("--ssh", new Absent(true,
        "jscan forwards no SSH agent to RUN steps (RUN --mount=type=ssh is skipped, or refused when required);"
            + " fetch private sources before the build, or pass a token with --secret"));
    m.put("--add-host", new Absent(true, "RUN steps see this machine's /etc/hosts; add the entry there"));
    m.put("--squash", new Absent(false, "jscan keeps one layer per instruction (each one cached and shared on its own)"));
    m.put("--isolation", new Absent(true, "it selects Windows container isolation; jscan builds Linux images"));
    m.put("--shm-size", new Absent(true, "RUN steps get a 64 MiB /dev/shm, as Docker's default"));
    m.put("--ulimit", new Absent(true,
        "RUN steps get the open-files limit jscan itself has; raise it (ulimit -n) before running jscan"));
    m.put("--cgroup-parent", new Absent(true, "RUN steps run in the OCI runtime's cgroup; run jscan itself in the cgroup you want"));
    for (String flag : List.of("--memory", "-m", "--memory-swap", "--cpu-shares", "-c", "--cpu-period", "--cpu-quota",
        "--cpuset-cpus", "--cpuset-mems")) {
      m.put(flag, new Absent(true, RESOURCES));
    }
    m.put("--security-opt", new Absent(true, "RUN steps run with Docker's default capabilities and no seccomp profile; there is nothing to set"));
    m.put("--builder", new Absent(true, "jscan is the builder; drop the flag"));
    m.put("--allow", new Absent(true, "jscan has no entitlements: RUN --network=host needs none, and RUN --security=insecure is refused"));
    m.put("--annotation", new Absent(true, "jscan writes no manifest annotations; --label adds labels to the image config"));
    m.put("--attest", new Absent(true, "write --sbom and --provenance (and --sign to sign them)"));
    m.put("--build-context", new Absent(true, "name the image, stage, oci: or docker-archive: source in FROM or COPY --from instead"));
    m.put("--no-cache-filter", new Absent(true, "--no-cache rebuilds every stage"));
    m.put("--check", new Absent(false, "run 'jscan dockerfile lint DOCKERFILE'"));
    m.put("--call", new Absent(true, "jscan runs no frontend methods; 'jscan dockerfile lint DOCKERFILE' checks a Dockerfile"));
    return Map.copyOf(m);
  }

  /** buildx's key=value attestation parameters ({@code --provenance=mode=max}, {@code --sbom=generator=…}). */
  private static final Pattern ATTESTATION_PARAMETERS = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*=.*");

  /** docker's boolean --pull values, which jscan takes besides its own missing|always|never. */
  static final Map<String, String> PULL_VALUES = Map.of(
      "missing", "missing", "always", "always", "never", "never", "true", "always", "false", "missing");

  private DockerBuildFlags() {}

  @Override
  public Optional<Boolean> takesValue(String name) {
    Absent a = ABSENT.get(name);
    if (a != null) {
      return Optional.of(a.takesValue());
    }
    // buildx's --sbom and --provenance are strings; jscan's take an optional true|false
    return name.equals("--sbom") || name.equals("--provenance") ? Optional.of(true) : Optional.empty();
  }

  @Override
  public Optional<String> problem(String name, Optional<String> value) {
    Absent a = ABSENT.get(name);
    if (a != null) {
      return Optional.of(NOT_SUPPORTED + name + value.map(v -> " " + v).orElse("") + ": " + a.advice());
    }
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String v = value.get();
    if (name.equals("--pull")) {
      // an attached --pull=VALUE (a separate word after docker's boolean --pull is the context)
      return PULL_VALUES.containsKey(v.toLowerCase(Locale.ROOT)) ? Optional.empty()
          : Optional.of("--pull=" + v + ": expected missing, always or never (or docker's true and false)");
    }
    return valueNotSupported(name, v).map(detail -> NOT_SUPPORTED + detail);
  }

  private static final String NOT_SUPPORTED = "not supported: ";

  private static Optional<String> valueNotSupported(String name, String v) {
    return switch (name) {
      case "-o", "--output" -> output(v);
      case "--platform" -> v.contains(",")
          ? Optional.of("--platform " + v + ": jscan builds one platform per run (no multi-platform index yet);"
              + " run one build per platform, e.g. --platform " + v.substring(0, v.indexOf(',')).strip())
          : Optional.empty();
      case "--network" -> network(v);
      case "--progress" -> v.equals("rawjson")
          ? Optional.of("--progress rawjson: jscan prints plain progress lines (--progress plain) or none (--quiet)")
          : Optional.empty();
      case "--sbom" -> ATTESTATION_PARAMETERS.matcher(v).matches()
          ? Optional.of("--sbom=" + v + ": jscan's own catalogers make the SBOM (CycloneDX and SPDX); write --sbom")
          : Optional.empty();
      case "--provenance" -> provenance(v);
      default -> Optional.empty();
    };
  }

  /**
   * buildx's exporters ({@code type=registry}, {@code type=docker,dest=…}, …). None is exactly
   * what a jscan output writes (buildx's {@code type=oci} writes a tarball by default and names
   * the image by annotation, its {@code type=docker} writes containerd's archive), so each gets
   * jscan's nearest spelling instead of a silent near-equivalent.
   */
  private static Optional<String> output(String value) {
    if (value.equals("-")) {
      return Optional.of("--output -: jscan does not write images to standard output; write --output docker-archive:FILE or oci:DIR");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (String field : value.split(",")) {
      int eq = field.indexOf('=');
      if (eq > 0) {
        fields.put(field.substring(0, eq).strip().toLowerCase(Locale.ROOT), field.substring(eq + 1));
      }
    }
    if (!fields.containsKey("type")) {
      return Optional.empty(); // jscan's own oci:DIR, docker-archive:FILE; anything else is judged as a reference
    }
    String type = fields.get("type");
    String detail = switch (type) {
      case "registry" -> "push with -t REGISTRY/NAME:TAG --push";
      case "image" -> "the local store is the default output: name the image with -t (and add --push to push it)";
      case "docker" -> "jscan does not talk to a Docker daemon: write --output docker-archive:FILE[:NAME:TAG] and run 'docker load -i FILE'";
      case "oci" -> "write --output oci:DIR[:REF], an OCI image layout directory (jscan writes no layout tarball)";
      case "local", "tar" -> "jscan exports images, not file trees: write --output oci:DIR and unpack it (umoci unpack)";
      default -> "jscan writes the local store (default), --output oci:DIR[:REF] or --output docker-archive:FILE[:NAME:TAG]";
    };
    return Optional.of("--output " + value + ": " + detail);
  }

  private static Optional<String> network(String value) {
    return switch (value) {
      case "default", "host" -> Optional.empty(); // what jscan's RUN steps get anyway: the host's network namespace
      case "none" -> Optional.of("--network none: write RUN --network=none in the Dockerfile for the steps that need no network");
      default -> Optional.of("--network " + value + ": RUN steps use the host's network (default, host), or none with RUN --network=none");
    };
  }

  private static Optional<String> provenance(String value) {
    if (!ATTESTATION_PARAMETERS.matcher(value).matches()) {
      return Optional.empty();
    }
    String key = value.substring(0, value.indexOf('=')).toLowerCase(Locale.ROOT);
    String detail = switch (key) {
      case "mode" -> "jscan's --provenance has one mode: SLSA v1 provenance with every build parameter; write --provenance";
      case "builder-id" -> "set the environment variable " + BuildCommand.BUILDER_ID_ENV + " instead, with --provenance";
      default -> "write --provenance (SLSA v1 provenance with every build parameter)";
    };
    return Optional.of("--provenance=" + value + ": " + detail);
  }
}
