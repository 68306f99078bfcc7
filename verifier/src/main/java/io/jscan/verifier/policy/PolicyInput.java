package io.jscan.verifier.policy;

import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.ImageConfig.ContainerConfig;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.json.Rfc3339;
import io.jscan.verifier.BaseImage;
import io.jscan.verifier.Evidence;
import io.jscan.verifier.Finding;
import io.jscan.verifier.ImageFacts;
import io.jscan.verifier.LayerReport;
import io.jscan.verifier.Location;
import io.jscan.verifier.attest.ProvenanceFacts;
import io.jscan.verifier.files.FileFact;
import io.jscan.verifier.sbom.PackageEntry;
import io.jscan.verifier.sbom.SbomDocuments;
import io.jscan.verifier.files.MergedFilesystemCheck;
import io.jscan.verifier.lint.DockerfileFacts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the policy input document: the plain-JSON view of an image and/or Dockerfile that CEL
 * rules read (one variable per top-level key) and {@code --output json} shows under
 * {@code images[].input}. Its shape is documented in {@code policies/README.md} and is stable:
 * keys are only ever added. Numbers are 64-bit integers (CEL {@code int}); absent optional values
 * are left out (test them with {@code has()}); sections about what was not given (no Dockerfile,
 * no image) are empty maps or lists.
 */
public final class PolicyInput {
  /** Written as {@code apiVersion}: bumped only for incompatible changes, which are avoided. */
  public static final String VERSION = "jscan.io/policy-input/v1";

  private PolicyInput() {}

