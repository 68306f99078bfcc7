package io.jscan.verifier.policy;

import io.jscan.verifier.Category;
import io.jscan.verifier.Finding;
import io.jscan.verifier.ImageFacts;
import io.jscan.verifier.Location;
import io.jscan.verifier.Mode;
import io.jscan.verifier.RuleResult;
import io.jscan.verifier.Severity;
import io.jscan.verifier.Suppression;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Evaluates a {@link PolicySet} on a {@link RuleContext}: every rule of every policy, in order,
 * giving findings (violations are data, never exceptions) and one {@link RuleResult} per rule.
 * Then applies the policies' exceptions: a matching, unexpired exception waives a finding (kept in
 * the report with the reason); an expired one is reported as a warning and waives nothing.
 */
public final class PolicyEngine {
  private PolicyEngine() {}

  /** Findings and per-rule results. */
  public record Evaluation(List<Finding> findings, List<RuleResult> results) {
    public Evaluation {
      findings = List.copyOf(findings);
      results = List.copyOf(results);
    }
  }

  public static Evaluation evaluate(PolicySet set, RuleContext ctx) {
    Map<String, Object> vars = CelCheck.variables(ctx.document(), ctx.now());
    List<Finding> findings = new ArrayList<>();
    List<RuleResult> results = new ArrayList<>();
    for (PolicySet.Bound bound : set.rules()) {
      Policy policy = bound.policy();
      PolicyRule rule = bound.rule();
      List<Finding> ruleFindings = new ArrayList<>();
      Optional<String> skipped;
      Optional<String> note = Optional.empty();
      if (rule.cel().isPresent()) {
        skipped = celRule(policy, rule, ctx, vars, ruleFindings);
      } else if (rule.id().equals("dockerfile-lint")) {
        // lint findings belong to the Dockerfile, not to each image: the verifier reports them once
        // (see lintFindings); here the rule only gets its result
        if (ctx.dockerfile().isEmpty()) {
          results.add(new RuleResult(policy.name(), rule.id(), RuleResult.Status.SKIPPED, "needs a Dockerfile (--dockerfile)"));
        } else {
          // the lint findings this rule claimed (at or above its threshold, not waived), in its mode
          long counted = lintFindings(set, ctx.lintFindings()).stream()
              .filter(f -> f.policy().equals(Optional.of(policy.name())) && f.suppression().isEmpty() && f.mode() == rule.mode()).count();
          results.add(new RuleResult(policy.name(), rule.id(), counted > 0 ? violated(rule) : RuleResult.Status.PASSED,
              counted > 0 ? counted + " lint finding" + (counted == 1 ? "" : "s") : ""));
        }
        continue;
      } else if (rule.id().equals("integrity")) {
        skipped = ctx.image().isEmpty() ? Optional.of("needs an image (only a Dockerfile was given)") : Optional.empty();
        boolean failed = ctx.integrityFindings().stream().anyMatch(Finding::blocking);
        results.add(new RuleResult(policy.name(), rule.id(),
            skipped.isPresent() ? RuleResult.Status.SKIPPED : failed ? RuleResult.Status.FAILED : RuleResult.Status.PASSED,
            skipped.orElse(failed ? "see the integrity findings" : "")));
        continue;
      } else {
        BuiltinRules.Rule builtin = BuiltinRules.byId(rule.id()).orElseThrow();
        BuiltinRules.Outcome outcome = builtin.evaluate(ctx, rule);
        skipped = outcome.skipped();
        note = outcome.note();
        for (BuiltinRules.Violation v : outcome.violations()) {
          ruleFindings.add(new Finding(rule.id(), Optional.of(policy.name()), rule.severity(), rule.mode(), v.category(),
              v.message(), v.location(), Optional.empty()));
        }
      }
      List<Finding> waived = waive(ruleFindings, set, ctx, findings);
      findings.addAll(waived);
      results.add(withNote(result(policy, rule, skipped, waived), note));
    }
    return new Evaluation(findings, results);
  }

  /**
   * The Dockerfile's lint findings as the policies' {@code dockerfile-lint} rules judge them: each
   * finding at or above a rule's threshold (and not ignored there) takes that rule's mode and
   * policy; the rest, and all of them when no policy has the rule, are warnings. Exceptions apply.
   */
  public static List<Finding> lintFindings(PolicySet set, List<Finding> lint) {
    List<PolicySet.Bound> rules = set.rules().stream().filter(b -> b.rule().id().equals("dockerfile-lint")).toList();
    List<Finding> out = new ArrayList<>();
    for (Finding f : lint) {
      Finding judged = f.withMode(Mode.WARN);
      for (PolicySet.Bound b : rules) {
        Severity threshold = b.rule().parameter("threshold", Severity.INFO);
        List<String> ignore = b.rule().parameter("ignore", List.of());
        if (!ignore.contains(f.rule()) && f.severity().atLeast(threshold)) {
          judged = f.withPolicy(b.policy().name()).withMode(b.rule().mode());
          if (b.rule().mode() == Mode.ENFORCE) {
            break;
          }
        }
      }
      out.add(judged);
    }
    return out;
  }

  /** As {@link #lintFindings(PolicySet, List)}, with the policies' exceptions applied. */
  public static List<Finding> lintFindings(PolicySet set, List<Finding> lint, RuleContext ctx) {
    List<Finding> notices = new ArrayList<>();
    List<Finding> out = new ArrayList<>(waive(lintFindings(set, lint), set, ctx, notices));
    out.addAll(notices);
    return out;
  }

