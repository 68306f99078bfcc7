package io.jscan.server;

import io.jscan.core.text.Printable;

/**
 * A request body that is not an AdmissionReview the server can answer: malformed JSON, another
 * kind, a request without a uid. Answered with 400 and the message, since no {@code response.uid}
 * can be echoed; the API server then applies the webhook's {@code failurePolicy}.
 */
public final class BadReviewException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * @param message one line; text it quotes from the body (a kind, a JSON parser's complaint about
   *     a character) has its line breaks and other control characters escaped here, since the
   *     message is logged as one record and sent back as the answer
   */
  public BadReviewException(String message) {
    super(Printable.escape(message));
  }
}
