package io.jscan.cli;

import io.jscan.core.text.Printable;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.jscan.builder.BaseImageSource;
import io.jscan.builder.BuildException;
import io.jscan.builder.BuildRequest;
import io.jscan.builder.BuildResult;
import io.jscan.builder.Builder;
import io.jscan.builder.RunOptions;
import io.jscan.builder.SourceDateEpoch;
import io.jscan.builder.check.ReproducibilityCheck;
import io.jscan.builder.provenance.SlsaProvenance;
import io.jscan.core.FailureKind;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.registry.ImageLock;
import io.jscan.core.transport.registry.PinnedImages;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.signing.oci.LayoutSignatureStore;
import io.jscan.signing.oci.RegistrySignatureStore;
import io.jscan.signing.oci.SignatureStore;
import io.jscan.signing.oci.StoreSignatureStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jscan build}: a reproducible image from a Dockerfile, with Docker's flags. */
@Command(
    name = "build",
    description = {
      "Build a reproducible image from a Dockerfile.",
      "",
      "The same Dockerfile, context, build args, base images and SOURCE_DATE_EPOCH give the same manifest digest on any machine,"
          + " JDK, umask, clock, locale, time zone or file order. RUN steps run with runc (or crun) as root; their layers are as"
          + " reproducible as their commands (file times are clamped to SOURCE_DATE_EPOCH).",
      "",
      "SOURCE_DATE_EPOCH: --build-arg SOURCE_DATE_EPOCH=N, else the environment variable, else the time of"
          + " the last commit of the git work tree the context is in (uncommitted changes do not move it),"
          + " else 0 (1970-01-01). The build log says which.",
      "",
      "The manifest digest is printed on standard output; progress goes to standard error."
    })
