package io.jscan.verifier.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.oci.json.Rfc3339;
import io.jscan.verifier.Finding;
import io.jscan.verifier.ImageReport;
import io.jscan.verifier.LayerReport;
import io.jscan.verifier.Location;
import io.jscan.verifier.PartCheck;
import io.jscan.verifier.PolicySummary;
import io.jscan.verifier.RuleResult;
import io.jscan.verifier.Severity;
import io.jscan.verifier.Verdict;
import io.jscan.verifier.VerificationReport;
import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * The JSON report: one document, described by {@code report.schema.json} (in this package's
 * resources). {@code schemaVersion} changes only for incompatible changes; fields are only added.
 */
public final class JsonReport {
  public static final String SCHEMA_VERSION = "jscan.io/verify-report/v1";
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JsonReport() {}

  /** The exit code a verdict maps to (DEVELOPERS.md "Exit codes"). */
  public static int exitCode(Verdict v) {
    return switch (v) {
      case PASSED -> 0;
      case POLICY_VIOLATION -> 3;
      case INTEGRITY_FAILURE -> 4;
    };
  }

  public static void write(VerificationReport report, String toolVersion, Writer out) throws IOException {
    JSON.writeValue(new NonClosing(out), toJson(report, toolVersion));
    out.write(System.lineSeparator());
    out.flush();
  }

  public static ObjectNode toJson(VerificationReport report, String toolVersion) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schemaVersion", SCHEMA_VERSION);
    ObjectNode tool = root.putObject("tool");
    tool.put("name", "jscan");
    tool.put("version", toolVersion);
    ObjectNode subject = root.putObject("subject");
    subject.put("reference", report.subject());
    report.subjectDigest().ifPresent(d -> subject.put("digest", d.toString()));
    report.subjectMediaType().ifPresent(m -> subject.put("mediaType", m));
    report.copy().ifPresent(c -> subject.set("copy", JSON.valueToTree(c.toJson())));
    report.dockerfile().ifPresent(d -> root.put("dockerfile", d));
    Verdict verdict = report.verdict();
    root.put("verdict", verdict.label());
    root.put("exitCode", exitCode(verdict));
    root.put("evaluatedAt", Rfc3339.format(report.evaluatedAt()));
    root.put("elapsedMillis", report.elapsed().toMillis());
    ArrayNode policies = root.putArray("policies");
    for (PolicySummary p : report.policies()) {
      ObjectNode o = policies.addObject();
      o.put("name", p.name());
      o.put("source", p.source());
      o.put("digest", p.digest().toString());
    }
    ObjectNode summary = root.putObject("summary");
    summary.put("errors", report.count(Severity.ERROR));
    summary.put("warnings", report.count(Severity.WARNING));
    summary.put("info", report.count(Severity.INFO));
    summary.put("waived", report.allFindings().stream().filter(f -> f.suppression().isPresent()).count());
    summary.put("blocking", report.allFindings().stream().filter(Finding::blocking).count());
    summary.put("images", report.images().size());
    findings(root.putArray("findings"), report.findings());
    rules(root.putArray("rules"), report.rules());
    ArrayNode images = root.putArray("images");
    for (ImageReport image : report.images()) {
      images.add(image(image));
    }
    return root;
  }

  private static ObjectNode image(ImageReport image) {
    ObjectNode o = JSON.createObjectNode();
    o.put("digest", image.manifest().digest().toString());
    image.platform().ifPresent(p -> o.put("platform", p.toString()));
    o.put("verdict", image.verdict().label());
    o.set("manifest", part(image.manifest()));
    image.config().ifPresent(c -> o.set("config", part(c)));
    ArrayNode layers = o.putArray("layers");
    for (LayerReport l : image.layers()) {
      ObjectNode n = layers.addObject();
      n.put("position", l.position());
      n.put("digest", l.digest().toString());
      n.put("mediaType", l.mediaType());
      n.put("size", l.size());
      l.diffId().ifPresent(d -> n.put("diffId", d.toString()));
      l.uncompressedSize().ifPresent(s -> n.put("uncompressedSize", s));
      n.put("entries", l.entries());
      l.createdBy().ifPresent(c -> n.put("createdBy", c));
      n.put("verified", l.verified());
    }
    findings(o.putArray("findings"), image.findings());
    rules(o.putArray("rules"), image.rules());
    o.set("input", JSON.valueToTree(image.policyInput()));
    return o;
  }

  private static ObjectNode part(PartCheck p) {
    ObjectNode n = JSON.createObjectNode();
    n.put("digest", p.digest().toString());
    n.put("size", p.size());
    n.put("mediaType", p.mediaType());
    n.put("verified", p.verified());
    return n;
  }

  private static void rules(ArrayNode out, List<RuleResult> results) {
    for (RuleResult r : results) {
      ObjectNode n = out.addObject();
      n.put("policy", r.policy());
      n.put("rule", r.rule());
      n.put("status", r.status().label());
      if (!r.detail().isEmpty()) {
        n.put("detail", r.detail());
      }
    }
  }

  static void findings(ArrayNode out, List<Finding> findings) {
    for (Finding f : findings) {
      out.add(finding(f));
    }
  }

  static ObjectNode finding(Finding f) {
    ObjectNode n = JSON.createObjectNode();
    n.put("rule", f.rule());
    f.policy().ifPresent(p -> n.put("policy", p));
    n.put("severity", f.severity().label());
    n.put("mode", f.mode().label());
    // what the summary counts it as: an error in warn mode is a warning (Finding.level)
    n.put("level", f.level().label());
    n.put("category", f.category().label());
    n.put("blocking", f.blocking());
    n.put("message", f.message());
    f.location().ifPresent(l -> n.set("location", location(l)));
    f.suppression().ifPresent(s -> {
      ObjectNode w = n.putObject("waived");
      w.put("policy", s.policy());
      w.put("reason", s.reason());
      w.put("expires", s.expires().toString());
    });
    return n;
  }

  static ObjectNode location(Location l) {
    ObjectNode n = JSON.createObjectNode();
    if (l instanceof Location.InImage in) {
      n.put("kind", "image");
      n.put("part", in.part());
      in.layer().ifPresent(v -> n.put("layer", v));
      in.digest().ifPresent(d -> n.put("digest", d.toString()));
      in.path().ifPresent(p -> n.put("path", p));
      in.line().ifPresent(v -> n.put("line", v));
    } else if (l instanceof Location.InDockerfile d) {
      n.put("kind", "dockerfile");
      n.put("file", d.file());
      n.put("line", d.startLine());
      n.put("endLine", d.endLine());
    }
    return n;
  }

  /** Jackson closes the writer it writes to; the caller owns it. */
  private static final class NonClosing extends java.io.FilterWriter {
    NonClosing(Writer out) {
      super(out);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
