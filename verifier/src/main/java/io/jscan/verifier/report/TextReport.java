package io.jscan.verifier.report;

import io.jscan.core.text.Printable;
import io.jscan.core.transport.ImageCopy;
import io.jscan.signing.oci.ImageEvidenceVerifier;
import io.jscan.verifier.Evidence;
import io.jscan.verifier.Finding;
import io.jscan.verifier.ImageReport;
import io.jscan.verifier.LayerReport;
import io.jscan.verifier.Mode;
import io.jscan.verifier.PartCheck;
import io.jscan.verifier.RuleResult;
import io.jscan.verifier.Severity;
import io.jscan.verifier.Verdict;
import io.jscan.verifier.VerificationReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The text report: a tree of each image (manifest, config, each layer with its size and the
 * instruction that made it, ✔ or ✖) and the signatures and attestations that verified for it (who
 * signed, where it is stored, the transparency log entry), the findings grouped by the level they
 * are reported at ({@link Finding#level()}), the rule results, and a one-line summary. Colour (ANSI) only when asked, which the command line does only on a terminal
 * without {@code NO_COLOR}.
 */
public final class TextReport {
  private static final String OK = "✔";
  private static final String FAIL = "✖";
  private static final String WARN = "!";

  private final boolean colour;

  public TextReport(boolean colour) {
    this.colour = colour;
  }

  /** Whether colour suits the current process: a console, and no {@code NO_COLOR} (no-color.org). */
  public static boolean colourWanted(Map<String, String> env) {
    String noColour = env.get("NO_COLOR");
    return System.console() != null && (noColour == null || noColour.isEmpty());
  }

  public void write(VerificationReport report, PrintWriter out) {
    if (report.images().isEmpty() && report.subjectDigest().isEmpty()) {
      out.println(bold("Dockerfile " + p(report.subject())));
    } else {
      out.println(bold("Image " + p(report.subject())) + report.subjectDigest().map(d -> " (" + d + ")").orElse(""));
    }
    report.copy().ifPresent(copy -> {
      // which bytes were verified: a name can mean the local store's image or the registry's
      out.println("Copy      " + p(copy.describe()));
      if (copy.origin() == ImageCopy.Origin.STORE) {
        out.println("Registry  " + p(copy.comparisonSummary()));
      }
    });
    for (ImageReport image : report.images()) {
      tree(image, out);
      signatures(image.evidence(), out);
    }
    List<Finding> all = report.allFindings();
    out.println();
    if (all.isEmpty()) {
      out.println(green(OK) + " no findings");
    } else {
      out.println(bold("Findings"));
      for (Severity s : Severity.values()) {
        List<Finding> group = all.stream().filter(f -> f.level() == s && f.suppression().isEmpty()).toList();
        if (!group.isEmpty()) {
          out.println("  " + s.label() + " (" + group.size() + ")");
          for (Finding f : group) {
            out.println("    " + line(f));
          }
        }
      }
      List<Finding> waived = all.stream().filter(f -> f.suppression().isPresent()).toList();
      if (!waived.isEmpty()) {
        out.println("  waived (" + waived.size() + ")");
        for (Finding f : waived) {
          var s = f.suppression().get();
          out.println("    - " + p(describe(f) + " — waived by " + s.policy() + " until " + s.expires() + ": " + s.reason()));
        }
      }
    }
    rules(report, out);
    out.println();
    out.println(summary(report));
    out.flush();
  }

  private void tree(ImageReport image, PrintWriter out) {
    out.println();
    PartCheck m = image.manifest();
    out.println(bold("image " + m.digest()) + image.platform().map(pl -> "  " + p(String.valueOf(pl))).orElse(""));
    boolean hasConfig = image.config().isPresent();
    out.println("├── " + mark(m.verified()) + " manifest  " + m.digest().algorithm() + ":" + m.digest().shortHex() + "  "
        + Humans.size(m.size()) + "  " + p(m.mediaType()));
    String branch = image.layers().isEmpty() ? "└── " : "├── ";
    if (hasConfig) {
      PartCheck c = image.config().get();
      out.println(branch + mark(c.verified()) + " config    " + c.digest().algorithm() + ":" + c.digest().shortHex() + "  "
          + Humans.size(c.size()));
    }
    if (image.layers().isEmpty()) {
      return;
    }
    long compressed = image.compressedSize();
    boolean allKnown = image.layers().stream().allMatch(l -> l.uncompressedSize().isPresent());
    long uncompressed = image.layers().stream().mapToLong(l -> l.uncompressedSize().orElse(0)).sum();
    out.println("└── layers: " + image.layers().size() + " (" + Humans.size(compressed) + " compressed"
        + (allKnown ? ", " + Humans.size(uncompressed) + " uncompressed" : "") + ")");
    for (int i = 0; i < image.layers().size(); i++) {
      LayerReport l = image.layers().get(i);
      String prefix = i == image.layers().size() - 1 ? "    └── " : "    ├── ";
      String sizes = Humans.size(l.size()) + (l.uncompressedSize().isPresent() ? " → " + Humans.size(l.uncompressedSize().getAsLong()) : "");
      out.println(prefix + mark(l.verified()) + " " + l.position() + "  " + l.digest().algorithm() + ":" + l.digest().shortHex()
          + "  " + sizes + l.createdBy().map(c -> "  " + p(Humans.clip(c, 70))).orElse(""));
    }
  }

  /**
   * Each signature and attestation that verified: what it is and where it is stored, who signed
   * it (the key as given, with its fingerprint, or the certificate's identity and issuer), and the
   * transparency log entry verified with it. Those that did not verify are findings; unsigned
   * statements found with the image are listed as such (they decide nothing).
   */
  private void signatures(Evidence evidence, PrintWriter out) {
    List<String> lines = new ArrayList<>();
    for (Evidence.Signature s : evidence.signatures()) {
      if (s.verified()) {
        lines.add(green(OK) + " signature (" + storage(s.kind(), ".sig") + ")  " + signer(s.identity(), s.logIndex()));
      }
    }
    for (Evidence.Attestation a : evidence.attestations()) {
      if (a.verified()) {
        lines.add(green(OK) + " attestation " + p(a.predicateType()) + " (" + storage(a.kind(), ".att") + ")  " + signer(a.identity(), a.logIndex()));
      }
    }
    for (Evidence.Attachment a : evidence.attachments()) {
      lines.add("- unsigned statement " + p(a.predicateType()) + " (referrer " + a.artifact().algorithm() + ":" + a.artifact().shortHex()
          + ")  not signed: decides no rule");
    }
    if (lines.isEmpty()) {
      return;
    }
    out.println();
    out.println(bold("Signatures and attestations"));
    for (String line : lines) {
      out.println("  " + line);
    }
  }

  private static String storage(String kind, String cosignTag) {
    return switch (kind) {
      case ImageEvidenceVerifier.COSIGN -> "cosign " + cosignTag + " tag";
      case ImageEvidenceVerifier.BUNDLE -> "Sigstore bundle referrer";
      default -> p(kind);
    };
  }

  private static String signer(Optional<String> identity, Optional<Long> logIndex) {
    return identity.map(i -> "signed by " + p(i)).orElse("signer not reported") + "  "
        + logIndex.map(i -> "transparency log index " + i).orElse("no transparency log entry verified");
  }

  private void rules(VerificationReport report, PrintWriter out) {
    List<RuleResult> results = new ArrayList<>(report.rules());
    for (ImageReport i : report.images()) {
      results.addAll(i.rules());
    }
    if (results.isEmpty()) {
      return;
    }
    out.println();
    out.println(bold("Rules"));
    for (RuleResult r : results) {
      String mark = switch (r.status()) {
        case PASSED -> green(OK);
        case FAILED -> red(FAIL);
        case WARNED, WAIVED -> yellow(WARN);
        case SKIPPED -> "-";
      };
      out.println("  " + mark + " " + p(r.policy() + "/" + r.rule()) + "  " + r.status().label() + (r.detail().isEmpty() ? "" : ": " + p(r.detail())));
    }
  }

  private String line(Finding f) {
    String mark = f.blocking() ? red(FAIL) : f.level() == Severity.INFO ? "·" : yellow(WARN);
    return mark + " " + p(describe(f));
  }

  private static String describe(Finding f) {
    StringBuilder b = new StringBuilder(f.rule());
    List<String> tags = new ArrayList<>();
    f.policy().ifPresent(tags::add);
    if (f.mode() == Mode.WARN) {
      tags.add("warn");
    }
    if (!tags.isEmpty()) {
      b.append(" (").append(String.join(", ", tags)).append(')');
    }
    f.location().ifPresent(l -> b.append("  ").append(l.describe()));
    b.append(": ").append(f.message());
    return b.toString();
  }

  private String summary(VerificationReport report) {
    Verdict v = report.verdict();
    String word = switch (v) {
      case PASSED -> green("PASSED");
      case POLICY_VIOLATION -> red("FAILED") + " (policy violations)";
      case INTEGRITY_FAILURE -> red("FAILED") + " (integrity or signature failure)";
    };
    long waived = report.allFindings().stream().filter(f -> f.suppression().isPresent()).count();
    StringBuilder b = new StringBuilder(word);
    b.append(": ").append(Humans.plural(report.count(Severity.ERROR), "error"))
        .append(", ").append(Humans.plural(report.count(Severity.WARNING), "warning"))
        .append(", ").append(report.count(Severity.INFO)).append(" info");
    if (waived > 0) {
      b.append(" (").append(waived).append(" waived)");
    }
    if (!report.images().isEmpty()) {
      long layers = report.images().stream().mapToLong(i -> i.layers().size()).sum();
      long bytes = report.images().stream().mapToLong(ImageReport::compressedSize).sum();
      b.append("; ").append(Humans.plural(report.images().size(), "image")).append(", ").append(Humans.plural(layers, "layer"))
          .append(", ").append(Humans.size(bytes));
    }
    b.append(String.format(Locale.ROOT, " in %.1f s", report.elapsed().toMillis() / 1000.0));
    return b.toString();
  }

  /**
   * Text from the image, a registry, a signature or a policy, escaped ({@link Printable}): a file
   * named {@code \e[2J\e[32mPASSED} must not clear the screen and paint a verdict. Only the
   * colours this class adds reach the terminal as escape sequences.
   */
  private static String p(String text) {
    return Printable.escape(text);
  }

  private String mark(boolean ok) {
    return ok ? green(OK) : red(FAIL);
  }

  private String green(String s) {
    return colour ? "\u001b[32m" + s + "\u001b[0m" : s;
  }

  private String red(String s) {
    return colour ? "\u001b[31m" + s + "\u001b[0m" : s;
  }

  private String yellow(String s) {
    return colour ? "\u001b[33m" + s + "\u001b[0m" : s;
  }

  private String bold(String s) {
    return colour ? "\u001b[1m" + s + "\u001b[0m" : s;
  }
}
