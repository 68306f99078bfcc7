package io.jscan.verifier.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.verifier.CopyFinding;
import io.jscan.verifier.Finding;
import io.jscan.verifier.ImageReport;
import io.jscan.verifier.Location;
import io.jscan.verifier.Severity;
import io.jscan.verifier.VerificationReport;
import io.jscan.verifier.lint.LintRule;
import io.jscan.verifier.policy.BuiltinRules;
import io.jscan.verifier.policy.PolicyRule;
import io.jscan.verifier.policy.PolicySet;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SARIF 2.1.0 report (OASIS SARIF v2.1.0), for code-scanning uploads: one run whose
 * {@code tool.driver.rules} describe every rule that has a result (id, name, short and full
 * description, help, default level), and one result per finding. Dockerfile findings have a
 * physical location (file and line); image findings a logical location naming the image digest,
 * layer and path (and, when a Dockerfile was given, a physical location at its first line, since
 * code-scanning services list only results in a file). Waived findings carry an external
 * suppression with the exception's reason.
 */
public final class SarifReport {
  public static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

  private SarifReport() {}

  public static void write(VerificationReport report, PolicySet policies, String toolVersion, Writer out) throws IOException {
    JsonReport.JSON.writeValue(new java.io.FilterWriter(out) {
      @Override
      public void close() throws IOException {
        flush();
      }
    }, toJson(report, policies, toolVersion));
    out.write(System.lineSeparator());
    out.flush();
  }

  private record Described(String id, String name, String shortText, String help, Severity severity, String tag) {}

  public static ObjectNode toJson(VerificationReport report, PolicySet policies, String toolVersion) {
    ObjectNode root = JsonReport.JSON.createObjectNode();
    root.put("$schema", SCHEMA);
    root.put("version", "2.1.0");
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "jscan");
    driver.put("version", toolVersion);
    driver.put("semanticVersion", toolVersion.replaceAll("[^0-9A-Za-z.+-]", ""));

    List<Finding> all = new ArrayList<>();
    List<Optional<ImageReport>> owners = new ArrayList<>();
    for (Finding f : report.findings()) {
      all.add(f);
      owners.add(Optional.empty());
    }
    for (ImageReport image : report.images()) {
      for (Finding f : image.findings()) {
        all.add(f);
        owners.add(Optional.of(image));
      }
    }
    Map<String, Integer> ruleIndex = new LinkedHashMap<>();
    ArrayNode rules = driver.putArray("rules");
    for (Finding f : all) {
      if (!ruleIndex.containsKey(f.rule())) {
        ruleIndex.put(f.rule(), ruleIndex.size());
        Described d = describe(f.rule(), f.severity(), policies);
        ObjectNode r = rules.addObject();
        r.put("id", d.id());
        r.put("name", d.name());
        r.putObject("shortDescription").put("text", d.shortText());
        r.putObject("fullDescription").put("text", d.help());
        ObjectNode help = r.putObject("help");
        help.put("text", d.help());
        help.put("markdown", "**" + d.shortText() + "**\n\n" + d.help());
        r.putObject("defaultConfiguration").put("level", level(d.severity()));
        r.putObject("properties").putArray("tags").add("security").add(d.tag());
      }
    }

