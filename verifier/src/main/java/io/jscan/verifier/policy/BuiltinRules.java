package io.jscan.verifier.policy;

import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.ImageConfig.ContainerConfig;
import io.jscan.verifier.BaseImage;
import io.jscan.verifier.Category;
import io.jscan.verifier.Evidence;
import io.jscan.verifier.ImageFacts;
import io.jscan.verifier.LayerReport;
import io.jscan.verifier.Location;
import io.jscan.verifier.Severity;
import io.jscan.signing.bundle.CertificateIdentity;
import io.jscan.signing.bundle.TrustedRoot;
import io.jscan.signing.oci.EvidenceCheck;
import io.jscan.signing.oci.FoundEvidence;
import io.jscan.signing.oci.ImageEvidenceVerifier;
import io.jscan.signing.oci.TrustPolicy;
import io.jscan.signing.payload.PredicateTypes;
import io.jscan.verifier.attest.ProvenanceFacts;
import io.jscan.verifier.files.FileFact;
import io.jscan.verifier.sbom.LicenseExpression;
import io.jscan.verifier.sbom.PackageEntry;
import io.jscan.verifier.sbom.PackageInventory;
import io.jscan.verifier.sbom.SbomDocuments;
import io.jscan.verifier.lint.DockerfileFacts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The built-in policy rules. Each has an id (what a policy file names), a default severity, its
 * parameters and help text (shown in SARIF and {@code policies/README.md}), and an evaluation over
 * a {@link RuleContext}. Rules that need an image are skipped, with a reason, for a Dockerfile
 * alone; rules that can judge a Dockerfile use it when there is no image.
 */
public final class BuiltinRules {
  private BuiltinRules() {}

  /** The type of a parameter. */
  public enum ParamType {
    STRING,
    STRING_LIST,
    STRING_MAP,
    INTEGER,
    /** bytes: an integer, or a string with a unit ({@code 500MB}, {@code 1GiB}) */
    SIZE,
    BOOLEAN,
    SEVERITY,
    /** public keys: PEM files (relative to the policy file) or inline PEM text; loaded with the policy */
    KEYS,
    /** keyless signers: a list of mappings {subject | subjectRegExp, issuer | issuerRegExp} */
    IDENTITIES,
    /** a Sigstore trusted root JSON file (relative to the policy file); loaded with the policy */
    TRUSTED_ROOT,
    /** an in-toto predicate type URI or cosign shorthand (slsaprovenance, cyclonedx, spdx, ...) */
    PREDICATE_TYPE,
    /** a CEL expression over an attestation: {@code predicate}, {@code predicateType}, {@code now} */
    PREDICATE_CEL,
    /** a list of packages: mappings of {@code name} (required, {@code *} wildcards), {@code type}, {@code versions}, {@code reason} */
    PACKAGE_LIST,
    /** a list of SPDX license ids ({@code MIT}, {@code GPL-3.0-only}) or {@code LicenseRef-…} */
    LICENSE_LIST
  }

  /**
   * One entry of {@code forbidden-packages}: which packages, and why they are forbidden.
   *
   * @param display the entry as the policy wrote it, for messages
   */
  public record ForbiddenPackage(io.jscan.sbom.version.PackageMatcher matcher, Optional<String> reason, String display) {
    public ForbiddenPackage {
      java.util.Objects.requireNonNull(matcher, "matcher");
      java.util.Objects.requireNonNull(reason, "reason");
      java.util.Objects.requireNonNull(display, "display");
    }
  }

  /** A parameter a rule takes. */
  public record Param(String name, ParamType type, boolean required, String help) {}

  /** A rule violation before it becomes a finding. */
  public record Violation(String message, Optional<Location> location, Category category) {
    static Violation policy(String message, Location location) {
      return new Violation(message, Optional.ofNullable(location), Category.POLICY);
    }
  }

  /**
   * What evaluating a rule gave: violations, or the reason it could not apply; {@code note} says
   * what the rule looked at and chose not to report (shown with its result).
   */
  public record Outcome(Optional<String> skipped, List<Violation> violations, Optional<String> note) {
    public Outcome {
      java.util.Objects.requireNonNull(skipped, "skipped");
      violations = List.copyOf(violations);
      java.util.Objects.requireNonNull(note, "note");
    }

    static Outcome skip(String reason) {
      return new Outcome(Optional.of(reason), List.of(), Optional.empty());
    }

    static Outcome of(List<Violation> violations) {
      return new Outcome(Optional.empty(), violations, Optional.empty());
    }

    static Outcome pass() {
      return of(List.of());
    }

    Outcome withNote(Optional<String> n) {
      return new Outcome(skipped, violations, n);
    }
  }

  /** A built-in rule. */
  public abstract static class Rule {
    private final String id;
    private final Severity defaultSeverity;
    private final String title;
    private final String help;
    private final List<Param> params;

    Rule(String id, Severity defaultSeverity, String title, String help, Param... params) {
      this.id = id;
      this.defaultSeverity = defaultSeverity;
      this.title = title;
      this.help = help;
      this.params = List.of(params);
    }

    public String id() {
      return id;
    }

    public Severity defaultSeverity() {
      return defaultSeverity;
    }

    public String title() {
      return title;
    }

    public String help() {
      return help;
    }

    public List<Param> params() {
      return params;
    }

    abstract Outcome evaluate(RuleContext ctx, PolicyRule rule);
  }

  private static final Map<String, Rule> RULES = new LinkedHashMap<>();

  static {
    for (Rule r : List.of(
        new Integrity(), new BaseNotLatest(), new BasePinned(), new Maintainer(), new NonRootUser(), new NoSetuid(),
        new NoSecrets(), new AllowedRegistries(), new RequiredLabels(), new MaxSize(), new MaxLayers(), new Healthcheck(),
        new ImageAge(), new SignatureRequired(), new AttestationRequired(), new SbomRequired(), new NoDeviceNodes(), new NoWorldWritable(),
        new MaxFileSize(), new DockerfileLint(), new ForbiddenPackages(), new Licenses())) {
      RULES.put(r.id(), r);
    }
  }

  /** Every built-in rule, in documentation order. */
  public static List<Rule> all() {
    return List.copyOf(RULES.values());
  }

  public static Optional<Rule> byId(String id) {
    return Optional.ofNullable(RULES.get(id));
  }

  // ---------------------------------------------------------------- helpers

  private static final String NEEDS_IMAGE = "needs an image (only a Dockerfile was given)";

  static Location config(ImageFacts image) {
    return image.walk().configCheck().map(c -> (Location) Location.InImage.part("config", c.digest()))
        .orElse(Location.InImage.part("manifest", image.walk().manifestCheck().digest()));
  }

