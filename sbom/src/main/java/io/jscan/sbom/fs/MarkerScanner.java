package io.jscan.sbom.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Finds a byte marker at aligned offsets, in a buffer or while copying a stream. */
public final class MarkerScanner {
  private MarkerScanner() {}

  private static final int BUFFER = 1 << 16;
  private static final int MAX_SHARED_CARRY = 64;
  /**
   * A read buffer and a scan window per thread: an image has hundreds of executables to scan, and
   * two fresh arrays for each were most of the garbage a catalogue made.
   */
  private static final ThreadLocal<byte[][]> SCRATCH =
      ThreadLocal.withInitial(() -> new byte[][] {new byte[BUFFER], new byte[BUFFER + MAX_SHARED_CARRY]});

  /** First offset (a multiple of {@code alignment}) where {@code marker} starts, or -1. */
  public static int indexOf(byte[] data, int length, byte[] marker, int alignment) {
    byte first = marker[0];
    outer:
    for (int i = 0; i + marker.length <= length; i += alignment) {
      if (data[i] != first) {
        continue;
      }
      for (int k = 1; k < marker.length; k++) {
        if (data[i + k] != marker[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * Copies {@code in} to {@code out} and tells whether the marker occurred at an aligned offset
   * (offsets counted from the start of the stream; matches spanning buffer reads are found).
   */
  public static boolean copyAndScan(InputStream in, OutputStream out, byte[] marker, int alignment) throws IOException {
    // keep the last marker.length - 1 bytes so that a marker across two reads is found
    int carryMax = marker.length - 1;
    byte[][] buffers = carryMax <= MAX_SHARED_CARRY ? SCRATCH.get() : new byte[][] {new byte[BUFFER], new byte[BUFFER + carryMax]};
    byte[] buf = buffers[0];
    byte[] window = buffers[1];
    int carry = 0;
    long windowStart = 0; // stream offset of window[0]
    boolean found = false;
    for (int n; (n = in.read(buf)) >= 0; ) {
      if (n == 0) {
        continue;
      }
      out.write(buf, 0, n);
      if (found) {
        continue;
      }
      System.arraycopy(buf, 0, window, carry, n);
      int len = carry + n;
      // first aligned stream offset at or after windowStart
      long firstAligned = ((windowStart + alignment - 1) / alignment) * alignment;
      int start = (int) (firstAligned - windowStart);
      byte first = marker[0];
      outer:
      for (int i = start; i + marker.length <= len; i += alignment) {
        if (window[i] != first) {
          continue;
        }
        for (int k = 1; k < marker.length; k++) {
          if (window[i + k] != marker[k]) {
            continue outer;
          }
        }
        found = true;
        break;
      }
      int keep = Math.min(carryMax, len);
      System.arraycopy(window, len - keep, window, 0, keep);
      windowStart += len - keep;
      carry = keep;
    }
    return found;
  }
}