final class BuildCommand implements Callable<Integer>, Jscan.EnvironmentAware, UsageCheck.Foreign {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "CONTEXT", description = "The build context directory.")
  Path context;

  @Option(names = {"-f", "--file"}, paramLabel = "DOCKERFILE", description = "The Dockerfile (default: CONTEXT/Dockerfile).")
  Path file;

  @Option(names = {"-t", "--tag"}, paramLabel = "NAME:TAG", description = "Name the image in the store (repeatable).")
  List<String> tags = new ArrayList<>();

  @Option(names = "--build-arg", paramLabel = "KEY=VALUE",
      description = "A build argument (repeatable); KEY alone takes the value of the environment variable KEY.")
  List<String> buildArgs = new ArrayList<>();

  @Option(names = "--target", paramLabel = "STAGE", description = "Build this stage (and only the stages it needs).")
  String target;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
      description = "The platform to build for (default: linux/amd64 on this machine's architecture).")
  String platform;

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Add a label to the image (repeatable).")
  List<String> labels = new ArrayList<>();

  @Option(names = {"-o", "--output"}, paramLabel = "TARGET",
      description = "Where the image goes: oci:DIR[:REF], docker-archive:FILE[:NAME:TAG]; default the local store.")
  String output;

  @Option(names = "--metadata-file", paramLabel = "FILE",
      description = "Write the build's result as JSON (containerimage.digest, containerimage.config.digest, ...).")
  Path metadataFile;

  @Option(names = {"-q", "--quiet"}, description = "Print only the manifest digest; no progress.")
  boolean quiet;

  @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
      description = "Progress on standard error: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). Build steps are always"
          + " plain lines as BuildKit's plain progress prints them; tty draws bars for base image pulls; quiet is -q.")
  Progress.Mode progress;

  @Option(names = "--iidfile", paramLabel = "FILE",
      description = "Write the image's id, its manifest digest (the digest printed and listed by 'jscan images'), to FILE.")
  Path iidFile;

  @Option(names = "--network", paramLabel = "default|host",
      description = "The network of RUN steps without RUN --network: jscan always gives them the host's network namespace,"
          + " so default and host are accepted; RUN --network=none in the Dockerfile gives a step no network.")
  String network;

  @Option(names = "--no-cache", description = "Build every layer again; read and write no layer cache.")
  boolean noCache;

  @Option(names = "--check-reproducible",
      description = "Build twice from fresh copies of the context and compare; name the first layer and file that differ.")
  boolean checkReproducible;

  @Option(names = "--compression", paramLabel = "gzip|zstd|none", defaultValue = "gzip",
      description = "Layer compression (default gzip; zstd needs a recent runtime).")
  String compression;

  @Option(names = "--runtime", paramLabel = "runc|crun|PATH",
      description = "The OCI runtime for RUN steps (default: runc when installed, else crun).")
  String runtime;

  @Option(names = "--secret", paramLabel = "id=ID[,src=FILE|,env=VAR]",
      description = "A secret for RUN --mount=type=secret (repeatable); never stored in a layer or the cache."
          + " Without src or env, the environment variable ID.")
  List<String> secrets = new ArrayList<>();

  @Option(names = "--push", description = {"Push the image to the registry of each -t name after building it, with what is attached to it"
      + " where it was written (SBOM, provenance, signatures), as jscan push does."})
  boolean push;

  @picocli.CommandLine.Mixin CarriedAttachments carried;

  @Option(names = "--pull", paramLabel = "missing|always|never", defaultValue = "missing", arity = "0..1",
      parameterConsumer = PullValue.class,
      description = {"When base images are fetched from their registry: missing (default: only when the local store lacks"
          + " the pinned digest), always (resolve the tag again and re-pin it), never (the local store must have it)."
          + " --pull alone means always, as docker build's --pull does."})
  String pull;

  /**
   * docker build's {@code --pull} is a boolean, jscan's takes missing|always|never: the next word
   * is --pull's value only when it is one of those (or docker's true and false), so {@code --pull
   * .} is always-pull with context {@code .}, as in docker, and {@code --pull never} still works.
   */
  static final class PullValue implements picocli.CommandLine.IParameterConsumer {
    @Override
    public void consumeParameters(java.util.Stack<String> args, picocli.CommandLine.Model.ArgSpec argSpec,
        picocli.CommandLine.Model.CommandSpec commandSpec) {
      boolean given = !args.isEmpty() && DockerBuildFlags.PULL_VALUES.containsKey(args.peek().toLowerCase(Locale.ROOT));
      argSpec.setValue(given ? args.pop() : "always");
    }
  }

  @Option(names = "--locked",
      description = "Build only with the base images pinned in jscan.lock beside the Dockerfile; fail if it is missing or would change.")
  boolean locked;

  @Option(names = "--sbom", arity = "0..1", paramLabel = "true|false",
      description = {"Make an SBOM of the image (CycloneDX and SPDX) and attach it beside the image: with --sign as signed"
          + " attestations (sha256-<hex>.att, or bundle referrers), else as unsigned OCI artifacts referring to it."})
  boolean sbom;

  @Option(names = "--provenance", arity = "0..1", paramLabel = "true|false",
      description = {"Make SLSA v1 provenance of the build and attach it beside the image: with --sign as a signed attestation,"
          + " else as an unsigned OCI artifact referring to it."})
  boolean provenance;

  @Option(names = "--sbom-dir", paramLabel = "DIR",
      description = {"Also write the SBOM (sbom.cdx.json, sbom.spdx.json) and provenance (provenance.intoto.json) into DIR;"
          + " implies --sbom."})
  Path sbomDir;

  @picocli.CommandLine.Mixin RegistryMixin registry;

  @Option(names = "--sign", description = {"Sign the image where it was written (store, oci: layout, and each --push repository),"
      + " and attest its --sbom and --provenance there; needs --key or --keyless."})
  boolean sign;

  @picocli.CommandLine.Mixin KeylessMixin signing;

  private Map<String, String> environment = System.getenv();
  /** What the log says about SOURCE_DATE_EPOCH when nobody set it (its git commit, or 0 and why). */
  private Optional<String> epochMessage = Optional.empty();

  @Override
  public void environment(Map<String, String> env) {
    this.environment = env;
  }

  @Override
  public Integer call() throws Exception {
    if (network != null) {
      // only the values jscan's RUN steps already have pass (Jscan.run answers the others before parsing)
      Optional<String> unsupported = DockerBuildFlags.INSTANCE.problem("--network", Optional.of(network));
      if (unsupported.isPresent()) {
        throw new BuildException(FailureKind.BAD_INPUT, "not supported", unsupported.get().substring("not supported: ".length()));
      }
    }
    BuildRequest request = request();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean silent = quiet || progress == Progress.Mode.quiet;
    Consumer<String> log = silent ? line -> {} : line -> {
      // a log line may hold a base image's ONBUILD trigger or a RUN step's output: escaped, so
      // nothing the base image holds acts on the terminal
      err.println(Printable.escape(line));
      err.flush();
    };
    epochMessage.ifPresent(log);
    PinnedImages.PullPolicy pullPolicy = PinnedImages.PullPolicy.parse(DockerBuildFlags.PULL_VALUES.getOrDefault(pull.toLowerCase(Locale.ROOT), pull));
    if (push && request.tags().isEmpty()) {
      throw BuildException.badInput("--push", "name the image with -t (the registry to push to comes from the name)");
    }
    if (sign != signing.given()) {
      throw BuildException.badInput("--sign", sign ? "give --key or --keyless to sign with" : "--key and --keyless need --sign");
    }
    io.jscan.signing.oci.SigningMethod signingMethod = null;
    if (sign) {
      BuildSigning.checkPossible(request, push);
      // the key is read (and its password asked) before the build, not after minutes of it
      signingMethod = signing.method(environment, "build --sign");
    }
    RegistryClient client = registry.client(environment, new Progress(err, silent ? Progress.Mode.quiet : progress));
    Path lockFile = request.dockerfile().toAbsolutePath().normalize().getParent().resolve(ImageLock.FILE_NAME);
    boolean makeSbom = sbom || sbomDir != null;
    if ((makeSbom || provenance) && sbomDir == null && request.output().orElse(null) instanceof ImageReference.DockerArchiveReference) {
      throw BuildException.badInput("--sbom/--provenance", "a docker-archive cannot hold attachments; add --sbom-dir DIR for the files");
    }
    java.time.Instant startedOn = java.time.Instant.now();
    try (LocalStore store = StoreAccess.openStore()) {
      // each registry operation of a build (a base image's pull, a push) has the whole-operation
      // timeout from its own start: the RUN steps between them are not the registry's time
      java.util.function.Supplier<io.jscan.core.Deadline> perOperation = () -> {
        try {
          return TimeoutMixin.start(null, environment);
        } catch (io.jscan.core.oci.OciException e) {
          throw new IllegalStateException(e); // checked before the build began
        }
      };
      TimeoutMixin.start(null, environment); // a malformed $JSCAN_TIMEOUT fails now, before anything is built
      PinnedImages pinned = PinnedImages.open(lockFile, store, client, perOperation, pullPolicy, locked);
      // a docker:// base is streamed while the build reads it: from the build's start
      BaseImageSource images = BaseImageSource.pinned(pinned, new Transports(store, client.withDeadline(perOperation.get())));
      BuildResult result;
      if (checkReproducible) {
        ReproducibilityCheck.Outcome outcome = ReproducibilityCheck.run(request, store, images, log);
        if (!outcome.reproducible()) {
          throw new BuildException(FailureKind.INTEGRITY, "not reproducible",
              "two builds gave " + outcome.result().manifestDigest() + " and " + outcome.secondDigest() + "; "
                  + outcome.difference().get());
        }
        log.accept("reproducible: both builds gave " + outcome.result().manifestDigest());
        result = outcome.result();
      } else {
        result = new Builder(store, images, log).build(request);
      }
      // only a build that succeeded pins its bases
      if (pinned.changed() && !locked) {
        pinned.save();
        log.accept("pinned base images in " + lockFile);
      }
      List<BuildAttachments.Attachment> attachments = new ArrayList<>();
      if (provenance) {
        SlsaProvenance.Run run = new SlsaProvenance.Run(environment.getOrDefault(BUILDER_ID_ENV, SlsaProvenance.DEFAULT_BUILDER_ID),
            Jscan.Version.version(), java.util.UUID.randomUUID().toString(), startedOn, java.time.Instant.now());
        attachments.add(BuildAttachments.provenance(request, result, run));
      }
      if (makeSbom) {
        attachments.addAll(0, BuildAttachments.sbom(request, result, Jscan.Version.version(), log));
      }
      if (sbomDir != null) {
        BuildAttachments.writeFiles(sbomDir, attachments, log);
      }
      // with --sign the statements are stored signed (below) and not also as unsigned referrers: a
      // second, unsigned copy could never decide a rule and would only make two of everything
      List<BuildAttachments.Attachment> unsigned = sign ? List.of() : attachments;
      Optional<io.jscan.core.image.Referrers> sink = sinkReferrers(request, store);
      if (sink.isPresent()) {
        BuildAttachments.attach(sink.get(), result.image().descriptor(), unsigned,
            request.output().map(Object::toString).orElse("the local store"), log);
      }
      if (push) {
        Set<String> carriedTo = new HashSet<>();
        for (ImageName tag : request.tags()) {
          RegistryClient pushing = client.withDeadline(perOperation.get());
          io.jscan.core.oci.Descriptor pushed = pushing.push(result.image(), tag, store.diffIdRecords());
          log.accept("pushed " + tag + "@" + pushed.digest());
          Optional<SignatureStore> written = carried.skip ? Optional.empty() : sinkSignatures(request, store, tag);
          if (written.isPresent()) {
            // as jscan push: what is attached where the image was written goes with it (this build's
            // unsigned SBOM and provenance, and what an earlier build of the same digest had), once per repository
            if (carriedTo.add(tag.repository())) {
              CarriedAttachments.carry(written.get(), new RegistrySignatureStore(pushing, tag), result.image(),
                  "build --push " + tag, "pushed", log);
            }
          } else {
            BuildAttachments.attach(pushing.referrers(tag), result.image().descriptor(), unsigned, tag.repository(), log);
          }
        }
      }
      if (sign) {
        BuildSigning signer = new BuildSigning(
            BuildSigning.destinations(request, store, client.withDeadline(perOperation.get()), push), signingMethod, signing.format());
        for (io.jscan.signing.oci.Stored s : signer.sign(result.image().descriptor())) {
          log.accept("signed " + result.manifestDigest() + ": " + s.location());
        }
        for (BuildAttachments.Attachment a : attachments) {
          for (io.jscan.signing.oci.Stored s : signer.attest(result.image().descriptor(), a.statement())) {
            log.accept("attested " + a.predicateType() + " for " + result.manifestDigest() + ": " + s.location());
          }
        }
      }
      if (metadataFile != null) {
        writeMetadata(result, request);
      }
      if (iidFile != null) {
        // as docker build writes it: the id alone, no newline
        Path target = iidFile.toAbsolutePath();
        AtomicFiles.write(target, result.manifestDigest().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), target.getParent());
      }
      out.println(result.manifestDigest());
      out.flush();
    }
    return ExitCode.OK.code();
  }

  @Override
  public Optional<Boolean> takesValue(String name) {
    return DockerBuildFlags.INSTANCE.takesValue(name);
  }

  @Override
  public Optional<String> problem(String name, Optional<String> value) {
    return DockerBuildFlags.INSTANCE.problem(name, value);
  }

  /** Names the build platform in provenance's {@code builder.id} (a CI system sets it to its own URI). */
  static final String BUILDER_ID_ENV = "JSCAN_BUILDER_ID";

  /** Where the image went, as a place for attachments: the store, or the oci: layout; a docker-archive has none. */
  private static Optional<io.jscan.core.image.Referrers> sinkReferrers(BuildRequest request, LocalStore store) throws OciException {
    if (request.output().isEmpty() || request.output().get() instanceof StoreReference) {
      return Optional.of(store.referrers());
    }
    if (request.output().get() instanceof ImageReference.OciLayoutReference oci) {
      return Optional.of(OciLayout.open(oci.directory()).referrers());
    }
    return Optional.empty();
  }

  /** Where the image went, as a place for signatures and attachments to carry from: the store under {@code tag}'s repository, or the oci: layout. */
  private static Optional<SignatureStore> sinkSignatures(BuildRequest request, LocalStore store, ImageName tag) throws OciException {
    if (request.output().isEmpty() || request.output().get() instanceof StoreReference) {
      return Optional.of(new StoreSignatureStore(store, tag));
    }
    if (request.output().get() instanceof ImageReference.OciLayoutReference oci) {
      return Optional.of(new LayoutSignatureStore(OciLayout.open(oci.directory()), tag.repository()));
    }
    return Optional.empty();
  }

  private BuildRequest request() throws OciException, BuildException {
    Path dockerfile = file != null ? file : context.resolve("Dockerfile");
    String dockerfileName = dockerfile.toString();
    List<ImageName> names = new ArrayList<>();
    for (String t : tags) {
      names.add(StoreAccess.targetName(t));
    }
    Map<String, String> args = new LinkedHashMap<>();
    for (String a : buildArgs) {
      int eq = a.indexOf('=');
      if (eq == 0) {
        throw BuildException.badInput("--build-arg " + a, "expected KEY=VALUE");
      }
      if (eq < 0) {
        String value = environment.get(a);
        if (value != null) {
          args.put(a, value); // docker: KEY alone takes the environment's value, or is left unset
        }
      } else {
        args.put(a.substring(0, eq), a.substring(eq + 1));
      }
    }
    SourceDateEpoch.Resolution resolved = SourceDateEpoch.resolve(args, environment, context);
    epochMessage = resolved.message();
    SourceDateEpoch epoch = resolved.epoch();
    if (epoch.source().equals(SourceDateEpoch.ENVIRONMENT) || epoch.source().equals(SourceDateEpoch.GIT)) {
      // as buildx does with the environment's: visible to ARG SOURCE_DATE_EPOCH (a RUN can pass it on)
      args.put(SourceDateEpoch.NAME, Long.toString(epoch.seconds()));
    }
    Map<String, String> labelMap = new LinkedHashMap<>();
    for (String l : labels) {
      int eq = l.indexOf('=');
      if (eq <= 0) {
        throw BuildException.badInput("--label " + l, "expected KEY=VALUE");
      }
      labelMap.put(l.substring(0, eq), l.substring(eq + 1));
    }
    Platform target;
    try {
      target = platform == null ? Platform.host() : Platform.parse(platform);
    } catch (IllegalArgumentException e) {
      throw BuildException.badInput("--platform " + platform, e.getMessage());
    }
    Optional<ImageReference> destination = Optional.empty();
    if (output != null) {
      ImageReference ref = ImageReference.parse(output);
      if (ref instanceof StoreReference) {
        throw BuildException.badInput("--output " + output,
            "expected oci:DIR[:REF] or docker-archive:FILE[:NAME:TAG] (name store images with -t)");
      }
      destination = Optional.of(ref);
    }
    Compression c = switch (compression.toLowerCase(Locale.ROOT)) {
      case "gzip" -> Compression.GZIP;
      case "zstd" -> Compression.ZSTD;
      case "none", "uncompressed" -> Compression.NONE;
      default -> throw BuildException.badInput("--compression " + compression, "expected gzip, zstd or none");
    };
    return new BuildRequest(context, dockerfile, dockerfileName, names, args, Optional.ofNullable(this.target), target, labelMap,
        destination, noCache, epoch, c).withRun(runOptions());
  }

  /** {@code --runtime} and {@code --secret}, as buildx reads them: id=, src= (or source=), env=, type=file|env. */
  private RunOptions runOptions() throws BuildException {
    Map<String, RunOptions.Secret> parsed = new LinkedHashMap<>();
    for (String spec : secrets) {
      Map<String, String> fields = new LinkedHashMap<>();
      for (String field : spec.split(",")) {
        int eq = field.indexOf('=');
        if (eq <= 0) {
          throw BuildException.badInput("--secret " + spec, "expected id=ID[,src=FILE|,env=VAR]");
        }
        String key = field.substring(0, eq).strip().toLowerCase(Locale.ROOT);
        fields.put(key.equals("source") ? "src" : key, field.substring(eq + 1));
      }
      String id = fields.get("id");
      if (id == null || id.isEmpty()) {
        throw BuildException.badInput("--secret " + spec, "no id=");
      }
      for (String key : fields.keySet()) {
        if (!List.of("id", "src", "env", "type").contains(key)) {
          throw BuildException.badInput("--secret " + spec, "unexpected key " + key);
        }
      }
      String type = fields.getOrDefault("type", fields.containsKey("env") ? "env" : "file");
      if (type.equals("file") && fields.containsKey("src")) {
        parsed.put(id, new RunOptions.FileSecret(id, Path.of(fields.get("src"))));
      } else if (type.equals("env") || type.equals("file") && !fields.containsKey("src")) {
        String variable = fields.getOrDefault("env", fields.getOrDefault("src", id));
        String value = environment.get(variable);
        if (value == null) {
          throw BuildException.badInput("--secret " + spec, "the environment variable " + variable + " is not set");
        }
        parsed.put(id, new RunOptions.ValueSecret(id, variable, value));
      } else {
        throw BuildException.badInput("--secret " + spec, "type must be file or env");
      }
    }
    return RunOptions.defaults().withRuntime(Optional.ofNullable(runtime)).withSecrets(parsed);
  }

  /** buildx's metadata file: containerimage.digest and friends; written to a temp file and renamed. */
  private void writeMetadata(BuildResult result, BuildRequest request) throws IOException, OciException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator g = new JsonFactory().createGenerator(bytes).useDefaultPrettyPrinter()) {
      g.writeStartObject();
      g.writeStringField("containerimage.digest", result.manifestDigest().toString());
      g.writeStringField("containerimage.config.digest", result.configDigest().toString());
      g.writeObjectFieldStart("containerimage.descriptor");
      g.writeStringField("mediaType", result.image().descriptor().mediaType());
      g.writeStringField("digest", result.manifestDigest().toString());
      g.writeNumberField("size", result.image().descriptor().size());
      g.writeEndObject();
      if (!request.tags().isEmpty()) {
        g.writeStringField("image.name", String.join(",", request.tags().stream().map(ImageName::toString).toList()));
      }
      g.writeStringField("jscan.dockerfile.digest", result.dockerfileDigest().toString());
      g.writeStringField("jscan.context.digest", result.contextDigest().toString());
      g.writeNumberField("jscan.source-date-epoch", result.sourceDateEpoch().seconds());
      g.writeStringField("jscan.source-date-epoch.source", result.sourceDateEpoch().source());
      if (result.sourceDateEpoch().gitCommit().isPresent()) {
        g.writeStringField("jscan.source-date-epoch.git-commit", result.sourceDateEpoch().gitCommit().get());
      }
      g.writeArrayFieldStart("jscan.base-images");
      for (BuildResult.ResolvedImage b : result.baseImages()) {
        g.writeStartObject();
        g.writeStringField("reference", b.reference());
        g.writeStringField("digest", b.digest().toString());
        g.writeStringField("stage", b.stage());
        g.writeStringField("use", b.use());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    bytes.write('\n');
    Path target = metadataFile.toAbsolutePath();
    AtomicFiles.write(target, bytes.toByteArray(), target.getParent());
  }
}