  private static Location dockerfileAt(DockerfileFacts d, Optional<io.jscan.dockerfile.SourceLocation> at) {
    io.jscan.dockerfile.SourceLocation l = at.orElse(d.finalFrom());
    return new Location.InDockerfile(l.file(), l.startLine(), l.endLine());
  }

  private static Optional<ContainerConfig> containerConfig(RuleContext ctx) {
    return ctx.image().flatMap(i -> i.walk().config()).map(ImageConfig::config);
  }

  /** The base image: from the image's labels (or provenance), else from the Dockerfile. */
  static Optional<BaseImage> base(RuleContext ctx) {
    Optional<BaseImage> fromImage = ctx.image().flatMap(ImageFacts::base);
    if (fromImage.isPresent()) {
      return fromImage;
    }
    return ctx.dockerfile().flatMap(DockerfileFacts::base);
  }

  private static Location baseLocation(RuleContext ctx, BaseImage base) {
    if (base.source().equals(BaseImage.DOCKERFILE) && ctx.dockerfile().isPresent() && base.line().isPresent()) {
      return new Location.InDockerfile(ctx.dockerfile().get().file(), base.line().getAsInt(), base.line().getAsInt());
    }
    return ctx.image().map(BuiltinRules::config).orElse(null);
  }

  private static List<FileFact> facts(ImageFacts image, FileFact.Kind kind, boolean visibleOnly) {
    List<FileFact> out = new ArrayList<>();
    for (FileFact f : image.facts()) {
      if (f.kind() == kind && (f.visible() || !visibleOnly)) {
        out.add(f);
      }
    }
    return out;
  }

  private static Optional<String> filesIncomplete(ImageFacts image) {
    return image.walk().files().isPresent() ? Optional.empty()
        : Optional.of("file checks incomplete: a layer could not be read (see the integrity findings)");
  }

  private static Location at(ImageFacts image, FileFact f) {
    Digest digest = image.walk().layers().get(f.layer() - 1).digest();
    Location.InImage loc = Location.InImage.file(f.layer(), digest, f.path());
    return f.secret().map(s -> (Location) loc.withLine(s.line())).orElse(loc);
  }

  static String octal(int mode) {
    return String.format("%04o", mode & 07777);
  }

  /** {@code *} matches any run of characters (slashes too), {@code ?} one character. */
  static boolean glob(String pattern, String text) {
    StringBuilder re = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.matches(re.toString(), text);
  }

  private static boolean anyGlob(List<String> patterns, String text) {
    return patterns.stream().anyMatch(p -> glob(p, text));
  }

  static boolean isRootUser(String user) {
    String u = user.trim();
    return u.isEmpty() || u.equals("root") || u.equals("0") || u.startsWith("root:") || u.startsWith("0:");
  }

  // ---------------------------------------------------------------- rules

  static final class Integrity extends Rule {
    Integrity() {
      super("integrity", Severity.ERROR, "Image integrity",
          "Always on. Manifest, config and layer digests and sizes match their descriptors, layers decompress as their media type says "
              + "and match rootfs.diff_ids, and every layer is a sound tar that extracts inside the root (no .. or absolute paths, "
              + "no links out of the root, no duplicate entries, well-formed whiteouts, no decompression bomb). A failure gives exit code 4.");
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      if (ctx.image().isEmpty()) {
        return Outcome.skip(NEEDS_IMAGE);
      }
      // the findings themselves are reported once by the verifier, whatever the policies say
      return Outcome.pass();
    }
  }

  static final class BaseNotLatest extends Rule {
    BaseNotLatest() {
      super("base-not-latest", Severity.ERROR, "Base image not latest or untagged",
          "The base image as written (the Dockerfile's final FROM, following FROM stage to its image; the "
              + "org.opencontainers.image.base.name label; or the name in signed provenance) must name a tag other than latest, or be "
              + "written with a digest and no tag (image@sha256:…). An untagged reference means latest, and image:latest@sha256:… "
              + "still names latest (hadolint's DL3007 looks at the tag only). A digest a builder resolved and recorded (the "
              + "org.opencontainers.image.base.digest label, provenance's digest of a tag) never makes it pass: it records what one "
              + "build read, not what the Dockerfile names. With --dockerfile, the Dockerfile and the image are both judged and a "
              + "finding from either fails the rule. With signed provenance, every image the build read is judged. FROM scratch passes; "
              + "an unknown base is skipped unless requireKnown is true. The Dockerfile counterparts are DL3006 and DL3007.",
          new Param("requireKnown", ParamType.BOOLEAN, false, "fail when the base image cannot be determined (default false)"));
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      return BaseJudgement.judge(ctx, rule, BaseJudgement::latestProblem);
    }
  }

  static final class BasePinned extends Rule {
    BasePinned() {
      super("base-pinned", Severity.ERROR, "Base image pinned by digest",
          "The base image as written must carry a digest: FROM image@sha256:… or image:tag@sha256:… in the Dockerfile, a "
              + "org.opencontainers.image.base.name label with a digest, or a name with a digest in signed provenance. A digest "
              + "recorded beside the name (the org.opencontainers.image.base.digest label, provenance's digest of a tag, jscan.lock) "
              + "does not count: jscan.lock makes your own rebuilds repeatable, while this rule asks that the Dockerfile itself names "
              + "the bytes it builds on, for anyone who builds it (as OpenSSF Scorecard's Pinned-Dependencies and Kyverno's "
              + "require-image-digest do). With --dockerfile, the Dockerfile and the image are both judged and a finding from either "
              + "fails the rule. With signed provenance, every image the build read must carry a digest as written. FROM scratch "
              + "passes; an unknown base is skipped unless requireKnown is true.",
          new Param("requireKnown", ParamType.BOOLEAN, false, "fail when the base image cannot be determined (default false)"));
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      return BaseJudgement.judge(ctx, rule, BaseJudgement::pinnedProblem);
    }
  }

