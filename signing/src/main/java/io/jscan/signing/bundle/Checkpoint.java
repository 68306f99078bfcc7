package io.jscan.signing.bundle;

import io.jscan.signing.SigningException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A transparency log checkpoint in the signed-note format (c2sp.org/tlog-checkpoint and
 * c2sp.org/signed-note): the note text {@code origin\nsize\nbase64(root)\n[extensions]} followed by
 * a blank line and signature lines {@code — <name> base64(keyhint[4] || signature)}.
 */
record Checkpoint(String origin, long size, byte[] rootHash, byte[] signedText, List<NoteSignature> signatures) {
  record NoteSignature(String name, byte[] keyHint, byte[] signature) {}

  Checkpoint {
    Objects.requireNonNull(origin, "origin");
    signatures = List.copyOf(signatures);
  }

  static Checkpoint parse(String envelope) throws SigningException {
    String what = "parsing checkpoint";
    int split = envelope.indexOf("\n\n");
    if (split < 0) {
      throw SigningException.integrity(what, "no blank line between the note and its signatures");
    }
    String text = envelope.substring(0, split + 1);
    String[] lines = text.split("\n", -1);
    if (lines.length < 4) {
      throw SigningException.integrity(what, "the note needs origin, size and root hash lines");
    }
    long size;
    byte[] root;
    try {
      size = Long.parseUnsignedLong(lines[1]);
      root = Base64.getDecoder().decode(lines[2]);
    } catch (IllegalArgumentException e) {
      throw SigningException.integrity(what, "malformed size or root hash line");
    }
    List<NoteSignature> sigs = new ArrayList<>();
    for (String line : envelope.substring(split + 2).split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      // "— " is U+2014 EM DASH then a space (signed-note)
      if (!line.startsWith("\u2014 ")) {
        throw SigningException.integrity(what, "malformed signature line");
      }
      String rest = line.substring(2);
      int space = rest.lastIndexOf(' ');
      if (space <= 0) {
        throw SigningException.integrity(what, "malformed signature line");
      }
      byte[] blob;
      try {
        blob = Base64.getDecoder().decode(rest.substring(space + 1));
      } catch (IllegalArgumentException e) {
        throw SigningException.integrity(what, "signature is not base64");
      }
      if (blob.length < 5) {
        throw SigningException.integrity(what, "signature too short");
      }
      sigs.add(new NoteSignature(rest.substring(0, space), java.util.Arrays.copyOf(blob, 4), java.util.Arrays.copyOfRange(blob, 4, blob.length)));
    }
    return new Checkpoint(lines[0], size, root, text.getBytes(StandardCharsets.UTF_8), sigs);
  }
}
