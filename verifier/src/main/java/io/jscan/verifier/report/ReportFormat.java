package io.jscan.verifier.report;

/** The report formats ({@code --output}). */
public enum ReportFormat {
  text,
  json,
  sarif
}