  static final class Maintainer extends Rule {
    Maintainer() {
      super("maintainer", Severity.WARNING, "Maintainer named",
          "The image names who is responsible for it: the org.opencontainers.image.authors or maintainer label, or the config's "
              + "author field. For a Dockerfile alone: LABEL org.opencontainers.image.authors / maintainer, or MAINTAINER.");
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      if (ctx.image().isPresent() && ctx.image().get().walk().config().isPresent()) {
        ImageConfig c = ctx.image().get().walk().config().get();
        Map<String, String> labels = c.config().labels();
        boolean named = nonBlank(labels.get("org.opencontainers.image.authors")) || nonBlank(labels.get("maintainer"))
            || c.author().filter(BuiltinRules::nonBlank).isPresent();
        return named ? Outcome.pass() : Outcome.of(List.of(Violation.policy(
            "no maintainer: neither the org.opencontainers.image.authors nor the maintainer label nor the author field is set",
            config(ctx.image().get()))));
      }
      if (ctx.image().isPresent()) {
        return Outcome.skip("the image config could not be read");
      }
      DockerfileFacts d = ctx.dockerfile().orElseThrow();
      return d.maintainer().isPresent() ? Outcome.pass() : Outcome.of(List.of(Violation.policy(
          "no maintainer: the final stage sets no org.opencontainers.image.authors or maintainer label", dockerfileAt(d, Optional.empty()))));
    }
  }

  static boolean nonBlank(String s) {
    return s != null && !s.isBlank();
  }

  static final class NonRootUser extends Rule {
    NonRootUser() {
      super("non-root-user", Severity.ERROR, "Runs as a non-root user",
          "The config's User is set and is neither root nor 0 (as user or user:group). For a Dockerfile alone: the last USER of "
              + "the final stage's chain.");
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      Optional<ContainerConfig> cc = containerConfig(ctx);
      if (ctx.image().isPresent()) {
        if (cc.isEmpty()) {
          return Outcome.skip("the image config could not be read");
        }
        String user = cc.get().user().orElse("");
        return isRootUser(user) ? Outcome.of(List.of(Violation.policy(
            user.isBlank() ? "the image runs as root (no User set)" : "the image runs as root (User " + user + ")",
            config(ctx.image().get())))) : Outcome.pass();
      }
      DockerfileFacts d = ctx.dockerfile().orElseThrow();
      if (d.user().isEmpty()) {
        return Outcome.of(List.of(Violation.policy(
            "no USER in the final stage: the container runs as the base image's user, root unless it sets one", dockerfileAt(d, Optional.empty()))));
      }
      return isRootUser(d.user().get()) ? Outcome.of(List.of(Violation.policy(
          "the final stage runs as " + d.user().get(), dockerfileAt(d, d.userAt())))) : Outcome.pass();
    }
  }

  static final class NoSetuid extends Rule {
    NoSetuid() {
      super("no-setuid", Severity.ERROR, "No setuid or setgid files",
          "No regular file of the merged filesystem has the setuid or setgid bit (such files run with their owner's privileges).",
          new Param("allow", ParamType.STRING_LIST, false, "glob patterns of paths that may keep the bits (e.g. /usr/bin/passwd)"));
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      if (ctx.image().isEmpty()) {
        return Outcome.skip(NEEDS_IMAGE);
      }
      ImageFacts image = ctx.image().get();
      Optional<String> incomplete = filesIncomplete(image);
      if (incomplete.isPresent()) {
        return Outcome.skip(incomplete.get());
      }
      List<String> allow = rule.parameter("allow", List.of());
      List<Violation> out = new ArrayList<>();
      for (FileFact.Kind kind : List.of(FileFact.Kind.SETUID, FileFact.Kind.SETGID)) {
        for (FileFact f : facts(image, kind, true)) {
          if (!anyGlob(allow, f.path())) {
            out.add(Violation.policy((kind == FileFact.Kind.SETUID ? "setuid" : "setgid") + " file (mode " + octal(f.mode()) + ")", at(image, f)));
          }
        }
      }
      return Outcome.of(out);
    }
  }

  static final class NoSecrets extends Rule {
    NoSecrets() {
      super("no-secrets", Severity.ERROR, "No secrets in layers",
          "No layer holds a private key (PEM, OpenSSH, PGP) or a cloud or service credential (AWS access keys, GitHub, GitLab, Slack, "
              + "Google, Stripe, npm tokens). Files deleted by a later layer count too: their bytes are still in the layer. Reports "
              + "name the kind, layer, path and line and a fingerprint, never the secret. A file a distribution package installed "
              + "(dpkg, apk, rpm) whose content still matches the checksum its package manager recorded, written by the layer that "
              + "installed the package, is the distribution's (test keys compiled into GnuTLS), not reported unless includePackageFiles "
              + "is true; the result says how many matches were left out.",
          new Param("ignorePaths", ParamType.STRING_LIST, false, "glob patterns of paths not to report (test fixtures)"),
          new Param("includePackageFiles", ParamType.BOOLEAN, false,
              "also report secrets in distribution packages' unchanged files (default false)"));
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      if (ctx.image().isEmpty()) {
        return Outcome.skip(NEEDS_IMAGE);
      }
      ImageFacts image = ctx.image().get();
      List<String> ignore = rule.parameter("ignorePaths", List.of());
      boolean includePackageFiles = Boolean.TRUE.equals(rule.parameter("includePackageFiles", Boolean.FALSE));
      List<Violation> out = new ArrayList<>();
      List<FileFact> packaged = new ArrayList<>();
      for (FileFact f : facts(image, FileFact.Kind.SECRET, false)) {
        if (anyGlob(ignore, f.path())) {
          continue;
        }
        if (f.packaged().isPresent() && !includePackageFiles) {
          packaged.add(f);
          continue;
        }
        var s = f.secret().orElseThrow();
        String message = s.detail() + " (fingerprint " + s.fingerprint() + ")"
            + (f.visible() ? "" : "; deleted or replaced by a later layer, but still in this layer's blob")
            + f.packaged().map(p -> "; in " + describe(p) + " file whose content matches the " + p.algorithm() + " checksum "
                + p.manager() + " recorded").orElse("");
        out.add(Violation.policy(message, at(image, f)));
      }
      if (out.isEmpty() && image.walk().files().isEmpty()) {
        return Outcome.skip(filesIncomplete(image).orElseThrow());
      }
      return Outcome.of(out).withNote(packagedNote(packaged));
    }

    /** "10 matches in 1 file of distribution packages ... not reported (dpkg: libgnutls30)"; empty when there are none. */
    private static Optional<String> packagedNote(List<FileFact> packaged) {
      if (packaged.isEmpty()) {
        return Optional.empty();
      }
      long files = packaged.stream().map(f -> f.layer() + ":" + f.path()).distinct().count();
      Map<String, java.util.TreeSet<String>> byManager = new java.util.TreeMap<>();
      for (FileFact f : packaged) {
        var p = f.packaged().orElseThrow();
        byManager.computeIfAbsent(p.manager(), k -> new java.util.TreeSet<>()).add(p.name());
      }
      List<String> owners = new ArrayList<>();
      byManager.forEach((manager, names) -> owners.add(manager + ": " + String.join(", ", names)));
      return Optional.of(packaged.size() + (packaged.size() == 1 ? " match" : " matches") + " in " + files + (files == 1 ? " file" : " files")
          + " of distribution packages not reported: the content matches the checksum the package manager recorded ("
          + String.join("; ", owners) + "); includePackageFiles: true reports them");
    }

