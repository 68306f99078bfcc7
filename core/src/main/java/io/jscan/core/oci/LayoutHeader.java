package io.jscan.core.oci;

/**
 * The {@code oci-layout} file of an image layout (image-layout.md "oci-layout file"). Only version
 * 1.0.0 exists; any other value means a layout jscan cannot know how to read, so it is refused.
 */
public record LayoutHeader(String imageLayoutVersion) {
  public static final String VERSION_1_0_0 = "1.0.0";
  public static final LayoutHeader CURRENT = new LayoutHeader(VERSION_1_0_0);

  public LayoutHeader {
    if (!VERSION_1_0_0.equals(imageLayoutVersion)) {
      throw new IllegalArgumentException(
          "invalid oci-layout: unsupported imageLayoutVersion \"" + imageLayoutVersion + "\" (expected 1.0.0)");
    }
  }
}
