package io.jscan.server;

import io.jscan.core.text.Durations;
import io.jscan.core.transport.ImageName;
import io.jscan.server.AdmissionResponse.PatchOperation;
import io.jscan.server.ImageOutcome.Issue;
import io.jscan.server.ImageOutcome.Judged;
import io.jscan.server.ImageOutcome.Rejected;
import io.jscan.server.ImageOutcome.Unverifiable;
import io.jscan.server.LoadedPolicies.Selection;
import io.jscan.server.PodImages.ImageUse;
import io.jscan.verifier.policy.FailureMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Decides admission reviews: finds the images of the object, picks the policies for each, has
 * {@link ImageChecks} verify them within the request's deadline, and words the answer.
 *
 * <p>{@code /validate} allows or denies, with warnings. {@code /mutate} makes the same decision
 * and, when it allows, pins each image it verified by tag to the digest it verified
 * ({@code name:tag@sha256:…}, which the kubelet pulls by digest), so that what runs is what was
 * checked even if the tag moves afterwards. Warnings are given by {@code /validate} only, so
 * kubectl does not print each twice when both webhooks are installed.
 */
public final class AdmissionController {
  /** More findings than this for one image are summarised ("and N more"), to keep the message readable. */
  static final int MAX_ISSUES_PER_IMAGE = 10;
  static final int MAX_WARNINGS = 30;

  /** Which webhook is asking. */
  public enum Endpoint {
    VALIDATE,
    MUTATE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What a review came to, for the metrics and the log. */
  public record Decision(AdmissionResponse response, String result) {}

  private final PolicyStore policies;
  private final ImageChecks checks;
  private final ServeOptions options;
  private final Metrics metrics;
  private final ServerLog log;

  public AdmissionController(PolicyStore policies, ImageChecks checks, ServeOptions options, Metrics metrics, ServerLog log) {
    this.policies = policies;
    this.checks = checks;
    this.options = options;
    this.metrics = metrics;
    this.log = log;
  }

  /** Answers one review body received at {@code startNanos} ({@link System#nanoTime}). */
  public Decision review(byte[] body, Endpoint endpoint, long startNanos) throws BadReviewException {
    AdmissionRequest request = AdmissionRequest.parse(body);
    long deadlineNanos = startNanos + options.requestTimeout().toNanos();
    if (!request.operation().equals("CREATE") && !request.operation().equals("UPDATE")) {
      return decided(endpoint, allow(request, List.of(), List.of()));
    }
    // CREATE and UPDATE always carry the object (AdmissionRequest.parse checks it)
    Optional<List<ImageUse>> uses = PodImages.of(request.kind(), request.object().orElseThrow());
    if (uses.isEmpty()) {
      String warning = "jscan: " + request.kind() + " is not a kind jscan knows how to read images from; admitted without verification";
      log.warn(endpoint.label() + " " + request.operation() + " " + request.kind() + " " + request.objectName() + ": unknown kind, admitted with a warning");
      return decided(endpoint, allow(request, List.of(warning), List.of()));
    }
    List<ImageUse> toCheck = uses.get();
    if (request.operation().equals("UPDATE") && request.oldObject().isPresent()) {
      toCheck = PodImages.changed(toCheck, PodImages.of(request.kind(), request.oldObject().get()).orElse(List.of()));
    }
    List<String> denials = new ArrayList<>();
    Map<String, List<ImageUse>> byImage = new LinkedHashMap<>();
    for (ImageUse u : toCheck) {
      if (u.malformed().isPresent()) {
        // no node can pull it, whatever the policies say; and what jscan cannot read, it has not judged
        metrics.images.inc("invalid");
        denials.add("image " + u.image() + " (" + u.describe() + "): not a valid image reference: " + u.malformed().get());
        continue;
      }
      byImage.computeIfAbsent(u.image(), k -> new ArrayList<>()).add(u);
    }
    if (byImage.size() > options.maxImagesPerReview()) {
      // refused before anything is fetched: one review must not take the registry work of hundreds
      metrics.overImageLimit.inc();
      String message = "jscan: the " + request.kind().kind() + " names " + byImage.size() + " images; jscan serve verifies at most "
          + options.maxImagesPerReview() + " in one request (--max-images)";
      log.warn(endpoint.label() + " " + request.operation() + " " + request.kind().kind() + " " + request.objectName() + ": "
          + message.substring("jscan: ".length()) + ", denied");
      return decided(endpoint, new AdmissionResponse(request.apiVersion(), request.uid(), false, Optional.of(message), List.of(), List.of()));
    }

    try (ImageChecks.Request share = checks.request(deadlineNanos)) {
      return judge(request, endpoint, byImage, denials, share, deadlineNanos);
    }
  }

