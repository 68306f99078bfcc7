package io.jscan.cli;

import io.jscan.core.io.AtomicFiles;
import io.jscan.verifier.VerificationReport;
import io.jscan.verifier.policy.PolicySet;
import io.jscan.verifier.report.JsonReport;
import io.jscan.verifier.report.ReportFormat;
import io.jscan.verifier.report.SarifReport;
import io.jscan.verifier.report.TextReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Writes a verification report in the chosen format, to standard output or to a file (temp file, then rename). */
final class ReportOutput {
  private ReportOutput() {}

  static void write(
      VerificationReport report, PolicySet policies, ReportFormat format, Path file, PrintWriter out, PrintWriter err, Map<String, String> env)
      throws IOException {
    String version = Jscan.Version.version();
    StringWriter buffer = new StringWriter();
    PrintWriter target = new PrintWriter(buffer);
    switch (format) {
      case json -> JsonReport.write(report, version, target);
      case sarif -> SarifReport.write(report, policies, version, target);
      case text -> new TextReport(file == null && TextReport.colourWanted(env)).write(report, target);
    }
    target.flush();
    if (file == null) {
      out.print(buffer);
      out.flush();
      return;
    }
    Path absolute = file.toAbsolutePath();
    // nothing half-written: the report appears whole under its name, or not at all
    AtomicFiles.write(absolute, buffer.toString().getBytes(StandardCharsets.UTF_8), absolute.getParent());
    err.println("jscan: " + format + " report written to " + file + " (" + report.verdict().label() + ")");
    err.flush();
  }

  static ExitCode exitCode(VerificationReport report) {
    return switch (report.verdict()) {
      case PASSED -> ExitCode.OK;
      case POLICY_VIOLATION -> ExitCode.POLICY_VIOLATION;
      case INTEGRITY_FAILURE -> ExitCode.INTEGRITY_FAILURE;
    };
  }
}
