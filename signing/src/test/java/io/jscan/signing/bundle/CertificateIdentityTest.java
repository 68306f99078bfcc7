package io.jscan.signing.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.signing.SigningException;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Who may have signed: an empty identity or issuer would trust anyone, so it is refused (as cosign reads it: missing). */
class CertificateIdentityTest {
  static final String ID = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1";
  static final String ISSUER = "https://token.actions.githubusercontent.com";

  static Stream<Arguments> emptyValues() {
    return Stream.of(
        Arguments.of("--certificate-identity", new String[] {"", null, ISSUER, null}),
        Arguments.of("--certificate-identity-regexp", new String[] {null, "", ISSUER, null}),
        Arguments.of("--certificate-oidc-issuer", new String[] {ID, null, "", null}),
        Arguments.of("--certificate-oidc-issuer-regexp", new String[] {ID, null, null, ""}),
        Arguments.of("--certificate-identity-regexp", new String[] {null, " \t", null, "  "}),
        Arguments.of("--certificate-oidc-issuer", new String[] {ID, null, " ", null}));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("emptyValues")
  void of_emptyOrBlankValue_isUsageErrorNamingTheOption(String option, String[] values) {
    SigningException e = assertThrows(SigningException.class, () -> CertificateIdentity.of(values[0], values[1], values[2], values[3]));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains(option + " is empty"), e.getMessage());
  }

  @Test
  void constructor_emptyPattern_isRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new CertificateIdentity(Optional.empty(), Optional.of(Pattern.compile("")), Optional.of(ISSUER), Optional.empty()));
    assertThrows(IllegalArgumentException.class, () -> CertificateIdentity.exact(ID, ""));
  }

  @Test
  void of_nonEmptyValues_isAccepted() throws SigningException {
    assertEquals("identity ~/^https://github.com/acme//, issuer \"" + ISSUER + "\"",
        CertificateIdentity.of(null, "^https://github.com/acme/", ISSUER, null).toString());
  }
}
