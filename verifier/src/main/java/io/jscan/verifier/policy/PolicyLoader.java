package io.jscan.verifier.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.core.io.BoundedFiles;
import io.jscan.core.io.InputFileException;
import io.jscan.core.io.InputLimit;
import io.jscan.core.oci.Digest;
import io.jscan.core.text.FileExcerpts;
import io.jscan.signing.SigningException;
import io.jscan.signing.bundle.CertificateIdentity;
import io.jscan.signing.bundle.TrustedRoot;
import io.jscan.signing.key.KeyFiles;
import io.jscan.signing.key.Keys;
import io.jscan.signing.oci.TrustPolicy;
import io.jscan.signing.payload.PredicateTypes;
import io.jscan.verifier.Mode;
import io.jscan.verifier.Severity;
import io.jscan.verifier.VerifierException;
import io.jscan.verifier.lint.LintRule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * Reads policy files (YAML, described by {@code policies/policy.schema.json} and
 * {@code policies/README.md}) and checks them completely before anything is verified: unknown
 * keys, unknown rules and parameters, wrong types, CEL that does not compile, exceptions without a
 * reason or expiry. Every problem is a {@link VerifierException} of kind bad input whose message
 * reads {@code FILE:LINE: rule ID: problem}, or {@code FILE:LINE: problem} for the YAML itself
 * ({@link PolicyYaml}).
 */
