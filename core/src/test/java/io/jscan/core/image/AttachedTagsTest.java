package io.jscan.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jscan.core.oci.Digest;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AttachedTagsTest {
  private static final Digest D = Digest.sha256("image".getBytes(java.nio.charset.StandardCharsets.UTF_8));

  @Test
  void subjectOf_cosignTagsAndTheReferrersTag_nameTheirImage() {
    assertEquals("sha256-" + D.encoded() + ".sig", AttachedTags.signature(D));
    for (String tag : AttachedTags.all(D)) {
      assertEquals(Optional.of(D), AttachedTags.subjectOf(tag), tag);
    }
    assertEquals(Referrers.fallbackTag(D), AttachedTags.all(D).get(3));
  }

  @Test
  void subjectOf_ordinaryTags_isEmpty() {
    for (String tag : new String[] {"latest", "1.0", "v1-abc", "sha256-abc.sig", "sha256-" + D.encoded() + ".sig2",
        "sha256-" + D.encoded().toUpperCase(java.util.Locale.ROOT) + ".sig", "md5-" + D.encoded().substring(0, 32) + ".att",
        "-" + D.encoded(), "sha256-" + D.encoded() + ".sig.att"}) {
      assertEquals(Optional.empty(), AttachedTags.subjectOf(tag), tag);
    }
  }
}