  public static Map<String, Object> document(
      Optional<ImageFacts> image, Optional<DockerfileFacts> dockerfile, List<Finding> lint, Evidence evidence, Instant now, int maxListed) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("apiVersion", VERSION);
    Map<String, Object> labels = new LinkedHashMap<>();
    if (image.isPresent()) {
      ImageFacts i = image.get();
      doc.put("image", image(i, now));
      Optional<ImageConfig> c = i.walk().config();
      doc.put("config", c.map(PolicyInput::config).orElse(Map.of()));
      c.ifPresent(cfg -> labels.putAll(cfg.config().labels()));
      doc.put("layers", layers(i.walk().layers()));
      doc.put("files", files(i, maxListed));
    } else {
      doc.put("image", Map.of());
      doc.put("config", Map.of());
      doc.put("layers", List.of());
      doc.put("files", Map.of());
      dockerfile.ifPresent(d -> labels.putAll(d.labels()));
    }
    doc.put("labels", labels);
    Optional<BaseImage> base = image.flatMap(ImageFacts::base).or(() -> dockerfile.flatMap(DockerfileFacts::base));
    doc.put("base", base.map(PolicyInput::base).orElse(Map.of()));
    doc.put("dockerfile", dockerfile.map(d -> dockerfile(d, lint)).orElse(Map.of()));
    doc.put("signatures", signatures(evidence));
    doc.put("attestations", attestations(evidence));
    doc.put("sbom", image.isPresent() ? sbom(image.get(), evidence) : Map.of());
    doc.put("provenance", image.isPresent() ? ProvenanceFacts.shown(evidence).map(PolicyInput::provenance).orElse(Map.of()) : Map.of());
    return doc;
  }

  /**
   * {@code sbom}: the packages rules judge (from a verified SBOM attestation, else catalogued from
   * the image during verification, when some rule needs them) and the SBOM documents found with
   * the image, signed or not; {@code {}} when there is neither.
   */
  private static Map<String, Object> sbom(ImageFacts image, Evidence evidence) {
    Map<String, Object> m = new LinkedHashMap<>();
    image.packages().ifPresent(inv -> {
      m.put("source", inv.source());
      m.put("format", inv.format());
      m.put("complete", inv.complete());
      m.put("packageCount", (long) inv.packages().size());
      List<Object> packages = new ArrayList<>();
      for (PackageEntry p : inv.packages()) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", p.name());
        p.version().ifPresent(v -> e.put("version", v));
        e.put("type", p.typeName());
        p.purl().ifPresent(u -> e.put("purl", u));
        List<Object> spdx = new ArrayList<>();
        List<Object> unknown = new ArrayList<>();
        p.licenses().forEach(l -> {
          if (l.spdx().isPresent()) {
            spdx.add(l.spdx().get());
          } else {
            unknown.add(l.declared());
          }
        });
        e.put("licenses", spdx);
        e.put("unknownLicenses", unknown);
        p.layer().ifPresent(l -> e.put("layer", (long) l));
        packages.add(e);
      }
      m.put("packages", packages);
      m.put("warnings", List.copyOf(inv.warnings()));
    });
    List<Object> attached = new ArrayList<>();
    for (Evidence.Attestation a : evidence.attestations()) {
      if (SbomDocuments.isSbom(a.predicateType())) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("predicateType", a.predicateType());
        e.put("source", "attestation");
        e.put("verified", a.verified());
        attached.add(e);
      }
    }
    for (Evidence.Attachment a : evidence.attachments()) {
      if (SbomDocuments.isSbom(a.predicateType())) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("predicateType", a.predicateType());
        e.put("source", "artifact");
        e.put("verified", false);
        e.put("artifact", a.artifact().toString());
        attached.add(e);
      }
    }
    if (m.isEmpty() && attached.isEmpty()) {
      return Map.of();
    }
    m.put("attached", attached);
    return m;
  }

  /** {@code provenance}: what SLSA provenance says, signed ({@code verified: true}) or merely attached. */
  private static Map<String, Object> provenance(ProvenanceFacts p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("source", p.source());
    m.put("verified", p.verified());
    m.put("predicateType", p.predicateType());
    p.buildType().ifPresent(t -> m.put("buildType", t));
    Map<String, Object> builder = new LinkedHashMap<>();
    p.builderId().ifPresent(id -> builder.put("id", id));
    builder.put("version", p.builderVersion());
    m.put("builder", builder);
    p.invocationId().ifPresent(v -> m.put("invocationId", v));
    p.startedOn().ifPresent(v -> m.put("startedOn", v));
    p.finishedOn().ifPresent(v -> m.put("finishedOn", v));
    m.put("parameters", p.parameters());
    List<Object> images = new ArrayList<>();
    for (BaseImage b : p.baseImages()) {
      Map<String, Object> e = base(b);
      e.put("final", p.finalBase().map(b::equals).orElse(false));
      images.add(e);
    }
    m.put("baseImages", images);
    m.put("dependencies", p.dependencies());
    return m;
  }

  private static Map<String, Object> image(ImageFacts i, Instant now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("reference", i.reference());
    i.name().ifPresent(n -> m.put("name", n.toString()));
    m.put("digest", i.walk().manifestCheck().digest().toString());
    m.put("mediaType", i.walk().manifestCheck().mediaType());
    i.walk().config().ifPresent(c -> {
      Map<String, Object> platform = new LinkedHashMap<>();
      platform.put("os", c.os());
      platform.put("architecture", c.architecture());
      c.variant().ifPresent(v -> platform.put("variant", v));
      m.put("platform", platform);
      c.created().ifPresent(t -> {
        m.put("created", Rfc3339.format(t));
        if (!t.equals(Instant.EPOCH)) {
          // the epoch is what builds without SOURCE_DATE_EPOCH write: the age is unknown (image-age skips it too)
          m.put("ageDays", Duration.between(t, now).toDays());
        }
      });
      c.author().ifPresent(a -> m.put("author", a));
    });
    List<LayerReport> layers = i.walk().layers();
    m.put("size", layers.stream().mapToLong(LayerReport::size).sum());
    if (layers.stream().allMatch(l -> l.uncompressedSize().isPresent())) {
      m.put("uncompressedSize", layers.stream().mapToLong(l -> l.uncompressedSize().getAsLong()).sum());
    }
    m.put("layerCount", (long) layers.size());
    Map<String, Object> integrity = new LinkedHashMap<>();
    integrity.put("passed", !i.walk().failed());
    integrity.put("failures", i.walk().findings().stream().filter(Finding::blocking).count());
    integrity.put("warnings", i.walk().findings().stream().filter(f -> !f.blocking()).count());
    m.put("integrity", integrity);
    return m;
  }

  private static Map<String, Object> config(ImageConfig c) {
    ContainerConfig cc = c.config();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("user", cc.user().orElse(""));
    m.put("env", cc.env());
    m.put("entrypoint", cc.entrypoint().orElse(List.of()));
    m.put("cmd", cc.cmd().orElse(List.of()));
    m.put("workingDir", cc.workingDir().orElse(""));
    m.put("exposedPorts", List.copyOf(cc.exposedPorts()));
    m.put("volumes", List.copyOf(cc.volumes()));
    m.put("labels", cc.labels());
    cc.stopSignal().ifPresent(s -> m.put("stopSignal", s));
    cc.healthcheck().ifPresent(h -> {
      Map<String, Object> hc = new LinkedHashMap<>();
      hc.put("test", h.test());
      h.intervalNanos().ifPresent(v -> hc.put("intervalNanos", v));
      h.timeoutNanos().ifPresent(v -> hc.put("timeoutNanos", v));
      h.startPeriodNanos().ifPresent(v -> hc.put("startPeriodNanos", v));
      h.retries().ifPresent(v -> hc.put("retries", (long) v));
      m.put("healthcheck", hc);
    });
    m.put("onBuild", cc.onBuild());
    List<Object> history = new ArrayList<>();
    for (History h : c.history()) {
      Map<String, Object> e = new LinkedHashMap<>();
      h.created().ifPresent(t -> e.put("created", Rfc3339.format(t)));
      h.createdBy().ifPresent(s -> e.put("createdBy", s));
      h.comment().ifPresent(s -> e.put("comment", s));
      e.put("emptyLayer", h.emptyLayer());
      history.add(e);
    }
    m.put("history", history);
    return m;
  }

  private static List<Object> layers(List<LayerReport> layers) {
    List<Object> out = new ArrayList<>();
    for (LayerReport l : layers) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("position", (long) l.position());
      m.put("digest", l.digest().toString());
      m.put("mediaType", l.mediaType());
      m.put("size", l.size());
      l.diffId().ifPresent(d -> m.put("diffId", d.toString()));
      l.uncompressedSize().ifPresent(s -> m.put("uncompressedSize", s));
      m.put("entries", l.entries());
      l.createdBy().ifPresent(s -> m.put("createdBy", s));
      m.put("verified", l.verified());
      out.add(m);
    }
    return out;
  }

  private static Map<String, Object> files(ImageFacts i, int maxListed) {
    Map<String, Object> m = new LinkedHashMap<>();
    Optional<MergedFilesystemCheck.Result> merged = i.walk().files();
    m.put("complete", merged.isPresent());
    merged.ifPresent(r -> {
      m.put("files", r.counts().files());
      m.put("directories", r.counts().directories());
      m.put("symlinks", r.counts().symlinks());
      m.put("hardLinks", r.counts().hardLinks());
      m.put("devices", r.counts().devices());
    });
    boolean truncated = false;
    truncated |= list(m, "setuid", i.facts(), FileFact.Kind.SETUID, maxListed);
    truncated |= list(m, "setgid", i.facts(), FileFact.Kind.SETGID, maxListed);
    truncated |= list(m, "deviceNodes", i.facts(), FileFact.Kind.DEVICE, maxListed);
    truncated |= list(m, "worldWritable", i.facts(), FileFact.Kind.WORLD_WRITABLE, maxListed);
    truncated |= list(m, "largeFiles", i.facts(), FileFact.Kind.LARGE_FILE, maxListed);
    truncated |= list(m, "secrets", i.facts(), FileFact.Kind.SECRET, maxListed);
    m.put("truncated", truncated);
    return m;
  }

  private static boolean list(Map<String, Object> m, String key, List<FileFact> facts, FileFact.Kind kind, int max) {
    List<Object> out = new ArrayList<>();
    long count = 0;
    for (FileFact f : facts) {
      if (f.kind() != kind) {
        continue;
      }
      count++;
      if (out.size() >= max) {
        continue;
      }
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("path", f.path());
      e.put("layer", (long) f.layer());
      e.put("visible", f.visible());
      if (kind == FileFact.Kind.SECRET) {
        var s = f.secret().orElseThrow();
        e.put("type", s.type().id());
        e.put("description", s.detail());
        e.put("line", (long) s.line());
        e.put("fingerprint", s.fingerprint());
        f.packaged().ifPresent(p -> {
          Map<String, Object> owner = new LinkedHashMap<>();
          owner.put("manager", p.manager());
          owner.put("name", p.name());
          p.version().ifPresent(v -> owner.put("version", v));
          owner.put("database", p.database());
          owner.put("algorithm", p.algorithm());
          e.put("package", owner);
        });
      } else {
        e.put("mode", (long) f.mode());
        e.put("modeOctal", BuiltinRules.octal(f.mode()));
        e.put("size", f.size());
      }
      out.add(e);
    }
    m.put(key, out);
    return count > out.size();
  }

  private static Map<String, Object> base(BaseImage b) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("reference", b.reference());
    m.put("repository", b.repository());
    b.tag().ifPresent(t -> m.put("tag", t));
    b.digest().ifPresent(d -> m.put("digest", d.toString()));
    b.resolvedDigest().ifPresent(d -> m.put("resolvedDigest", d.toString()));
    m.put("source", b.source());
    m.put("pinned", b.pinned());
    m.put("latest", b.floatsOnLatest());
    return m;
  }

  private static Map<String, Object> dockerfile(DockerfileFacts d, List<Finding> lint) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("file", d.file());
    m.put("stages", (long) d.stages());
    m.put("scratch", d.scratch());
    d.base().ifPresent(b -> m.put("base", base(b)));
    d.maintainer().ifPresent(s -> m.put("maintainer", s));
    m.put("labels", d.labels());
    d.user().ifPresent(u -> m.put("user", u));
    d.healthcheck().ifPresent(h -> m.put("healthcheck", h));
    List<Object> findings = new ArrayList<>();
    for (Finding f : lint) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("rule", f.rule());
      e.put("severity", f.severity().label());
      f.location().ifPresent(l -> {
        if (l instanceof Location.InDockerfile in) {
          e.put("line", (long) in.startLine());
        }
      });
      e.put("message", f.message());
      findings.add(e);
    }
    m.put("findings", findings);
    return m;
  }

  private static List<Object> signatures(Evidence evidence) {
    List<Object> out = new ArrayList<>();
    for (Evidence.Signature s : evidence.signatures()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kind", s.kind());
      m.put("verified", s.verified());
      s.identity().ifPresent(i -> m.put("identity", i));
      m.put("detail", s.detail());
      s.logIndex().ifPresent(i -> m.put("logIndex", i));
      out.add(m);
    }
    return out;
  }

  private static List<Object> attestations(Evidence evidence) {
    List<Object> out = new ArrayList<>();
    for (Evidence.Attestation a : evidence.attestations()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("predicateType", a.predicateType());
      m.put("kind", a.kind());
      m.put("verified", a.verified());
      a.identity().ifPresent(i -> m.put("identity", i));
      m.put("detail", a.detail());
      a.logIndex().ifPresent(i -> m.put("logIndex", i));
      m.put("predicate", a.predicate());
      out.add(m);
    }
    return out;
  }
}
