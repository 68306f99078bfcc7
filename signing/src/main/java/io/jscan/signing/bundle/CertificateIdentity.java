package io.jscan.signing.bundle;

import io.jscan.signing.SigningException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.ASN1Sequence;

/**
 * Who must have signed a keyless bundle: the certificate's subject alternative name and the OIDC
 * issuer recorded by Fulcio, each matched exactly or by regular expression — cosign's {@code
 * --certificate-identity[-regexp]} and {@code --certificate-oidc-issuer[-regexp]}.
 *
 * <p>Regular expressions match anywhere in the value, as Go's {@code regexp.MatchString} does in
 * cosign; anchor them ({@code ^…$}) to match the whole value. Both an identity and an issuer are
 * required: accepting any issuer would accept the same e-mail address vouched for by any provider.
 *
 * <p>No value may be empty or blank: an empty regular expression matches every signer, so {@code
 * --certificate-identity-regexp ''} would trust anyone. cosign reads an empty flag as a missing one
 * and refuses to verify; jscan refuses it as a usage error, wherever it comes from (the command
 * line or a policy's {@code identities}).
 */
public record CertificateIdentity(Optional<String> identity, Optional<Pattern> identityRegexp, Optional<String> issuer, Optional<Pattern> issuerRegexp) {
  /** Fulcio's OIDC issuer extension (DER UTF8String), and the older raw-string one. */
  static final String ISSUER_V2_OID = "1.3.6.1.4.1.57264.1.8";
  static final String ISSUER_V1_OID = "1.3.6.1.4.1.57264.1.1";
  /** Fulcio's otherName SAN for identities that are neither e-mail nor URI. */
  static final String OTHERNAME_SAN_OID = "1.3.6.1.4.1.57264.1.7";

  public CertificateIdentity {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(identityRegexp, "identityRegexp");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(issuerRegexp, "issuerRegexp");
    if (identity.isPresent() == identityRegexp.isPresent()) {
      throw new IllegalArgumentException("give exactly one of certificate identity and identity regexp");
    }
    if (issuer.isPresent() == issuerRegexp.isPresent()) {
      throw new IllegalArgumentException("give exactly one of certificate OIDC issuer and issuer regexp");
    }
    if (identity.filter(String::isBlank).isPresent() || identityRegexp.filter(p -> p.pattern().isBlank()).isPresent()
        || issuer.filter(String::isBlank).isPresent() || issuerRegexp.filter(p -> p.pattern().isBlank()).isPresent()) {
      throw new IllegalArgumentException("a certificate identity or issuer is empty: it would match any signer");
    }
  }

  public static CertificateIdentity exact(String identity, String issuer) {
    return new CertificateIdentity(Optional.of(identity), Optional.empty(), Optional.of(issuer), Optional.empty());
  }

  /** From command-line style options: each pair needs exactly one value. */
  public static CertificateIdentity of(String identity, String identityRegexp, String issuer, String issuerRegexp) throws SigningException {
    String what = "certificate identity policy";
    requireNotBlank(identity, "--certificate-identity", what);
    requireNotBlank(identityRegexp, "--certificate-identity-regexp", what);
    requireNotBlank(issuer, "--certificate-oidc-issuer", what);
    requireNotBlank(issuerRegexp, "--certificate-oidc-issuer-regexp", what);
    if ((identity == null) == (identityRegexp == null)) {
      throw SigningException.badInput(what, "give exactly one of --certificate-identity and --certificate-identity-regexp");
    }
    if ((issuer == null) == (issuerRegexp == null)) {
      throw SigningException.badInput(what, "give exactly one of --certificate-oidc-issuer and --certificate-oidc-issuer-regexp");
    }
    return new CertificateIdentity(
        Optional.ofNullable(identity), compile(identityRegexp, what), Optional.ofNullable(issuer), compile(issuerRegexp, what));
  }