public final class PolicyLoader {
  public static final String API_VERSION = "jscan.io/v1";
  public static final String KIND = "Policy";
  /** The policies shipped in the jar, by name: {@code --policy baseline} or {@code --policy builtin:strict}. */
  public static final List<String> SHIPPED = List.of("baseline", "strict");
  /**
   * The most files a policy directory may hold; with {@link InputLimit#POLICY_DIRECTORY} on their
   * total size, what a directory can make jscan read and parse is bounded.
   */
  public static final int MAX_DIRECTORY_FILES = 1000;
  private static final Pattern RULE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kKMGT]i?B|B)?");

  private PolicyLoader() {}

  /**
   * Loads what {@code --policy} values name: a file, a directory (its {@code *.yaml} and
   * {@code *.yml} files in name order) or a shipped policy ({@code baseline}, {@code strict},
   * {@code builtin:NAME}) when no such file exists.
   */
  public static PolicySet load(List<String> specs) throws VerifierException {
    List<Policy> policies = new ArrayList<>();
    for (String spec : specs) {
      policies.addAll(loadSpec(spec));
    }
    PolicySet set = new PolicySet(policies);
    checkExceptions(set);
    return set;
  }

  /** A shipped policy by name. */
  public static Policy shipped(String name) throws VerifierException {
    if (!SHIPPED.contains(name)) {
      throw VerifierException.badInput("policy builtin:" + name, "no such shipped policy (available: " + String.join(", ", SHIPPED) + ")");
    }
    String resource = "/io/jscan/verifier/policies/" + name + ".yaml";
    try (InputStream in = PolicyLoader.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks " + resource);
      }
      return parse("builtin:" + name, in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalStateException("reading " + resource, e);
    }
  }

  private static List<Policy> loadSpec(String spec) throws VerifierException {
    String builtin = spec.startsWith("builtin:") ? spec.substring("builtin:".length()) : null;
    Path path = Path.of(spec);
    if (builtin == null && Files.isDirectory(path)) {
      List<Path> files;
      try {
        files = directoryFiles(path);
      } catch (IOException e) {
        throw VerifierException.badInput(spec, "cannot list the policy directory: " + e.getMessage());
      }
      if (files.isEmpty()) {
        throw VerifierException.badInput(spec, "the directory has no .yaml or .yml policy files");
      }
      if (files.size() > MAX_DIRECTORY_FILES) {
        throw VerifierException.badInput(spec, "the directory has " + files.size() + " policy files, more than the limit of " + MAX_DIRECTORY_FILES);
      }
      List<Policy> out = new ArrayList<>();
      long total = 0;
      for (Path f : files) {
        byte[] bytes = readBytes(f);
        total += bytes.length;
        if (total > InputLimit.POLICY_DIRECTORY.bytes()) {
          throw VerifierException.badInput(spec, "reading the policy directory: its policy files together are larger than the limit of "
              + InputLimit.POLICY_DIRECTORY.human());
        }
        out.add(parse(f, bytes));
      }
      return out;
    }
    if (builtin == null && Files.exists(path)) {
      return List.of(read(path));
    }
    if (builtin == null && SHIPPED.contains(spec)) {
      builtin = spec;
    }
    if (builtin != null) {
      return List.of(shipped(builtin));
    }
    throw VerifierException.badInput(spec, "no such policy file or directory (shipped policies: " + String.join(", ", SHIPPED) + ")");
  }

  /**
   * The policy files of a directory, in name order: every entry named {@code *.yaml} or {@code
   * *.yml}, whatever its type. A FIFO, a device or a subdirectory so named is listed, and refused
   * when read: skipping it would silently drop a policy the operator meant to enforce.
   */
  public static List<Path> directoryFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> {
        String n = p.getFileName().toString();
        return n.endsWith(".yaml") || n.endsWith(".yml");
      }).sorted().toList();
    }
  }

  /** Reads one policy file: a regular file of at most {@link InputLimit#POLICY}. */
  public static Policy read(Path file) throws VerifierException {
    return parse(file, readBytes(file));
  }

  /** Parses the bytes read from {@code file}, quoting none of them when it is reached through a symlink out of its directory. */
  private static Policy parse(Path file, byte[] yaml) throws VerifierException {
    try {
      return parse(file.toString(), yaml);
    } catch (VerifierException e) {
      if (FileExcerpts.quotable(file)) {
        throw e;
      }
      // a link out of its directory (policy.yaml -> /etc/shadow): the file, the line, nothing of it
      throw VerifierException.badInput(e.what(), "not a valid policy file (" + FileExcerpts.notQuotedBecause(file) + ")");
    }
  }

  private static byte[] readBytes(Path file) throws VerifierException {
    try {
      return BoundedFiles.read(file, InputLimit.POLICY);
    } catch (InputFileException e) {
      throw new VerifierException(e.kind(), e.what(), e.detail(), e);
    }
  }

  /** Parses and checks policy YAML; {@code source} names it in errors. */
  public static Policy parse(String source, byte[] yaml) throws VerifierException {
    PolicyYaml.Document document = PolicyYaml.read(source, yaml);
    Context c = new Context(source, document.lines());
    if (document.root().isEmpty()) {
      throw c.error("", "the file is empty: a policy is a YAML mapping with apiVersion, kind, name and rules");
    }
    JsonNode root = document.root().get();
    if (!root.isObject()) {
      if (root.isTextual()) {
        // a file that is one YAML string is not a policy at all (/etc/passwd reads as one): named
        // as such, none of it quoted (FileExcerpts)
        throw PolicyYaml.error(source, 1, "a mapping was expected here (a policy: apiVersion, kind, name and rules), found text: not a policy file");
      }
      throw c.expected("", "a mapping", "a policy: apiVersion, kind, name and rules", root);
    }
    c.allowOnly(root, "", "top level", Set.of("apiVersion", "kind", "name", "description", "rules", "exceptions", "match", "failureMode"));
    String apiVersion = c.requiredString(root, "apiVersion", "", "top level");
    if (!apiVersion.equals(API_VERSION)) {
      throw c.error("/apiVersion", "apiVersion must be " + API_VERSION + ", got " + PolicyYaml.clip(apiVersion));
    }
    String kind = c.requiredString(root, "kind", "", "top level");
    if (!kind.equals(KIND)) {
      throw c.error("/kind", "kind must be " + KIND + ", got " + PolicyYaml.clip(kind));
    }
    String name = c.requiredString(root, "name", "", "top level");
    Optional<String> description = c.optionalString(root, "description", "", "top level");
    List<PolicyRule> rules = new ArrayList<>();
    JsonNode rulesNode = root.get("rules");
    Set<String> ids = new HashSet<>();
    if (rulesNode != null && !rulesNode.isNull()) {
      if (!rulesNode.isArray()) {
        throw c.expected("/rules", "a list", "rules: a list of rules", rulesNode);
      }
      for (int i = 0; i < rulesNode.size(); i++) {
        PolicyRule rule = rule(c, rulesNode.get(i), "/rules/" + i);
        if (!ids.add(rule.id())) {
          throw c.error("/rules/" + i, "rule " + PolicyYaml.clip(rule.id()) + ": defined twice in this policy");
        }
        rules.add(rule);
      }
    }
    List<RuleWaiver> waivers = new ArrayList<>();
    JsonNode exceptionsNode = root.get("exceptions");
    if (exceptionsNode != null && !exceptionsNode.isNull()) {
      if (!exceptionsNode.isArray()) {
        throw c.expected("/exceptions", "a list", "exceptions: a list of exceptions", exceptionsNode);
      }
      for (int i = 0; i < exceptionsNode.size(); i++) {
        waivers.add(waiver(c, exceptionsNode.get(i), "/exceptions/" + i));
      }
    }
    if (rules.isEmpty() && waivers.isEmpty()) {
      throw c.error("", "the policy has no rules and no exceptions");
    }
    Optional<PolicyMatch> match = match(c, root.get("match"));
    FailureMode failureMode;
    try {
      failureMode = c.optionalString(root, "failureMode", "", "top level").map(FailureMode::parse).orElse(FailureMode.DENY);
    } catch (IllegalArgumentException e) {
      throw c.error("/failureMode", e.getMessage());
    }
    return new Policy(name, description, source, Digest.sha256(yaml), rules, waivers, match, failureMode, c.references);
  }

  /** The {@code match} section (admission only): namespaces and images, as glob lists. */
  private static Optional<PolicyMatch> match(Context c, JsonNode node) throws VerifierException {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isObject()) {
      throw c.expected("/match", "a mapping", "match: namespaces and/or images", node);
    }
    c.allowOnly(node, "/match", "match", Set.of("namespaces", "images"));
    List<String> namespaces = stringList(c, node.get("namespaces"), "/match/namespaces", "match: namespaces");
    List<String> images = stringList(c, node.get("images"), "/match/images", "match: images");
    for (String key : List.of("namespaces", "images")) {
      JsonNode list = node.get(key);
      if (list != null && list.isArray() && list.isEmpty()) {
        throw c.error("/match/" + key, "match: " + key + " is empty (leave it out to match every " + (key.equals("images") ? "image" : "namespace") + ")");
      }
    }
    for (String glob : namespaces) {
      if (glob.isBlank()) {
        throw c.error("/match/namespaces", "match: namespaces: an empty pattern matches nothing");
      }
    }
    for (String glob : images) {
      if (glob.isBlank()) {
        throw c.error("/match/images", "match: images: an empty pattern matches nothing");
      }
    }
    if (namespaces.isEmpty() && images.isEmpty()) {
      throw c.error("/match", "match needs namespaces or images (leave match out for a policy that applies to everything)");
    }
    return Optional.of(new PolicyMatch(namespaces, images));
  }

  private static PolicyRule rule(Context c, JsonNode node, String at) throws VerifierException {
    if (node == null || !node.isObject()) {
      throw c.expected(at, "a mapping", "a rule: id, and severity, mode, parameters or expression", node);
    }
    String id = c.requiredString(node, "id", at, "a rule");
    String what = "rule " + PolicyYaml.clip(id);
    if (!RULE_ID.matcher(id).matches()) {
      throw c.error(at, what + ": invalid id (letters, digits, . _ -, at most 100)");
    }
    c.allowOnly(node, at, what, Set.of("id", "description", "severity", "mode", "parameters", "expression", "message", "subject"));
    Optional<String> description = c.optionalString(node, "description", at, what);
    Optional<BuiltinRules.Rule> builtin = BuiltinRules.byId(id);
    Optional<String> expression = c.optionalString(node, "expression", at, what);
    if (builtin.isEmpty() && expression.isEmpty()) {
      throw c.error(at, what + ": not a built-in rule, and it has no expression (built-in rules: " + builtinIds() + ")");
    }
    if (builtin.isPresent() && expression.isPresent()) {
      throw c.error(at + "/expression", what + ": a custom rule cannot take the id of a built-in rule");
    }
    Severity severity;
    try {
      severity = c.optionalString(node, "severity", at, what).map(Severity::parse)
          .orElse(builtin.map(BuiltinRules.Rule::defaultSeverity).orElse(Severity.ERROR));
    } catch (IllegalArgumentException e) {
      throw c.error(at + "/severity", what + ": " + e.getMessage());
    }
    Mode mode;
    try {
      mode = c.optionalString(node, "mode", at, what).map(Mode::parse).orElse(Mode.ENFORCE);
    } catch (IllegalArgumentException e) {
      throw c.error(at + "/mode", what + ": " + e.getMessage());
    }
    if (id.equals("integrity") && (mode != Mode.ENFORCE || severity != Severity.ERROR)) {
      throw c.error(at, what + ": integrity is always enforced with severity error (it cannot be relaxed)");
    }
    int line = c.line(at);
    if (expression.isPresent()) {
      if (node.has("parameters")) {
        throw c.error(at + "/parameters", what + ": custom rules take no parameters (use the expression)");
      }
      String subject = c.optionalString(node, "subject", at, what).orElse("image");
      if (!subject.equals("image") && !subject.equals("dockerfile")) {
        throw c.error(at + "/subject", what + ": subject must be image or dockerfile, got " + PolicyYaml.clip(subject));
      }
      Optional<String> message = c.optionalString(node, "message", at, what);
      CelCheck check;
      try {
        check = CelCheck.compile(expression.get(), message.orElse(null));
      } catch (IllegalArgumentException e) {
        throw c.error(at + "/expression", what + ": " + e.getMessage());
      }
      return new PolicyRule(id, description, severity, mode, Map.of(), Optional.of(check), subject, line);
    }
    for (String key : List.of("message", "subject")) {
      if (node.has(key)) {
        throw c.error(at + "/" + key, what + ": " + key + " is only for custom rules (with an expression)");
      }
    }
    Map<String, Object> parameters = parameters(c, node.get("parameters"), at + "/parameters", what, builtin.get());
    return new PolicyRule(id, description, severity, mode, parameters, Optional.empty(), "image", line);
  }

  private static Map<String, Object> parameters(Context c, JsonNode node, String at, String what, BuiltinRules.Rule rule)
      throws VerifierException {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, BuiltinRules.Param> known = new LinkedHashMap<>();
    rule.params().forEach(p -> known.put(p.name(), p));
    if (node != null && !node.isNull()) {
      if (!node.isObject()) {
        throw c.expected(at, "a mapping", what + ": parameters", node);
      }
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        BuiltinRules.Param p = known.get(name);
        if (p == null) {
          throw c.error(at + "/" + name, what + ": unknown parameter " + PolicyYaml.excerpt(name)
              + (known.isEmpty() ? " (this rule takes none)" : " (known: " + String.join(", ", known.keySet()) + ")"));
        }
        out.put(name, value(c, node.get(name), at + "/" + name, what + ": parameter " + name, p.type()));
      }
    }
    if (out.containsKey("identities") && !out.containsKey("trustedRoot")) {
      // fail closed: an identity means nothing without the CAs and logs that vouch for it
      throw c.error(at + "/identities", what + ": identities need trustedRoot (a Sigstore trusted root file)");
    }
    for (BuiltinRules.Param p : rule.params()) {
      if (p.required() && !out.containsKey(p.name())) {
        throw c.error(at.substring(0, at.lastIndexOf('/')), what + ": missing required parameter \"" + p.name() + "\" (" + p.help() + ")");
      }
    }
    return out;
  }

  private static Object value(Context c, JsonNode v, String at, String what, BuiltinRules.ParamType type) throws VerifierException {
    switch (type) {
      case STRING -> {
        if (!v.isTextual()) {
          throw c.error(at, what + ": expected a string");
        }
        return v.asText();
      }
      case BOOLEAN -> {
        if (!v.isBoolean()) {
          throw c.error(at, what + ": expected true or false");
        }
        return v.asBoolean();
      }
      case INTEGER -> {
        if (!v.isIntegralNumber() || v.asLong() < 0) {
          throw c.error(at, what + ": expected a whole number of at least 0");
        }
        return v.asLong();
      }
      case SIZE -> {
        if (v.isIntegralNumber() && v.asLong() >= 0) {
          return v.asLong();
        }
        if (v.isTextual()) {
          try {
            return parseSize(v.asText());
          } catch (IllegalArgumentException e) {
            throw c.error(at, what + ": " + e.getMessage());
          }
        }
        throw c.error(at, what + ": expected a size (bytes, or a number with kB, MB, GB, KiB, MiB, GiB)");
      }
      case SEVERITY -> {
        try {
          return Severity.parse(v.asText());
        } catch (IllegalArgumentException e) {
          throw c.error(at, what + ": " + e.getMessage());
        }
      }
      case STRING_LIST -> {
        if (!v.isArray()) {
          throw c.error(at, what + ": expected a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
          if (!e.isTextual()) {
            throw c.error(at, what + ": expected a list of strings");
          }
          out.add(e.asText());
        }
        return List.copyOf(out);
      }
      case STRING_MAP -> {
        if (!v.isObject()) {
          throw c.error(at, what + ": expected a mapping of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (!e.getValue().isTextual()) {
            throw c.error(at + "/" + e.getKey(), what + ": expected a string value for " + e.getKey());
          }
          try {
            Pattern.compile(e.getValue().asText());
          } catch (PatternSyntaxException ex) {
            throw c.error(at + "/" + e.getKey(), what + ": invalid regular expression for " + e.getKey() + ": " + ex.getDescription());
          }
          out.put(e.getKey(), e.getValue().asText());
        }
        return java.util.Collections.unmodifiableMap(out);
      }
      case KEYS -> {
        if (!v.isArray() || v.isEmpty()) {
          throw c.error(at, what + ": expected a list of public keys (PEM file paths or inline PEM)");
        }
        List<TrustPolicy.TrustedKey> keys = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
          JsonNode e = v.get(i);
          if (!e.isTextual()) {
            throw c.error(at + "/" + i, what + ": expected a PEM file path or inline PEM");
          }
          String text = e.asText();
          try {
            if (text.strip().startsWith("-----BEGIN")) {
              keys.add(new TrustPolicy.TrustedKey("inline key " + (i + 1) + " of " + c.source,
                  Keys.parsePublicKey(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII), c.source + " key " + (i + 1))));
            } else {
              Path file = c.relative(text);
              keys.add(new TrustPolicy.TrustedKey(text, Keys.parsePublicKey(c.readReferenced(file, InputLimit.KEY, "the public key"), file.toString())));
            }
          } catch (SigningException ex) {
            throw c.error(at + "/" + i, what + ": " + ex.getMessage());
          }
        }
        return List.copyOf(keys);
      }
      case IDENTITIES -> {
        if (!v.isArray() || v.isEmpty()) {
          throw c.error(at, what + ": expected a list of identities, each with subject or subjectRegExp and issuer or issuerRegExp");
        }
        List<CertificateIdentity> ids = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
          JsonNode e = v.get(i);
          String p = at + "/" + i;
          if (!e.isObject()) {
            throw c.error(p, what + ": an identity is a mapping with subject or subjectRegExp and issuer or issuerRegExp");
          }
          c.allowOnly(e, p, what, Set.of("subject", "subjectRegExp", "issuer", "issuerRegExp"));
          try {
            ids.add(CertificateIdentity.of(c.optionalString(e, "subject", p, what).orElse(null), c.optionalString(e, "subjectRegExp", p, what).orElse(null),
                c.optionalString(e, "issuer", p, what).orElse(null), c.optionalString(e, "issuerRegExp", p, what).orElse(null)));
          } catch (SigningException ex) {
            throw c.error(p, what + ": " + ex.getMessage().replace("--certificate-identity-regexp", "subjectRegExp").replace("--certificate-identity", "subject")
                .replace("--certificate-oidc-issuer-regexp", "issuerRegExp").replace("--certificate-oidc-issuer", "issuer"));
          }
        }
        return List.copyOf(ids);
      }
      case TRUSTED_ROOT -> {
        if (!v.isTextual()) {
          throw c.error(at, what + ": expected the path of a trusted root JSON file");
        }
        try {
          Path file = c.relative(v.asText());
          return TrustedRoot.parse(c.readReferenced(file, InputLimit.TRUSTED_ROOT, "the trusted root"), file);
        } catch (SigningException ex) {
          throw c.error(at, what + ": " + ex.getMessage());
        }
      }
      case PREDICATE_TYPE -> {
        if (!v.isTextual()) {
          throw c.error(at, what + ": expected a predicate type URI or shorthand");
        }
        try {
          return PredicateTypes.resolve(v.asText());
        } catch (SigningException ex) {
          throw c.error(at, what + ": " + ex.getMessage());
        }
      }
      case PREDICATE_CEL -> {
        if (!v.isTextual()) {
          throw c.error(at, what + ": expected a CEL expression");
        }
        try {
          return CelCheck.compileForAttestation(v.asText());
        } catch (IllegalArgumentException ex) {
          throw c.error(at, what + ": " + ex.getMessage());
        }
      }
      case PACKAGE_LIST -> {
        return packages(c, v, at, what);
      }
      case LICENSE_LIST -> {
        List<String> ids = stringList(c, v, at, what);
        for (int i = 0; i < ids.size(); i++) {
          String id = ids.get(i);
          // a misspelt id would silently allow or deny nothing: refuse it (SPDX license list, or LicenseRef-)
          if (!io.jscan.sbom.cataloger.SpdxLicenses.isKnownId(id) && !id.matches("LicenseRef-[A-Za-z0-9.-]+")) {
            String hint = io.jscan.sbom.cataloger.SpdxLicenses.id(id).map(k -> " (did you mean " + k + "?)").orElse("");
            throw c.error(at + "/" + i, what + ": " + PolicyYaml.excerpt(id) + " is not an SPDX license id" + hint);
          }
        }
        return ids;
      }
      default -> throw new IllegalStateException("unhandled parameter type " + type);
    }
  }

  private static final java.util.Set<String> PACKAGE_KEYS = java.util.Set.of("name", "type", "versions", "reason");

  /** {@code forbidden-packages}' list: each entry checked now (type known, range parses), so a typo fails at load. */
  private static List<BuiltinRules.ForbiddenPackage> packages(Context c, JsonNode v, String at, String what) throws VerifierException {
    if (!v.isArray()) {
      throw c.error(at, what + ": expected a list of packages ({name, type, versions, reason})");
    }
    List<BuiltinRules.ForbiddenPackage> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      String here = at + "/" + i;
      if (!e.isObject()) {
        throw c.error(here, what + ": each package is a mapping with name, and optionally type, versions and reason");
      }
      c.allowOnly(e, here, what, PACKAGE_KEYS);
      String name = c.requiredString(e, "name", here, what);
      Optional<String> type = c.optionalString(e, "type", here, what);
      Optional<String> versions = c.optionalString(e, "versions", here, what);
      Optional<String> reason = c.optionalString(e, "reason", here, what);
      io.jscan.sbom.version.PackageMatcher matcher;
      try {
        matcher = io.jscan.sbom.version.PackageMatcher.of(type.orElse("*"), name, versions.orElse(""));
      } catch (IllegalArgumentException ex) {
        throw c.error(here, what + ": " + ex.getMessage());
      }
      String display = type.map(t -> t + ":").orElse("") + name + versions.map(r -> " " + r.strip()).orElse("");
      out.add(new BuiltinRules.ForbiddenPackage(matcher, reason, display));
    }
    return List.copyOf(out);
  }

  /** {@code 500MB}, {@code 1GiB}, {@code 1024}: bytes. */
  public static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("invalid size " + PolicyYaml.excerpt(text) + " (e.g. 500MB, 1GiB, 1048576)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    long factor = switch (unit.toUpperCase(Locale.ROOT)) {
      case "B" -> 1L;
      case "KB" -> 1000L;
      case "MB" -> 1000L * 1000;
      case "GB" -> 1000L * 1000 * 1000;
      case "TB" -> 1000L * 1000 * 1000 * 1000;
      case "KIB" -> 1L << 10;
      case "MIB" -> 1L << 20;
      case "GIB" -> 1L << 30;
      case "TIB" -> 1L << 40;
      default -> throw new IllegalArgumentException("invalid size unit in " + PolicyYaml.excerpt(text));
    };
    return Math.multiplyExact(n, factor);
  }

  private static RuleWaiver waiver(Context c, JsonNode node, String at) throws VerifierException {
    if (node == null || !node.isObject()) {
      throw c.expected(at, "a mapping", "an exception: rule, reason and expires", node);
    }
    String rule = c.requiredString(node, "rule", at, "an exception");
    String what = "exception for rule " + PolicyYaml.clip(rule);
    c.allowOnly(node, at, what, Set.of("rule", "policy", "reason", "expires", "images", "paths"));
    if (rule.equals("integrity")) {
      throw c.error(at, what + ": integrity findings cannot be waived (fail closed)");
    }
    String reason = c.requiredString(node, "reason", at, what);
    if (reason.isBlank()) {
      throw c.error(at + "/reason", what + ": reason is empty");
    }
    JsonNode exp = node.get("expires");
    if (exp == null) {
      throw c.error(at, what + ": missing expires (the last day it applies, YYYY-MM-DD)");
    }
    LocalDate expires;
    try {
      expires = LocalDate.parse(exp.asText());
    } catch (DateTimeParseException e) {
      throw c.error(at + "/expires", what + ": expires must be a date YYYY-MM-DD, got " + PolicyYaml.excerpt(exp.asText()));
    }
    Optional<String> policy = c.optionalString(node, "policy", at, what);
    List<String> images = stringList(c, node.get("images"), at + "/images", what + ": images");
    List<String> paths = stringList(c, node.get("paths"), at + "/paths", what + ": paths");
    return new RuleWaiver(rule, policy, reason, expires, images, paths, c.source, c.line(at));
  }

  private static List<String> stringList(Context c, JsonNode v, String at, String what) throws VerifierException {
    if (v == null || v.isNull()) {
      return List.of();
    }
    @SuppressWarnings("unchecked")
    List<String> list = (List<String>) value(c, v, at, what, BuiltinRules.ParamType.STRING_LIST);
    return list;
  }

  /** Exceptions must name a rule that exists somewhere: a built-in, a lint rule or a rule of a loaded policy. */
  private static void checkExceptions(PolicySet set) throws VerifierException {
    Set<String> known = new HashSet<>();
    BuiltinRules.all().forEach(r -> known.add(r.id()));
    for (LintRule r : LintRule.values()) {
      known.add(r.id());
    }
    set.rules().forEach(b -> known.add(b.rule().id()));
    for (RuleWaiver w : set.waivers()) {
      if (!known.contains(w.rule())) {
        throw PolicyYaml.error(w.declaredIn(), w.line(),
            "exception for rule " + w.rule() + ": no loaded policy has this rule and it is not a built-in or lint rule");
      }
    }
  }

  private static String builtinIds() {
    return String.join(", ", BuiltinRules.all().stream().map(BuiltinRules.Rule::id).toList());
  }

  /** Error reporting with file and line. */
  private static final class Context {
    final String source;
    final Map<String, Integer> lines;
    /** The files read besides the policy, with the digest of exactly the bytes parsed. */
    final Map<Path, Digest> references = new LinkedHashMap<>();

    Context(String source, Map<String, Integer> lines) {
      this.source = source;
      this.lines = lines;
    }

    int line(String pointer) {
      for (String p = pointer; ; p = p.substring(0, p.lastIndexOf('/'))) {
        Integer l = lines.get(p);
        if (l != null) {
          return l;
        }
        if (p.isEmpty()) {
          return 1;
        }
      }
    }

    /** A path a policy names, relative to the policy file's directory (to the working directory for shipped policies). */
    Path relative(String path) {
      Path p = Path.of(path);
      if (p.isAbsolute() || source.startsWith("builtin:")) {
        return p;
      }
      Path dir = Path.of(source).toAbsolutePath().getParent();
      return dir == null ? p : dir.resolve(p);
    }

    /** Reads a file the policy names (read once: what is recorded is what is parsed). */
    byte[] readReferenced(Path file, InputLimit limit, String what) throws SigningException {
      byte[] bytes = KeyFiles.read(file, limit, what);
      references.put(file.toAbsolutePath().normalize(), Digest.sha256(bytes));
      return bytes;
    }

    /** {@code FILE:LINE: detail}, at the line of the node {@code pointer} names (or of its nearest parent). */
    VerifierException error(String pointer, String detail) {
      return PolicyYaml.error(source, line(pointer), detail);
    }

    /** "{@code what}: {@code kind} was expected here, found a list" (or a string "…", a number…). */
    VerifierException expected(String pointer, String kind, String what, JsonNode found) {
      return error(pointer, kind + " was expected here (" + what + "), found " + PolicyYaml.found(found));
    }

    void allowOnly(JsonNode node, String at, String what, Set<String> allowed) throws VerifierException {
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!allowed.contains(key)) {
          throw error(at + "/" + key, what + ": unknown key " + PolicyYaml.excerpt(key));
        }
      }
    }

    String requiredString(JsonNode node, String key, String at, String what) throws VerifierException {
      JsonNode v = node.get(key);
      if (v == null || v.isNull()) {
        throw error(at, what + ": missing " + key);
      }
      if (!v.isTextual()) {
        throw error(at + "/" + key, what + ": " + key + ": a string was expected here, found " + PolicyYaml.found(v));
      }
      return v.asText();
    }

    Optional<String> optionalString(JsonNode node, String key, String at, String what) throws VerifierException {
      JsonNode v = node.get(key);
      if (v == null || v.isNull()) {
        return Optional.empty();
      }
      if (!v.isTextual()) {
        throw error(at + "/" + key, what + ": " + key + ": a string was expected here, found " + PolicyYaml.found(v));
      }
      return Optional.of(v.asText());
    }
  }
}
