package io.jscan.verifier.integrity;

import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.Manifest;
import io.jscan.verifier.Finding;
import io.jscan.verifier.LayerReport;
import io.jscan.verifier.PartCheck;
import io.jscan.verifier.files.MergedFilesystemCheck;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What walking one image found: the checks of its parts (for the report tree), the integrity
 * findings, the parsed manifest and config when they could be trusted, and the merged-filesystem
 * result (file facts and counts) when every layer could be read.
 */
public record WalkResult(
    PartCheck manifestCheck,
    Optional<PartCheck> configCheck,
    Optional<Manifest> manifest,
    Optional<ImageConfig> config,
    List<LayerReport> layers,
    List<Finding> findings,
    Optional<MergedFilesystemCheck.Result> files) {
  public WalkResult {
    Objects.requireNonNull(manifestCheck, "manifestCheck");
    Objects.requireNonNull(configCheck, "configCheck");
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(config, "config");
    layers = List.copyOf(layers);
    findings = List.copyOf(findings);
    Objects.requireNonNull(files, "files");
  }

  /** Whether any integrity failure (not a warning) was found. */
  public boolean failed() {
    return findings.stream().anyMatch(Finding::blocking);
  }
}
