package io.jscan.sbom.format;

import io.jscan.sbom.model.Sbom;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The output formats of {@code jscan sbom}. */
public enum SbomFormat {
  CYCLONEDX_JSON("cyclonedx-json"),
  SPDX_JSON("spdx-json"),
  TABLE("table");

  private final String id;

  SbomFormat(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static SbomFormat parse(String id) {
    for (SbomFormat f : values()) {
      if (f.id.equals(id)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown SBOM format \"" + id + "\" (cyclonedx-json, spdx-json, table)");
  }

  public void write(Sbom sbom, ToolInfo tool, OutputStream out) throws IOException {
    switch (this) {
      case CYCLONEDX_JSON -> CycloneDxWriter.write(sbom, tool, out);
      case SPDX_JSON -> SpdxWriter.write(sbom, tool, out);
      case TABLE -> TableWriter.write(sbom, out);
    }
  }

  public String toString(Sbom sbom, ToolInfo tool) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      write(sbom, tool, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return id;
  }
}