    private static String describe(io.jscan.verifier.files.PackagedFile p) {
      return p.manager() + " package " + p.name() + p.version().map(v -> " " + v).orElse("") + "'s";
    }
  }

  static final class AllowedRegistries extends Rule {
    AllowedRegistries() {
      super("allowed-registries", Severity.ERROR, "Images and base images from allowed registries",
          "The image's own name (when the reference has one) and its base image must start with one of the given prefixes, matched "
              + "on the normalised repository (docker.io/library/ubuntu) at a / boundary.",
          new Param("registries", ParamType.STRING_LIST, true, "allowed prefixes, e.g. docker.io/library, ghcr.io/acme"));
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      List<String> allowed = rule.parameter("registries", List.of());
      List<Violation> out = new ArrayList<>();
      Optional<ImageFacts> image = ctx.image();
      if (image.isPresent() && image.get().name().isPresent()) {
        String repo = image.get().name().get().repository();
        if (!allowedRepository(allowed, repo)) {
          out.add(Violation.policy("image repository " + repo + " is not in an allowed registry", Location.InImage.part("image")));
        }
      }
      Optional<BaseImage> base = base(ctx);
      if (base.isPresent() && !allowedRepository(allowed, base.get().repository())) {
        out.add(Violation.policy("base image " + base.get().reference() + " (" + base.get().repository() + ") is not from an allowed registry",
            baseLocation(ctx, base.get())));
      }
      return Outcome.of(out);
    }

    static boolean allowedRepository(List<String> allowed, String repository) {
      for (String prefix : allowed) {
        String p = prefix.endsWith("/*") ? prefix.substring(0, prefix.length() - 2) : prefix;
        p = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
        if (repository.equals(p) || repository.startsWith(p + "/")) {
          return true;
        }
      }
      return false;
    }
  }

  static final class RequiredLabels extends Rule {
    RequiredLabels() {
      super("required-labels", Severity.WARNING, "Required labels present",
          "Each label in labels is set (non-empty); each label in patterns is set and matches its regular expression (whole value).",
          new Param("labels", ParamType.STRING_LIST, false, "label names that must be set"),
          new Param("patterns", ParamType.STRING_MAP, false, "label name -> regular expression its value must match"));
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      Map<String, String> labels;
      Location where;
      if (ctx.image().isPresent()) {
        Optional<ContainerConfig> cc = containerConfig(ctx);
        if (cc.isEmpty()) {
          return Outcome.skip("the image config could not be read");
        }
        labels = cc.get().labels();
        where = config(ctx.image().get());
      } else {
        labels = ctx.dockerfile().orElseThrow().labels();
        where = dockerfileAt(ctx.dockerfile().get(), Optional.empty());
      }
      List<Violation> out = new ArrayList<>();
      List<String> names = rule.parameter("labels", List.of());
      for (String name : names) {
        if (!nonBlank(labels.get(name))) {
          out.add(Violation.policy("label " + name + " is not set", where));
        }
      }
      Map<String, String> patterns = rule.parameter("patterns", Map.of());
      for (Map.Entry<String, String> e : patterns.entrySet()) {
        String value = labels.get(e.getKey());
        if (value == null) {
          out.add(Violation.policy("label " + e.getKey() + " is not set", where));
        } else if (!Pattern.compile(e.getValue()).matcher(value).matches()) {
          out.add(Violation.policy("label " + e.getKey() + "=\"" + value + "\" does not match " + e.getValue(), where));
        }
      }
      return Outcome.of(out);
    }
  }

  static final class MaxSize extends Rule {
    MaxSize() {
      super("max-size", Severity.WARNING, "Image size limit",
          "The layers' compressed size (what a pull transfers) is at most maxBytes; with maxUncompressedBytes, their uncompressed size too.",
          new Param("maxBytes", ParamType.SIZE, true, "largest compressed size, e.g. 500MB"),
          new Param("maxUncompressedBytes", ParamType.SIZE, false, "largest uncompressed size"));
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      if (ctx.image().isEmpty()) {
        return Outcome.skip(NEEDS_IMAGE);
      }
      List<LayerReport> layers = ctx.image().get().walk().layers();
      long compressed = layers.stream().mapToLong(LayerReport::size).sum();
      List<Violation> out = new ArrayList<>();
      long max = rule.parameter("maxBytes", Long.MAX_VALUE);
      if (compressed > max) {
        out.add(Violation.policy("compressed size " + compressed + " bytes exceeds " + max, Location.InImage.part("image")));
      }
      Long maxUncompressed = rule.parameter("maxUncompressedBytes", null);
      if (maxUncompressed != null) {
        long total = layers.stream().mapToLong(l -> l.uncompressedSize().orElse(0)).sum();
        if (total > maxUncompressed) {
          out.add(Violation.policy("uncompressed size " + total + " bytes exceeds " + maxUncompressed, Location.InImage.part("image")));
        }
      }
      return Outcome.of(out);
    }
  }

  static final class MaxLayers extends Rule {
    MaxLayers() {
      super("max-layers", Severity.WARNING, "Layer count limit", "The image has at most max layers.",
          new Param("max", ParamType.INTEGER, true, "most layers allowed"));
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      if (ctx.image().isEmpty()) {
        return Outcome.skip(NEEDS_IMAGE);
      }
      int count = ctx.image().get().walk().layers().size();
      long max = rule.parameter("max", Long.MAX_VALUE);
      return count > max
          ? Outcome.of(List.of(Violation.policy(count + " layers exceed the limit of " + max, Location.InImage.part("manifest",
              ctx.image().get().walk().manifestCheck().digest()))))
          : Outcome.pass();
    }
  }

  static final class Healthcheck extends Rule {
    Healthcheck() {
      super("healthcheck", Severity.INFO, "Health check defined",
          "The config has a Healthcheck that is not NONE. For a Dockerfile alone: the final stage's chain has a HEALTHCHECK other than NONE.");
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      if (ctx.image().isPresent()) {
        Optional<ContainerConfig> cc = containerConfig(ctx);
        if (cc.isEmpty()) {
          return Outcome.skip("the image config could not be read");
        }
        boolean ok = cc.get().healthcheck().map(h -> !h.test().isEmpty() && !h.test().get(0).equals("NONE")).orElse(false);
        return ok ? Outcome.pass() : Outcome.of(List.of(Violation.policy("no health check", config(ctx.image().get()))));
      }
      DockerfileFacts d = ctx.dockerfile().orElseThrow();
      return d.healthcheck().orElse(false) ? Outcome.pass()
          : Outcome.of(List.of(Violation.policy("no HEALTHCHECK in the final stage", dockerfileAt(d, Optional.empty()))));
    }
  }