  private static Optional<String> celRule(
      Policy policy, PolicyRule rule, RuleContext ctx, Map<String, Object> vars, List<Finding> out) {
    if (rule.subject().equals("image") && ctx.image().isEmpty()) {
      return Optional.of("needs an image (subject: image)");
    }
    if (rule.subject().equals("dockerfile") && ctx.dockerfile().isEmpty()) {
      return Optional.of("needs a Dockerfile (subject: dockerfile)");
    }
    CelCheck check = rule.cel().orElseThrow();
    String message;
    try {
      if (check.test(vars)) {
        return Optional.empty();
      }
      message = check.message(vars);
    } catch (IllegalStateException e) {
      // an expression that cannot be evaluated on this input fails, as an admission policy with
      // failurePolicy Fail does: an unevaluable rule must not let an image through
      message = "could not be evaluated: " + e.getMessage();
    }
    Optional<Location> where = rule.subject().equals("image")
        ? Optional.of(Location.InImage.part("image"))
        : ctx.dockerfile().map(d -> new Location.InDockerfile(d.file(), d.finalFrom().startLine(), d.finalFrom().startLine()));
    out.add(new Finding(rule.id(), Optional.of(policy.name()), rule.severity(), rule.mode(), Category.POLICY, message, where, Optional.empty()));
    return Optional.empty();
  }

  private static RuleResult result(Policy policy, PolicyRule rule, Optional<String> skipped, List<Finding> findings) {
    if (skipped.isPresent() && findings.isEmpty()) {
      return new RuleResult(policy.name(), rule.id(), RuleResult.Status.SKIPPED, skipped.get());
    }
    long counted = findings.stream().filter(f -> f.suppression().isEmpty() && f.mode() == rule.mode()).count();
    if (counted > 0) {
      return new RuleResult(policy.name(), rule.id(), violated(rule), counted + " finding" + (counted == 1 ? "" : "s"));
    }
    if (findings.stream().anyMatch(f -> f.suppression().isPresent())) {
      return new RuleResult(policy.name(), rule.id(), RuleResult.Status.WAIVED, "every finding is covered by an exception");
    }
    return new RuleResult(policy.name(), rule.id(), RuleResult.Status.PASSED, "");
  }

  /** A violated rule failed only when enforced; in warn mode it warned, and verification still passes. */
  private static RuleResult.Status violated(PolicyRule rule) {
    return rule.mode() == Mode.ENFORCE ? RuleResult.Status.FAILED : RuleResult.Status.WARNED;
  }

  /** The result's detail followed by what the rule chose not to report. */
  private static RuleResult withNote(RuleResult r, Optional<String> note) {
    if (note.isEmpty() || r.status() == RuleResult.Status.SKIPPED) {
      return r;
    }
    return new RuleResult(r.policy(), r.rule(), r.status(), r.detail().isEmpty() ? note.get() : r.detail() + "; " + note.get());
  }

  /** Marks findings covered by an exception; adds a warning for each expired exception that would have matched. */
  private static List<Finding> waive(List<Finding> findings, PolicySet set, RuleContext ctx, List<Finding> notices) {
    LocalDate today = LocalDate.ofInstant(ctx.now(), ZoneOffset.UTC);
    List<Finding> out = new ArrayList<>();
    Set<RuleWaiver> expiredNoticed = new HashSet<>();
    for (Finding f : findings) {
      Finding result = f;
      if (f.category() != Category.INTEGRITY && f.category() != Category.SIGNATURE) {
        for (RuleWaiver w : set.waivers()) {
          if (!matches(w, f, ctx)) {
            continue;
          }
          if (today.isAfter(w.expires())) {
            if (expiredNoticed.add(w)) {
              notices.add(new Finding(w.rule(), f.policy(), Severity.WARNING, Mode.WARN, Category.POLICY,
                  "the exception from " + w.declaredIn() + " (line " + w.line() + ") expired on " + w.expires() + " and no longer applies: "
                      + w.reason(),
                  Optional.empty(), Optional.empty()));
            }
            continue;
          }
          result = f.withSuppression(new Suppression(policyOf(w, set), w.reason(), w.expires()));
          break;
        }
      }
      out.add(result);
    }
    return out;
  }

  private static String policyOf(RuleWaiver w, PolicySet set) {
    for (Policy p : set.policies()) {
      if (p.exceptions().contains(w)) {
        return p.name();
      }
    }
    return w.declaredIn();
  }

  private static boolean matches(RuleWaiver w, Finding f, RuleContext ctx) {
    if (!w.rule().equals(f.rule())) {
      return false;
    }
    if (w.policy().isPresent() && !f.policy().equals(w.policy())) {
      return false;
    }
    if (!w.images().isEmpty()) {
      if (ctx.image().isEmpty()) {
        return false;
      }
      ImageFacts image = ctx.image().get();
      List<String> names = new ArrayList<>();
      names.add(image.reference());
      names.add(image.walk().manifestCheck().digest().toString());
      image.name().ifPresent(n -> {
        names.add(n.toString());
        names.add(n.familiar());
        names.add(n.repository());
      });
      if (names.stream().noneMatch(n -> w.images().stream().anyMatch(p -> BuiltinRules.glob(p, n)))) {
        return false;
      }
    }
    if (!w.paths().isEmpty()) {
      Optional<String> path = f.location().flatMap(l -> l instanceof Location.InImage in ? in.path() : Optional.empty());
      if (path.isEmpty() || w.paths().stream().noneMatch(p -> BuiltinRules.glob(p, path.get()))) {
        return false;
      }
    }
    return true;
  }
}