    ArrayNode results = run.putArray("results");
    for (int i = 0; i < all.size(); i++) {
      Finding f = all.get(i);
      ObjectNode r = results.addObject();
      r.put("ruleId", f.rule());
      r.put("ruleIndex", ruleIndex.get(f.rule()));
      r.put("kind", "fail");
      // the level the finding is reported with: an error in warn mode is a warning (Finding.level)
      r.put("level", level(f.level()));
      r.putObject("message").put("text", f.message());
      ArrayNode locations = r.putArray("locations");
      Optional<ImageReport> owner = owners.get(i);
      if (f.location().isPresent()) {
        locations.add(location(f.location().get(), owner, report));
      } else {
        ObjectNode l = locations.addObject();
        l.putArray("logicalLocations").addObject().put("name", report.subject()).put("kind", "resource");
      }
      r.putObject("partialFingerprints").put("jscanFinding/v1", fingerprint(f, owner));
      ObjectNode props = r.putObject("properties");
      f.policy().ifPresent(p -> props.put("policy", p));
      props.put("severity", f.severity().label());
      props.put("mode", f.mode().label());
      props.put("category", f.category().label());
      props.put("blocking", f.blocking());
      f.suppression().ifPresent(s -> {
        ObjectNode sup = r.putArray("suppressions").addObject();
        sup.put("kind", "external");
        sup.put("status", "accepted");
        sup.put("justification", s.reason() + " (exception in " + s.policy() + ", until " + s.expires() + ")");
      });
    }
    ObjectNode invocation = run.putArray("invocations").addObject();
    invocation.put("executionSuccessful", true);
    invocation.put("exitCode", JsonReport.exitCode(report.verdict()));
    ObjectNode runProperties = run.putObject("properties").put("verdict", report.verdict().label()).put("subject", report.subject());
    report.copy().ifPresent(c -> runProperties.set("copy", JsonReport.JSON.valueToTree(c.toJson())));
    return root;
  }

  private static ObjectNode location(Location l, Optional<ImageReport> owner, VerificationReport report) {
    ObjectNode loc = JsonReport.JSON.createObjectNode();
    if (l instanceof Location.InDockerfile d) {
      ObjectNode physical = loc.putObject("physicalLocation");
      physical.putObject("artifactLocation").put("uri", d.file().replace('\\', '/'));
      physical.putObject("region").put("startLine", d.startLine()).put("endLine", d.endLine());
      return loc;
    }
    Location.InImage in = (Location.InImage) l;
    String image = owner.map(o -> o.manifest().digest().toString()).orElse(report.subject());
    StringBuilder fq = new StringBuilder(report.subject()).append('@').append(image);
    String name;
    String kind;
    if (in.layer().isPresent()) {
      fq.append("/layer/").append(in.layer().getAsInt());
      in.digest().ifPresent(d -> fq.append('(').append(d).append(')'));
      name = in.path().orElse("layer " + in.layer().getAsInt());
      kind = in.path().isPresent() ? "resource" : "module";
    } else {
      fq.append('/').append(in.part());
      name = in.part();
      kind = "module";
    }
    in.path().ifPresent(fq::append);
    in.line().ifPresent(v -> fq.append(':').append(v));
    if (report.dockerfile().isPresent()) {
      // code-scanning services show only results with a file; the Dockerfile the image was built
      // from is that file (line 1), and the logical location still names layer and path
      ObjectNode physical = loc.putObject("physicalLocation");
      physical.putObject("artifactLocation").put("uri", report.dockerfile().get().replace('\\', '/'));
      physical.putObject("region").put("startLine", 1);
    }
    ObjectNode logical = loc.putArray("logicalLocations").addObject();
    logical.put("name", name);
    logical.put("fullyQualifiedName", fq.toString());
    logical.put("kind", kind);
    return loc;
  }

  private static String fingerprint(Finding f, Optional<ImageReport> owner) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      String key = f.rule() + "|" + f.message() + "|" + f.location().map(Location::describe).orElse("")
          + "|" + owner.map(o -> o.manifest().digest().toString()).orElse("");
      return HexFormat.of().formatHex(sha.digest(key.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String level(Severity s) {
    return switch (s) {
      case ERROR -> "error";
      case WARNING -> "warning";
      case INFO -> "note";
    };
  }

  private static Described describe(String id, Severity seen, PolicySet policies) {
    Optional<LintRule> lint = LintRule.byId(id);
    if (lint.isPresent()) {
      return new Described(id, id, lint.get().title(), lint.get().help(), lint.get().severity(), "dockerfile");
    }
    Optional<BuiltinRules.Rule> builtin = BuiltinRules.byId(id);
    if (builtin.isPresent()) {
      return new Described(id, id, builtin.get().title(), builtin.get().help(), builtin.get().defaultSeverity(), "image");
    }
    if (id.equals(CopyFinding.RULE)) {
      return new Described(id, id, CopyFinding.TITLE, CopyFinding.HELP, Severity.WARNING, "image");
    }
    if (id.equals("signature")) {
      return new Described(id, id, "Signature verifies",
          "A signature or attestation attached to the image does not verify against the trusted keys or identities.", Severity.ERROR, "image");
    }
    for (PolicySet.Bound b : policies.rules()) {
      PolicyRule r = b.rule();
      if (r.id().equals(id)) {
        String text = r.description().orElse(r.cel().map(c -> "CEL rule: " + c.expression()).orElse(id));
        String help = "Custom rule of policy " + b.policy().name() + ". " + r.cel().map(c -> "Passes when " + c.expression() + " is true.").orElse("");
        return new Described(id, id, text, help, r.severity(), "policy");
      }
    }
    return new Described(id, id, id, id, seen, "policy");
  }
}
