package io.jscan.verifier.policy;

import io.jscan.verifier.Mode;
import io.jscan.verifier.Severity;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One rule of a policy: a built-in rule ({@code id} names it) or a custom CEL rule.
 *
 * @param parameters the built-in rule's parameters, already checked and typed (String, Long,
 *     Boolean, List of String, Map of String to String)
 * @param cel the compiled expression of a custom rule
 * @param subject what a custom rule needs: {@code image} (default) or {@code dockerfile}
 * @param line the rule's line in its file, for messages
 */
public record PolicyRule(
    String id,
    Optional<String> description,
    Severity severity,
    Mode mode,
    Map<String, Object> parameters,
    Optional<CelCheck> cel,
    String subject,
    int line) {
  public PolicyRule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(mode, "mode");
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    Objects.requireNonNull(cel, "cel");
    Objects.requireNonNull(subject, "subject");
  }

  @SuppressWarnings("unchecked")
  <T> T parameter(String name, T fallback) {
    Object v = parameters.get(name);
    return v == null ? fallback : (T) v;
  }
}