  static final class ImageAge extends Rule {
    ImageAge() {
      super("image-age", Severity.WARNING, "Image not too old",
          "The config's created time is at most maxDays days before now. An image without a created time fails; one created at the "
              + "Unix epoch (1970-01-01T00:00:00Z, what reproducible builds without SOURCE_DATE_EPOCH write) is skipped: its age is unknown.",
          new Param("maxDays", ParamType.INTEGER, false, "largest age in days (default 90)"));
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      if (ctx.image().isEmpty()) {
        return Outcome.skip(NEEDS_IMAGE);
      }
      Optional<ImageConfig> c = ctx.image().get().walk().config();
      if (c.isEmpty()) {
        return Outcome.skip("the image config could not be read");
      }
      long maxDays = rule.parameter("maxDays", 90L);
      Optional<Instant> created = c.get().created();
      if (created.isEmpty()) {
        return Outcome.of(List.of(Violation.policy("the image has no created time", config(ctx.image().get()))));
      }
      if (created.get().equals(Instant.EPOCH)) {
        // reproducible builders without SOURCE_DATE_EPOCH write 0 (BuildKit's rewrite-timestamp, jscan before a
        // default epoch, ko, Bazel's rules_oci): the image's age is not recorded, so there is nothing to judge
        return Outcome.skip("created is the Unix epoch (no SOURCE_DATE_EPOCH): its age is unknown");
      }
      long days = Duration.between(created.get(), ctx.now()).toDays();
      return days > maxDays
          ? Outcome.of(List.of(Violation.policy("the image is " + days + " days old (limit " + maxDays + ")", config(ctx.image().get()))))
          : Outcome.pass();
    }
  }

  // ---------------------------------------------------------------- signatures and attestations

  private static final String TRUST_HELP =
      " Without keys or identities the rule judges the signatures as verify's --key or --certificate-identity options (or serve's"
          + " --key) did; with them, it verifies what is stored against its own keys and identities alone.";

  private static Param[] trustParams(Param... first) {
    List<Param> all = new ArrayList<>(List.of(first));
    all.add(new Param("keys", ParamType.KEYS, false, "trusted public keys: PEM files (relative to the policy file) or inline PEM"));
    all.add(new Param("identities", ParamType.IDENTITIES, false,
        "trusted keyless signers: mappings of subject or subjectRegExp and issuer or issuerRegExp (needs trustedRoot)"));
    all.add(new Param("trustedRoot", ParamType.TRUSTED_ROOT, false, "Sigstore trusted root JSON file (relative to the policy file)"));
    all.add(new Param("requireTlog", ParamType.BOOLEAN, false, "key signatures need a verified transparency log entry (default false; keyless always do)"));
    return all.toArray(new Param[0]);
  }

  /** The rule's own trust, when it names keys or identities. */
  @SuppressWarnings("unchecked")
  static Optional<TrustPolicy> ruleTrust(PolicyRule rule) {
    List<TrustPolicy.TrustedKey> keys = rule.parameter("keys", List.of());
    List<CertificateIdentity> identities = rule.parameter("identities", List.of());
    if (keys.isEmpty() && identities.isEmpty()) {
      return Optional.empty();
    }
    TrustedRoot root = rule.parameter("trustedRoot", null);
    return Optional.of(new TrustPolicy(keys, identities, Optional.ofNullable(root), rule.parameter("requireTlog", Boolean.FALSE)));
  }

  /** Every stored signature and attestation judged against {@code trust}. */
  private static List<EvidenceCheck> judge(RuleContext ctx, TrustPolicy trust) {
    List<EvidenceCheck> out = new ArrayList<>();
    for (FoundEvidence f : ctx.evidence().found()) {
      out.addAll(ImageEvidenceVerifier.verify(f, trust).checks());
    }
    return out;
  }

  private static Location manifest(RuleContext ctx) {
    return Location.InImage.part("manifest", ctx.image().get().walk().manifestCheck().digest());
  }

  /** A signature failure: blocking findings of these rules give exit code 4. */
  private static Violation signatureViolation(String message, Location at) {
    return new Violation(message, Optional.of(at), Category.SIGNATURE);
  }

  private static String reasons(List<EvidenceCheck> failed) {
    List<String> r = failed.stream().limit(3).map(c -> c.source() + ": " + c.detail()).toList();
    return failed.isEmpty() ? "" : ": " + String.join("; ", r) + (failed.size() > 3 ? "; and " + (failed.size() - 3) + " more" : "");
  }

  static final class SignatureRequired extends Rule {
    SignatureRequired() {
      super("signature-required", Severity.ERROR, "Signed",
          "The image has at least count signatures by distinct trusted signers that verify: cosign signatures (the sha256-<hex>.sig tag) or "
              + "Sigstore bundles (OCI referrers), whose payload names exactly the image's digest." + TRUST_HELP
              + " A failure is a signature failure (exit code 4).",
          trustParams(new Param("count", ParamType.INTEGER, false, "how many distinct signers must have signed (default 1)")));
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      if (ctx.image().isEmpty()) {
        return Outcome.skip(NEEDS_IMAGE);
      }
      long count = Math.max(1, rule.<Long>parameter("count", 1L));
      Optional<TrustPolicy> own = ruleTrust(rule);
      List<String> signers;
      List<String> failures;
      boolean anyFound;
      if (own.isPresent()) {
        List<EvidenceCheck> checks = judge(ctx, own.get()).stream().filter(c -> c.kind() == FoundEvidence.Kind.SIGNATURE).toList();
        signers = checks.stream().filter(EvidenceCheck::verified).map(c -> c.signer().orElseThrow()).distinct().toList();
        List<EvidenceCheck> failed = checks.stream().filter(c -> !c.verified()).toList();
        failures = List.of(reasons(failed));
        anyFound = !checks.isEmpty();
      } else {
        List<Evidence.Signature> sigs = ctx.evidence().signatures();
        signers = sigs.stream().filter(Evidence.Signature::verified).map(s -> s.identity().orElse(s.detail())).distinct().toList();
        failures = List.of("");
        anyFound = !sigs.isEmpty() || ctx.evidence().found().stream().anyMatch(f -> f.candidates().stream().anyMatch(c -> c.kind() == FoundEvidence.Kind.SIGNATURE));
      }
      if (signers.size() >= count) {
        return Outcome.pass();
      }
      String message;
      if (!anyFound) {
        message = "no signature found";
      } else if (signers.isEmpty()) {
        message = own.isPresent() ? "no signature verified under the rule's keys or identities" + failures.get(0)
            : ctx.evidence().signatures().isEmpty() ? "no signature verified (no trusted key or identity given: --key, --certificate-identity, or the rule's keys)"
            : "no signature verified";
      } else {
        message = signers.size() + " trusted signer" + (signers.size() == 1 ? "" : "s") + " (" + String.join(", ", signers) + "), " + count + " required";
      }
      return Outcome.of(List.of(signatureViolation(message, manifest(ctx))));
    }
  }

