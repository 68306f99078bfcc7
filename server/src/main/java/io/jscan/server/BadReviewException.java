package io.jscan.server;

/**
 * A request body that is not an AdmissionReview the server can answer: malformed JSON, another
 * kind, a request without a uid. Answered with 400 and the message, since no {@code response.uid}
 * can be echoed; the API server then applies the webhook's {@code failurePolicy}.
 */
public final class BadReviewException extends Exception {
  private static final long serialVersionUID = 1L;

  public BadReviewException(String message) {
    super(message);
  }
}
