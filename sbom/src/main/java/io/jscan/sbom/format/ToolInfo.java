package io.jscan.sbom.format;

/** The tool named as the SBOM's creator ({@code jscan} and its version). */
public record ToolInfo(String name, String version) {
  public ToolInfo {
    if (name == null || name.isBlank() || version == null || version.isBlank()) {
      throw new IllegalArgumentException("tool name and version must be given");
    }
  }

  public static ToolInfo jscan(String version) {
    return new ToolInfo("jscan", version);
  }
}