  /** The verified attestations of a type, each with its predicate (plain JSON values). */
  private record Attested(String predicateType, Map<String, Object> predicate) {}

  private static List<Attested> attested(RuleContext ctx, Optional<TrustPolicy> own, List<EvidenceCheck> failedOut) {
    List<Attested> out = new ArrayList<>();
    if (own.isPresent()) {
      for (EvidenceCheck c : judge(ctx, own.get())) {
        if (c.kind() != FoundEvidence.Kind.ATTESTATION) {
          continue;
        }
        if (c.verified()) {
          // judged by this rule alone, with its own trust: nothing here is enforced beyond the rule's own verdict
          Evidence.Attestation a = io.jscan.verifier.signatures.SignatureEvidence.attestationOf(c, false);
          out.add(new Attested(a.predicateType(), a.predicate()));
        } else {
          failedOut.add(c);
        }
      }
      return out;
    }
    for (Evidence.Attestation a : ctx.evidence().attestations()) {
      if (a.verified()) {
        out.add(new Attested(a.predicateType(), a.predicate()));
      }
    }
    return out;
  }

  static final class AttestationRequired extends Rule {
    AttestationRequired() {
      super("attestation-required", Severity.ERROR, "Attested",
          "The image has a verified in-toto attestation (cosign's sha256-<hex>.att tag or a Sigstore bundle referrer) of predicateType whose "
              + "statement names the image's digest; with condition, one whose predicate satisfies that CEL expression (variables "
              + "predicate, predicateType, now), e.g. predicate.builder.id == 'https://github.com/actions/runner'." + TRUST_HELP
              + " A failure is a signature failure (exit code 4).",
          trustParams(
              new Param("predicateType", ParamType.PREDICATE_TYPE, true, "the predicate type URI, or slsaprovenance, cyclonedx, spdx, vuln, ..."),
              new Param("condition", ParamType.PREDICATE_CEL, false, "a CEL expression over predicate that one attestation must satisfy")));
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      if (ctx.image().isEmpty()) {
        return Outcome.skip(NEEDS_IMAGE);
      }
      String type = rule.parameter("predicateType", "");
      CelCheck condition = rule.parameter("condition", null);
      List<EvidenceCheck> failed = new ArrayList<>();
      List<Attested> ofType = attested(ctx, ruleTrust(rule), failed).stream().filter(a -> a.predicateType().equals(type)).toList();
      if (ofType.isEmpty()) {
        return Outcome.of(List.of(signatureViolation("no verified " + type + " attestation" + reasons(failed), manifest(ctx))));
      }
      if (condition == null) {
        return Outcome.pass();
      }
      String last = "";
      for (Attested a : ofType) {
        Map<String, Object> vars = new java.util.HashMap<>();
        vars.put("predicate", a.predicate());
        vars.put("predicateType", a.predicateType());
        vars.put("now", ctx.now());
        try {
          if (condition.test(vars)) {
            return Outcome.pass();
          }
          last = condition.hasTemplate() ? condition.message(vars) : "condition is false: " + condition.expression();
        } catch (IllegalStateException e) {
          // an expression that cannot be evaluated on this predicate does not hold (fail closed)
          last = "condition could not be evaluated: " + e.getMessage();
        }
      }
      return Outcome.of(List.of(signatureViolation("no verified " + type + " attestation satisfies the condition (" + last + ")", manifest(ctx))));
    }
  }

  static final class SbomRequired extends Rule {
    SbomRequired() {
      super("sbom-required", Severity.ERROR, "SBOM attested",
          "The image has a verified attestation whose predicate is an SBOM (CycloneDX or SPDX) and whose statement names the image's digest."
              + TRUST_HELP + " An SBOM attached without a signature (an OCI referrer, as jscan build --sbom writes without --sign) does not"
              + " count unless acceptUnsigned is true: anyone who can push to the repository could have attached it; when that is all"
              + " there is, the failure is a policy violation (exit code 3). Otherwise a failure is a signature failure (exit code 4).",
          trustParams(new Param("acceptUnsigned", ParamType.BOOLEAN, false,
              "also accept an unsigned SBOM attached to the image as an OCI artifact (default false)")));
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      if (ctx.image().isEmpty()) {
        return Outcome.skip(NEEDS_IMAGE);
      }
      List<EvidenceCheck> failed = new ArrayList<>();
      boolean ok = attested(ctx, ruleTrust(rule), failed).stream()
          .anyMatch(a -> a.predicateType().startsWith(PredicateTypes.CYCLONEDX) || a.predicateType().startsWith(PredicateTypes.SPDX));
      if (ok) {
        return Outcome.pass();
      }
      Optional<Evidence.Attachment> unsigned =
          ctx.evidence().attachments().stream().filter(a -> SbomDocuments.isSbom(a.predicateType())).findFirst();
      if (unsigned.isPresent() && Boolean.TRUE.equals(rule.parameter("acceptUnsigned", Boolean.FALSE))) {
        return Outcome.pass();
      }
      if (unsigned.isPresent() && failed.isEmpty()) {
        // an unsigned attachment claims no signature, so nothing failed to verify: a policy violation
        // (exit 3), not a signature failure; it still never satisfies the rule (fail closed)
        return Outcome.of(List.of(Violation.policy("no signed SBOM: the SBOM attached as " + unsigned.get().artifact()
            + " is not signed by a trusted key (acceptUnsigned: true accepts it)", manifest(ctx))));
      }
      String message = unsigned.isPresent()
          ? "no signed SBOM: the SBOM attached as " + unsigned.get().artifact() + " is not signed by a trusted key (acceptUnsigned: true accepts it)"
              + reasons(failed)
          : "no SBOM found" + reasons(failed);
      return Outcome.of(List.of(signatureViolation(message, manifest(ctx))));
    }
  }

