package io.jscan.core.oci;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * ChainIDs (image-spec config.md "Layer ChainID"): the identity of a stack of layers.
 * {@code ChainID(L0) = DiffID(L0)} and {@code ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln))},
 * hashed over the digests' string forms. Runtimes and layer caches key applied layer stacks by it.
 */
public final class ChainIds {
  private ChainIds() {}

  /** The ChainID of every prefix of {@code diffIds}: element n identifies layers 0..n applied in order. */
  public static List<Digest> of(List<Digest> diffIds) {
    List<String> strings = new ArrayList<>(diffIds.size());
    for (Digest d : diffIds) {
      strings.add(d.toString());
    }
    List<Digest> result = new ArrayList<>(diffIds.size());
    List<String> chain = ofStrings(strings);
    for (int i = 0; i < chain.size(); i++) {
      // the first element is the first diff_id itself; the others are sha256 values we made
      result.add(i == 0 ? diffIds.get(0) : Digest.parse(chain.get(i)));
    }
    return List.copyOf(result);
  }

  /** The ChainID of the whole stack; the stack must not be empty. */
  public static Digest top(List<Digest> diffIds) {
    if (diffIds.isEmpty()) {
      throw new IllegalArgumentException("a ChainID needs at least one layer");
    }
    List<Digest> all = of(diffIds);
    return all.get(all.size() - 1);
  }

  /**
   * The same rule over digest strings as written. The rule is defined on the text, and the spec's
   * own test vectors (identity/chainid_test.go) use abbreviated digests such as {@code sha256:a},
   * which are not valid {@link Digest}s; this form lets conformance tests run those vectors as they are.
   */
  public static List<String> ofStrings(List<String> diffIds) {
    List<String> result = new ArrayList<>(diffIds.size());
    String previous = null;
    for (String diffId : diffIds) {
      String next;
      if (previous == null) {
        next = diffId;
      } else {
        MessageDigest sha256 = Digest.sha256Digest();
        byte[] hash = sha256.digest((previous + " " + diffId).getBytes(StandardCharsets.UTF_8));
        next = Digest.SHA256 + ":" + HexFormat.of().formatHex(hash);
      }
      result.add(next);
      previous = next;
    }
    return List.copyOf(result);
  }
}