  /** An empty value is no value (as in cosign), and an empty pattern would match every signer: refused. */
  private static void requireNotBlank(String value, String option, String what) throws SigningException {
    if (value != null && value.isBlank()) {
      throw SigningException.badInput(what, option + " is empty: an empty value would trust any signer; give the "
          + (option.contains("issuer") ? "OIDC issuer" : "signer identity") + " to trust");
    }
  }

  private static Optional<Pattern> compile(String regexp, String what) throws SigningException {
    if (regexp == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Pattern.compile(regexp));
    } catch (PatternSyntaxException e) {
      throw SigningException.badInput(what, "invalid regular expression \"" + regexp + "\": " + e.getDescription());
    }
  }

  /** Whether the certificate's SANs and issuer satisfy this policy. */
  public boolean matches(X509Certificate cert) {
    Optional<String> certIssuer = issuerOf(cert);
    if (certIssuer.isEmpty()) {
      return false; // no issuer recorded: cannot tell who vouched for the identity
    }
    boolean issuerOk = issuer.map(certIssuer.get()::equals).orElseGet(() -> issuerRegexp.get().matcher(certIssuer.get()).find());
    if (!issuerOk) {
      return false;
    }
    for (String san : subjectAlternativeNames(cert)) {
      boolean ok = identity.map(san::equals).orElseGet(() -> identityRegexp.get().matcher(san).find());
      if (ok) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "identity " + identity.map(s -> "\"" + s + "\"").orElseGet(() -> "~/" + identityRegexp.get().pattern() + "/")
        + ", issuer " + issuer.map(s -> "\"" + s + "\"").orElseGet(() -> "~/" + issuerRegexp.get().pattern() + "/");
  }

  /** The SAN values of a certificate: e-mails, URIs, DNS names, and Fulcio's otherName. */
  public static List<String> subjectAlternativeNames(X509Certificate cert) {
    List<String> out = new ArrayList<>();
    try {
      if (cert.getSubjectAlternativeNames() == null) {
        return out;
      }
      for (List<?> san : cert.getSubjectAlternativeNames()) {
        int type = (Integer) san.get(0);
        Object value = san.get(1);
        if ((type == 1 || type == 2 || type == 6 || type == 7) && value instanceof String s) {
          out.add(s);
        } else if (type == 0 && value instanceof byte[] der) {
          otherName(der).ifPresent(out::add);
        }
      }
    } catch (CertificateParsingException e) {
      // an unparseable SAN extension matches nothing
    }
    return out;
  }

  private static Optional<String> otherName(byte[] der) {
    try {
      ASN1Primitive p = ASN1Primitive.fromByteArray(der);
      if (p instanceof ASN1TaggedObject t) {
        p = t.getBaseObject().toASN1Primitive();
      }
      ASN1Sequence seq = ASN1Sequence.getInstance(p);
      if (!OTHERNAME_SAN_OID.equals(seq.getObjectAt(0).toString())) {
        return Optional.empty();
      }
      ASN1Primitive v = ((ASN1TaggedObject) seq.getObjectAt(1)).getBaseObject().toASN1Primitive();
      return v instanceof ASN1String s ? Optional.of(s.getString()) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Fulcio's OIDC issuer extension of a certificate, preferring the DER-encoded v2 one. */
  public static Optional<String> issuerOf(X509Certificate cert) {
    byte[] v2 = cert.getExtensionValue(ISSUER_V2_OID);
    if (v2 != null) {
      try {
        ASN1Primitive inner = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(v2).getOctets());
        if (inner instanceof ASN1String s) {
          return Optional.of(s.getString());
        }
      } catch (IOException | RuntimeException e) {
        return Optional.empty();
      }
    }
    byte[] v1 = cert.getExtensionValue(ISSUER_V1_OID);
    if (v1 != null) {
      try {
        return Optional.of(new String(ASN1OctetString.getInstance(v1).getOctets(), StandardCharsets.UTF_8));
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}