  static final class NoDeviceNodes extends Rule {
    NoDeviceNodes() {
      super("no-device-nodes", Severity.ERROR, "No device nodes",
          "No character or block device in the merged filesystem (a container runtime provides /dev; devices in a layer are a way in).");
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      if (ctx.image().isEmpty()) {
        return Outcome.skip(NEEDS_IMAGE);
      }
      ImageFacts image = ctx.image().get();
      Optional<String> incomplete = filesIncomplete(image);
      if (incomplete.isPresent()) {
        return Outcome.skip(incomplete.get());
      }
      List<Violation> out = new ArrayList<>();
      for (FileFact f : facts(image, FileFact.Kind.DEVICE, true)) {
        out.add(Violation.policy("device node", at(image, f)));
      }
      return Outcome.of(out);
    }
  }

  static final class NoWorldWritable extends Rule {
    NoWorldWritable() {
      super("no-world-writable", Severity.WARNING, "No world-writable files outside sticky directories",
          "No file or directory of the merged filesystem is writable by everyone, except directories with the sticky bit (like /tmp, "
              + "mode 1777) and files inside them.",
          new Param("allow", ParamType.STRING_LIST, false, "glob patterns of paths that may be world-writable"));
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      if (ctx.image().isEmpty()) {
        return Outcome.skip(NEEDS_IMAGE);
      }
      ImageFacts image = ctx.image().get();
      Optional<String> incomplete = filesIncomplete(image);
      if (incomplete.isPresent()) {
        return Outcome.skip(incomplete.get());
      }
      List<String> allow = rule.parameter("allow", List.of());
      List<Violation> out = new ArrayList<>();
      for (FileFact f : facts(image, FileFact.Kind.WORLD_WRITABLE, true)) {
        if (!anyGlob(allow, f.path())) {
          out.add(Violation.policy("world-writable (mode " + octal(f.mode()) + ") outside a sticky directory", at(image, f)));
        }
      }
      return Outcome.of(out);
    }
  }

  static final class MaxFileSize extends Rule {
    MaxFileSize() {
      super("max-file-size", Severity.WARNING, "File size limit",
          "No file of the merged filesystem is larger than maxBytes.",
          new Param("maxBytes", ParamType.SIZE, true, "largest file allowed, e.g. 100MB"));
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      if (ctx.image().isEmpty()) {
        return Outcome.skip(NEEDS_IMAGE);
      }
      ImageFacts image = ctx.image().get();
      long max = rule.parameter("maxBytes", Long.MAX_VALUE);
      List<Violation> out = new ArrayList<>();
      for (FileFact f : facts(image, FileFact.Kind.LARGE_FILE, true)) {
        if (f.size() > max) {
          out.add(Violation.policy("file of " + f.size() + " bytes exceeds " + max, at(image, f)));
        }
      }
      return Outcome.of(out);
    }
  }

  static final class DockerfileLint extends Rule {
    DockerfileLint() {
      super("dockerfile-lint", Severity.WARNING, "Dockerfile lint",
          "With --dockerfile: the Dockerfile's lint findings (DLxxxx, JSxxxx) at or above threshold count under this rule's mode; "
              + "the others are reported as warnings only. Without this rule, lint findings are reported but never fail verify.",
          new Param("threshold", ParamType.SEVERITY, false, "lowest lint severity that counts (default info)"),
          new Param("ignore", ParamType.STRING_LIST, false, "lint rule ids to leave out"));
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      // the engine turns lint findings into this rule's findings (they keep their own ids)
      return ctx.dockerfile().isEmpty() ? Outcome.skip("needs a Dockerfile (--dockerfile)") : Outcome.pass();
    }
  }

  /**
   * The packages rules judge, or why there are none: the packages of a verified SBOM attestation,
   * else those jscan catalogued from the image's layers during verification.
   */
  private static Optional<Outcome> packagesUnknown(RuleContext ctx) {
    if (ctx.image().isEmpty()) {
      return Optional.of(Outcome.skip(NEEDS_IMAGE));
    }
    Optional<PackageInventory> inventory = ctx.image().get().packages();
    Location at = Location.InImage.part("manifest", ctx.image().get().walk().manifestCheck().digest());
    if (inventory.isEmpty()) {
      // fail closed: a rule over packages that could not see them must not pass
      return Optional.of(Outcome.of(List.of(Violation.policy("packages were not catalogued for this image", at))));
    }
    if (!inventory.get().complete()) {
      String why = inventory.get().warnings().isEmpty() ? "cataloguing was incomplete" : inventory.get().warnings().get(0);
      return Optional.of(Outcome.of(List.of(Violation.policy(why, at))));
    }
    return Optional.empty();
  }

  private static Location packageAt(ImageFacts image, PackageEntry p) {
    if (p.layer().isPresent() && p.layer().getAsInt() <= image.walk().layers().size()) {
      return Location.InImage.layer(p.layer().getAsInt(), image.walk().layers().get(p.layer().getAsInt() - 1).digest());
    }
    return Location.InImage.part("manifest", image.walk().manifestCheck().digest());
  }

  private static String describe(PackageEntry p) {
    return p.name() + p.version().map(v -> " " + v).orElse("") + " (" + p.typeName() + ")";
  }

  static final class ForbiddenPackages extends Rule {
    ForbiddenPackages() {
      super("forbidden-packages", Severity.ERROR, "No forbidden packages",
          "No package of the image matches an entry of packages: name (* wildcards), optionally type (deb, apk, rpm, java-archive "
              + "or maven, python or pypi, npm, go-module or golang) and a versions range read with that ecosystem's version rules "
              + "(\"< 3.0.7\", \">= 2.0-beta9, < 2.15.0\", \"[2.0,2.15.0)\"). The packages come from a verified SBOM attestation, "
              + "else from cataloguing the image during verification; an image that could not be catalogued fails.",
          new Param("packages", ParamType.PACKAGE_LIST, true, "the forbidden packages: {name, type, versions, reason}"));
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      Optional<Outcome> unknown = packagesUnknown(ctx);
      if (unknown.isPresent()) {
        return unknown.get();
      }
      ImageFacts image = ctx.image().orElseThrow();
      PackageInventory inventory = image.packages().orElseThrow();
      List<ForbiddenPackage> forbidden = rule.parameter("packages", List.of());
      List<Violation> out = new ArrayList<>();
      for (PackageEntry p : inventory.packages()) {
        for (ForbiddenPackage f : forbidden) {
          if (f.matcher().matches(p.type(), p.name(), p.version())) {
            out.add(Violation.policy("forbidden package " + describe(p) + " matches \"" + f.display() + "\""
                + f.reason().map(r -> ": " + r).orElse("") + " (" + inventory.source() + " SBOM)", packageAt(image, p)));
            break;
          }
        }
      }
      return Outcome.of(out);
    }
  }

