package io.jscan.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {
  @Test
  void closest_aTypingSlip_namesTheWord_butNotAFarOne() {
    List<String> options = List.of("tag", "target", "locked", "load-balancer", "policy");
    assertEquals(Optional.of("tag"), DidYouMean.closest("tagg", options), "one extra letter");
    assertEquals(Optional.of("policy"), DidYouMean.closest("polcy", options), "one missing letter");
    assertEquals(Optional.of("build"), DidYouMean.closest("biuld", List.of("build", "verify")), "two letters swapped are one slip");
    assertEquals(Optional.empty(), DidYouMean.closest("load", List.of("locked")), "three edits in four letters is another word");
    assertEquals(Optional.empty(), DidYouMean.closest("tag", List.of("tag")), "the word itself is not a suggestion");
  }

  @Test
  void distance_countsInsertionsDeletionsSubstitutionsAndSwaps() {
    assertEquals(0, DidYouMean.distance("copy", "copy"));
    assertEquals(1, DidYouMean.distance("coppy", "copy"));
    assertEquals(1, DidYouMean.distance("fromat", "format"));
    assertEquals(3, DidYouMean.distance("", "abc"));
  }
}
