package io.jscan.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jscan.core.testing.FuzzChecks;
import io.jscan.server.PodImages.ImageUse;
import java.util.List;
import java.util.Optional;

/**
 * Fuzzes the AdmissionReview reader (fuzz/README.md): any request body is a review whose images
 * can be listed, as the webhook does before it judges them, or a one-line {@link
 * BadReviewException} (answered with 400 and logged as one record). Seeds (the reviews the
 * webhook tests send): {@code src/test/resources/io/jscan/server/AdmissionReviewFuzzTestInputs/}.
 */
class AdmissionReviewFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void parse_anyBody_isAReviewOrAOneLineError(byte[] body) {
    AdmissionRequest request;
    try {
      request = AdmissionRequest.parse(body);
    } catch (BadReviewException e) {
      FuzzChecks.requireOneLine(e);
      return;
    }
    request.objectName();
    request.kind().toString();
    Optional<List<ImageUse>> now = request.object().flatMap(o -> PodImages.of(request.kind(), o));
    Optional<List<ImageUse>> before = request.oldObject().flatMap(o -> PodImages.of(request.kind(), o));
    for (ImageUse use : now.orElse(List.of())) {
      use.describe();
    }
    PodImages.changed(now.orElse(List.of()), before.orElse(List.of()));
  }
}