  static final class Licenses extends Rule {
    Licenses() {
      super("licenses", Severity.ERROR, "Package licenses allowed",
          "Every package's license (SPDX expression) can be complied with: with deny, without any denied license; with allow, "
              + "using only allowed licenses (MIT OR GPL-3.0-only passes an allow list of MIT; MIT AND Zlib needs both). Packages "
              + "whose license jscan cannot read as SPDX fail an allow list unless allowUnknown is true. The packages come from a "
              + "verified SBOM attestation, else from cataloguing the image during verification.",
          new Param("allow", ParamType.LICENSE_LIST, false, "SPDX ids that may be used"),
          new Param("deny", ParamType.LICENSE_LIST, false, "SPDX ids that may not be used"),
          new Param("allowUnknown", ParamType.BOOLEAN, false, "let packages without a recognised license pass an allow list (default false)"));
    }

    @Override
    Outcome evaluate(RuleContext ctx, PolicyRule rule) {
      List<String> allow = rule.parameter("allow", List.of());
      List<String> deny = rule.parameter("deny", List.of());
      if (allow.isEmpty() && deny.isEmpty()) {
        return Outcome.skip("neither allow nor deny lists a license");
      }
      Optional<Outcome> unknown = packagesUnknown(ctx);
      if (unknown.isPresent()) {
        return unknown.get();
      }
      boolean allowUnknown = Boolean.TRUE.equals(rule.parameter("allowUnknown", Boolean.FALSE));
      ImageFacts image = ctx.image().orElseThrow();
      List<Violation> out = new ArrayList<>();
      for (PackageEntry p : image.packages().orElseThrow().packages()) {
        List<String> unreadable = new ArrayList<>();
        for (io.jscan.sbom.model.License l : p.licenses()) {
          Optional<LicenseExpression> e = l.spdx().flatMap(BuiltinRules::expression);
          if (e.isEmpty()) {
            unreadable.add(l.declared());
            continue;
          }
          if (!deny.isEmpty() && !e.get().satisfiable(id -> !listed(deny, id))) {
            out.add(Violation.policy("package " + describe(p) + " is licensed " + l.spdx().get() + ", which needs a denied license",
                packageAt(image, p)));
          } else if (!allow.isEmpty() && !e.get().satisfiable(id -> listed(allow, id))) {
            out.add(Violation.policy("package " + describe(p) + " is licensed " + l.spdx().get() + ", which is not in the allow list",
                packageAt(image, p)));
          }
        }
        if (!allow.isEmpty() && !allowUnknown && (p.licenses().isEmpty() || !unreadable.isEmpty())) {
          out.add(Violation.policy("package " + describe(p) + " has " + (p.licenses().isEmpty() ? "no license"
              : "a license that is not an SPDX expression (\"" + unreadable.get(0) + "\")") + ", so the allow list cannot admit it",
              packageAt(image, p)));
        }
      }
      return Outcome.of(out);
    }

    /** Whether {@code id} is in {@code list}; the deprecated {@code X+} also matches {@code X-or-later}. */
    private static boolean listed(List<String> list, String id) {
      if (list.contains(id)) {
        return true;
      }
      return id.endsWith("+") && list.contains(id.substring(0, id.length() - 1) + "-or-later");
    }
  }

  private static Optional<LicenseExpression> expression(String spdx) {
    try {
      return Optional.of(LicenseExpression.parse(spdx));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The rules that judge signatures and attestations. */
  public static final List<String> EVIDENCE_RULES = List.of("signature-required", "attestation-required", "sbom-required");

  /** The built-in rules that judge a fact a verified attestation can supply (see {@link #judgesAttestedFacts}). */
  public static final List<String> ATTESTED_FACT_RULES =
      List.of("base-not-latest", "base-pinned", "allowed-registries", "forbidden-packages", "licenses");

  /**
   * Whether the policies judge signatures, attestations or attached statements: one of {@link
   * #EVIDENCE_RULES}, or a CEL rule that reads {@code signatures}, {@code attestations}, {@code
   * provenance} or {@code sbom} (whose {@code attached} list comes from the evidence). A caller that looks for evidence only then (the admission webhook) spares the
   * registry those requests for every other image.
   */
  public static boolean needsEvidence(PolicySet set) {
    for (PolicySet.Bound b : set.rules()) {
      if (EVIDENCE_RULES.contains(b.rule().id())) {
        return true;
      }
      if (b.rule().cel().isPresent()) {
        CelCheck cel = b.rule().cel().get();
        if (cel.mentions("signatures") || cel.mentions("attestations") || cel.mentions("provenance") || cel.mentions("sbom")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether the policies judge facts that a verified attestation supplies when there is one
   * ({@link io.jscan.verifier.attest.AttestedFacts}): the base image, which signed provenance names
   * and whose every image the build read {@code base-not-latest} and {@code base-pinned} then
   * judge ({@code allowed-registries} and CEL rules reading {@code base} see its final base too),
   * and the packages, which a signed SBOM gives ({@code forbidden-packages}, {@code licenses}).
   * Their verdict depends on the attestations wherever the trust they are judged with can verify
   * one: {@code jscan verify} looks them up whenever it is given a key, so a caller that looks for
   * evidence only when rules need it (the admission webhook) must look for it then too, or the
   * same image passes there and fails in CI. (CEL reading {@code provenance} or {@code sbom} is
   * {@link #needsEvidence} already.)
   */
  public static boolean judgesAttestedFacts(PolicySet set) {
    for (PolicySet.Bound b : set.rules()) {
      if (ATTESTED_FACT_RULES.contains(b.rule().id())) {
        return true;
      }
      if (b.rule().cel().isPresent() && b.rule().cel().get().mentions("base")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the policies need the image's packages: the rules over SBOM content, or a CEL rule
   * that reads {@code sbom}. Verification then catalogues the image in its single read of the
   * layers, unless a verified SBOM attestation gives the packages.
   */
  public static boolean needsPackages(PolicySet set) {
    for (PolicySet.Bound b : set.rules()) {
      String id = b.rule().id();
      if (id.equals("forbidden-packages") || id.equals("licenses")) {
        return true;
      }
      if (b.rule().cel().isPresent() && b.rule().cel().get().mentions("sbom")) {
        return true;
      }
    }
    return false;
  }

  /** The smallest large-file threshold the rules need (so the scan lists every file they judge). */
  public static Optional<Long> largeFileThreshold(PolicySet set) {
    return set.rules().stream().filter(b -> b.rule().id().equals("max-file-size"))
        .map(b -> b.rule().<Long>parameter("maxBytes", Long.MAX_VALUE)).min(Long::compare);
  }
}