  /** The verdicts on the well-formed images, within the request's deadline, added to {@code denials} (the malformed ones). */
  private Decision judge(
      AdmissionRequest request, Endpoint endpoint, Map<String, List<ImageUse>> byImage, List<String> denials, ImageChecks.Request share,
      long deadlineNanos) {
    LoadedPolicies loaded = policies.current();
    Map<String, Pending> pending = new LinkedHashMap<>();
    for (String image : byImage.keySet()) {
      pending.put(image, start(image, request.namespace(), loaded, share));
    }
    List<String> warnings = new ArrayList<>();
    List<PatchOperation> patch = new ArrayList<>();
    for (Map.Entry<String, Pending> e : pending.entrySet()) {
      String image = e.getKey();
      List<ImageUse> where = byImage.get(image);
      String subject = "image " + image + " (" + String.join(", ", where.stream().map(ImageUse::describe).toList()) + ")";
      Pending p = e.getValue();
      if (p.invalid().isPresent()) {
        metrics.images.inc("invalid");
        denials.add(subject + ": not a valid image reference: " + p.invalid().get());
        continue;
      }
      if (p.selection().isEmpty()) {
        if (options.noMatch() == FailureMode.DENY) {
          metrics.images.inc("no_policy_denied");
          denials.add(subject + ": no policy applies to it in namespace " + quoted(request.namespace()) + " (jscan serve --no-match deny)");
        } else {
          metrics.images.inc("no_policy_allowed");
        }
        continue;
      }
      ImageOutcome outcome = await(p.outcome().orElseThrow(), deadlineNanos);
      Selection selection = p.selection().get();
      if (outcome instanceof Judged j) {
        if (!j.passed()) {
          metrics.images.inc("violation");
          denials.add(subject + ": " + issues(j.violations()));
        } else {
          metrics.images.inc("passed");
          if (endpoint == Endpoint.MUTATE && p.name().isPresent() && p.name().get().digest().isEmpty()) {
            for (ImageUse u : where) {
              patch.add(PatchOperation.replace(u.pointer(), image + "@" + j.digest()));
            }
          }
        }
        for (Issue w : j.warnings()) {
          warnings.add(subject + ": " + w);
        }
      } else if (outcome instanceof Unverifiable u) {
        if (u.timedOut()) {
          metrics.deadlines.inc();
        }
        if (selection.failureMode() == FailureMode.DENY) {
          metrics.images.inc("unverified_denied");
          denials.add(subject + ": could not be verified: " + u.reason() + " (failureMode deny: policy " + selection.failureModeSource() + ")");
        } else {
          metrics.images.inc("unverified_allowed");
          warnings.add(subject + ": not verified, admitted because failureMode is allow (policy " + selection.failureModeSource() + "): " + u.reason());
        }
        log.warn(endpoint.label() + " " + request.objectName() + ": " + subject + " could not be verified: " + u.reason()
            + " (failureMode " + selection.failureMode().label() + ")");
      } else if (outcome instanceof Rejected r) {
        metrics.images.inc("invalid");
        denials.add(subject + ": " + r.reason());
      }
    }
    if (endpoint == Endpoint.MUTATE) {
      warnings.clear(); // /validate gives them; once is enough
    }
    if (warnings.size() > MAX_WARNINGS) {
      int more = warnings.size() - (MAX_WARNINGS - 1);
      warnings = new ArrayList<>(warnings.subList(0, MAX_WARNINGS - 1));
      warnings.add("jscan: and " + more + " more warnings");
    }
    if (!denials.isEmpty()) {
      String message = "jscan: " + String.join("; ", denials);
      log.info(endpoint.label() + " denied " + request.operation() + " " + request.kind().kind() + " " + request.objectName()
          + request.username().map(u -> " by " + u).orElse("") + (request.dryRun() ? " (dry run)" : "") + ": " + message);
      return decided(endpoint, new AdmissionResponse(request.apiVersion(), request.uid(), false, Optional.of(message), warnings, List.of()));
    }
    return decided(endpoint, allow(request, warnings, patch));
  }

