package io.jscan.verifier.files;

/**
 * Bounds on what one verification reads and keeps, so that a hostile image cannot exhaust time or
 * memory. Exceeding a limit is a finding (an integrity failure: content that could not be checked
 * is not trusted), never an out-of-memory error.
 *
 * @param maxLayerUncompressedBytes a layer that decompresses to more than this is a decompression bomb
 * @param maxCompressionRatio uncompressed/compressed bytes above which a layer is a bomb...
 * @param ratioFloorBytes ...once it has produced more than this many bytes (small layers of zeros are common)
 * @param maxEntries tar entries in the whole image whose metadata is kept for the merged-filesystem checks
 * @param largeFileThreshold files at least this large are listed in the file summary
 * @param scanSecrets whether file content is scanned for secrets
 * @param maxListed entries listed per kind (setuid files, secrets...) in the policy input; counts stay exact
 */
public record ScanLimits(
    long maxLayerUncompressedBytes,
    long maxCompressionRatio,
    long ratioFloorBytes,
    int maxEntries,
    long largeFileThreshold,
    boolean scanSecrets,
    int maxListed) {

  public ScanLimits {
    if (maxLayerUncompressedBytes <= 0 || maxCompressionRatio <= 0 || ratioFloorBytes < 0 || maxEntries <= 0
        || largeFileThreshold <= 0 || maxListed <= 0) {
      throw new IllegalArgumentException("scan limits must be positive");
    }
  }

  /** 16 GiB per layer, ratio 200:1 past 64 MiB, 1,000,000 entries, files of 100 MB and more listed. */
  public static ScanLimits defaults() {
    return new ScanLimits(16L << 30, 200, 64L << 20, 1_000_000, 100_000_000L, true, 100);
  }

  public ScanLimits withMaxLayerUncompressedBytes(long bytes) {
    return new ScanLimits(bytes, maxCompressionRatio, ratioFloorBytes, maxEntries, largeFileThreshold, scanSecrets, maxListed);
  }

  public ScanLimits withCompressionRatio(long ratio, long floorBytes) {
    return new ScanLimits(maxLayerUncompressedBytes, ratio, floorBytes, maxEntries, largeFileThreshold, scanSecrets, maxListed);
  }

  public ScanLimits withMaxEntries(int entries) {
    return new ScanLimits(maxLayerUncompressedBytes, maxCompressionRatio, ratioFloorBytes, entries, largeFileThreshold, scanSecrets, maxListed);
  }

  public ScanLimits withLargeFileThreshold(long bytes) {
    return new ScanLimits(maxLayerUncompressedBytes, maxCompressionRatio, ratioFloorBytes, maxEntries, bytes, scanSecrets, maxListed);
  }

  public ScanLimits withScanSecrets(boolean scan) {
    return new ScanLimits(maxLayerUncompressedBytes, maxCompressionRatio, ratioFloorBytes, maxEntries, largeFileThreshold, scan, maxListed);
  }
}
