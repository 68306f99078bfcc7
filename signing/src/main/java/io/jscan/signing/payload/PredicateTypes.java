package io.jscan.signing.payload;

import io.jscan.signing.SigningException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code --type} shorthands cosign accepts for attestation predicates (cosign
 * pkg/cosign/attestation), with SLSA provenance meaning v1 as jscan writes it. Anything else must be
 * an absolute URI, which is used as the predicate type itself.
 */
public final class PredicateTypes {
  public static final String SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1";
  public static final String SLSA_PROVENANCE_V02 = "https://slsa.dev/provenance/v0.2";
  public static final String CYCLONEDX = "https://cyclonedx.org/bom";
  public static final String SPDX = "https://spdx.dev/Document";
  public static final String LINK = "https://in-toto.io/Link/v1";
  public static final String VULN = "https://cosign.sigstore.dev/attestation/vuln/v1";
  public static final String CUSTOM = "https://cosign.sigstore.dev/attestation/v1";

  private static final Map<String, String> SHORTHANDS =
      Map.of(
          "slsaprovenance", SLSA_PROVENANCE_V1,
          "slsaprovenance1", SLSA_PROVENANCE_V1,
          "slsaprovenance02", SLSA_PROVENANCE_V02,
          "cyclonedx", CYCLONEDX,
          "spdx", SPDX,
          "spdxjson", SPDX,
          "link", LINK,
          "vuln", VULN,
          "custom", CUSTOM);

  private PredicateTypes() {}

  /** The predicate type URI for a shorthand or a URI. */
  public static String resolve(String typeOrShorthand) throws SigningException {
    String shorthand = SHORTHANDS.get(typeOrShorthand.toLowerCase(Locale.ROOT));
    if (shorthand != null) {
      return shorthand;
    }
    try {
      URI uri = new URI(typeOrShorthand);
      if (uri.isAbsolute() && uri.getScheme() != null && !uri.getSchemeSpecificPart().isEmpty()) {
        return typeOrShorthand;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw SigningException.badInput(
        "predicate type",
        "\"" + typeOrShorthand + "\" is neither a shorthand (" + String.join(", ", new java.util.TreeSet<>(SHORTHANDS.keySet())) + ") nor an absolute URI");
  }
}