  /**
   * One image of the request: its parsed name (or why it is not an image reference), the policies
   * that apply and, when some do, its verification under way.
   */
  private record Pending(
      Optional<ImageName> name, Optional<String> invalid, Optional<Selection> selection, Optional<CompletableFuture<ImageOutcome>> outcome) {}

  private Pending start(String image, String namespace, LoadedPolicies loaded, ImageChecks.Request share) {
    ImageName name;
    try {
      name = ImageName.parse(image);
    } catch (IllegalArgumentException e) {
      // no node can pull it either; refused whatever the policies say
      return new Pending(Optional.empty(), Optional.of(e.getMessage()), Optional.empty(), Optional.empty());
    }
    LinkedHashSet<String> names = new LinkedHashSet<>();
    names.add(image);
    names.add(name.toString());
    names.add(name.repository());
    names.add(name.familiar());
    Optional<Selection> selection = loaded.select(namespace, names);
    if (selection.isEmpty()) {
      return new Pending(Optional.of(name), Optional.empty(), selection, Optional.empty());
    }
    return new Pending(Optional.of(name), Optional.empty(), selection, Optional.of(checks.check(image, name, selection.get(), loaded.limits(), share)));
  }

  private ImageOutcome await(CompletableFuture<ImageOutcome> f, long deadlineNanos) {
    long left = deadlineNanos - System.nanoTime();
    try {
      return left <= 0 ? f.getNow(timedOut()) : f.get(left, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return timedOut();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Unverifiable("the server is shutting down", false);
    } catch (ExecutionException e) {
      return new Unverifiable("internal error: " + e.getCause(), false); // check() completes normally; kept for safety
    }
  }

  private ImageOutcome timedOut() {
    return new Unverifiable("verification did not finish within the request's deadline of "
        + Durations.format(options.requestTimeout()) + " (if it started, it goes on in the background and a retry will find the result)", true);
  }

  private static String issues(List<Issue> issues) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < issues.size() && i < MAX_ISSUES_PER_IMAGE; i++) {
      parts.add(issues.get(i).toString());
    }
    if (issues.size() > MAX_ISSUES_PER_IMAGE) {
      parts.add("and " + (issues.size() - MAX_ISSUES_PER_IMAGE) + " more");
    }
    return String.join("; ", parts);
  }

  private static String quoted(String namespace) {
    return namespace.isEmpty() ? "(cluster scope)" : namespace;
  }

  private static AdmissionResponse allow(AdmissionRequest request, List<String> warnings, List<PatchOperation> patch) {
    return new AdmissionResponse(request.apiVersion(), request.uid(), true, Optional.empty(), warnings, patch);
  }

  private Decision decided(Endpoint endpoint, AdmissionResponse response) {
    String result = !response.allowed() ? "denied" : response.warnings().isEmpty() ? "allowed" : "warned";
    metrics.decisions.inc(endpoint.label(), result);
    return new Decision(response, result);
  }
}
