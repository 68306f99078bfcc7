package io.jscan.signing.bundle;

import io.jscan.core.oci.Digest;
import java.security.MessageDigest;
import java.util.List;

/** RFC 9162 (Certificate Transparency 2.0) Merkle tree hashing and inclusion proof verification. */
final class Merkle {
  private Merkle() {}

  /** MTH of a single entry: SHA-256(0x00 || leaf) (RFC 9162 section 2.1.1). */
  static byte[] leafHash(byte[] leaf) {
    MessageDigest md = Digest.sha256Digest();
    md.update((byte) 0x00);
    md.update(leaf);
    return md.digest();
  }

  static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest md = Digest.sha256Digest();
    md.update((byte) 0x01);
    md.update(left);
    md.update(right);
    return md.digest();
  }

  /**
   * Whether {@code proof} shows the leaf with {@code leafHash} at {@code index} is in the tree of
   * {@code treeSize} leaves whose root is {@code root}: the algorithm of RFC 9162 section 2.1.3.2,
   * step by step.
   */
  static boolean verifyInclusion(long index, long treeSize, byte[] leafHash, List<byte[]> proof, byte[] root) {
    if (index < 0 || index >= treeSize) {
      return false;
    }
    long fn = index;
    long sn = treeSize - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (p.length != 32 || sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = nodeHash(p, r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        r = nodeHash(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(r, root);
  }
}
