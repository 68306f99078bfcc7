package io.jscan.verifier.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A custom rule's CEL expression (cel-java), compiled once when the policy is loaded, and its
 * message template. The expression sees the policy input document: each top-level key is a
 * variable ({@code image}, {@code config}, {@code labels}, {@code layers}, {@code files},
 * {@code base}, {@code dockerfile}, {@code signatures}, {@code attestations}), plus {@code now}, a
 * timestamp. Like a Kubernetes ValidatingAdmissionPolicy validation, the rule passes when the
 * expression is {@code true}.
 *
 * <p>The template is literal text with {@code {{ expression }}} parts, each a CEL expression of
 * any type rendered as text ({@code "{{ config.user }} is not allowed"}).
 *
 * <p>Evaluation is bounded (comprehension iterations, regex program size, expression size), so
 * a policy cannot make an admission request run forever.
 */
public final class CelCheck {
  /** The document's top-level keys, declared as variables. New inputs add new names here. */
  public static final List<String> VARIABLES =
      List.of("image", "config", "labels", "layers", "files", "base", "dockerfile", "signatures", "attestations", "sbom", "provenance");

  private static final CelOptions OPTIONS = CelOptions.current()
      .comprehensionMaxIterations(100_000)
      .enableHeterogeneousNumericComparisons(true)
      .maxExpressionCodePointSize(10_000)
      .maxRegexProgramSize(10_000)
      .build();
  /** Built on first use: policies without CEL rules never pay for the compiler's start-up. */
  private static final class Environments {
    static final Cel BOOLEAN = environment().setResultType(SimpleType.BOOL).build();
    static final Cel ANY = environment().build();
  }
  /** The variables of an attestation condition ({@code attestation-required}): one predicate at a time. */
  private static final class AttestationEnvironment {
    static final Cel BOOLEAN = libraries()
        .addVar("now", SimpleType.TIMESTAMP)
        .addVar("predicate", SimpleType.DYN)
        .addVar("predicateType", SimpleType.STRING)
        .setResultType(SimpleType.BOOL)
        .build();
  }
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String expression;
  private final CelRuntime.Program program;
  private final List<Object> template;

  private CelCheck(String expression, CelRuntime.Program program, List<Object> template) {
    this.expression = expression;
    this.program = program;
    this.template = template;
  }

  private static dev.cel.bundle.CelBuilder libraries() {
    return CelFactory.standardCelBuilder()
        .setOptions(OPTIONS)
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .addCompilerLibraries(CelExtensions.strings(), CelExtensions.lists(), CelExtensions.sets(OPTIONS), CelExtensions.math(OPTIONS))
        .addRuntimeLibraries(CelExtensions.strings(), CelExtensions.lists(), CelExtensions.sets(OPTIONS), CelExtensions.math(OPTIONS));
  }

  private static dev.cel.bundle.CelBuilder environment() {
    dev.cel.bundle.CelBuilder b = libraries().addVar("now", SimpleType.TIMESTAMP);
    for (String v : VARIABLES) {
      b.addVar(v, v.equals("labels") ? MapType.create(SimpleType.STRING, SimpleType.STRING) : SimpleType.DYN);
    }
    return b;
  }

  /**
   * Compiles an expression (which must be boolean) and an optional message template.
   *
   * @throws IllegalArgumentException with a one-line reason when either does not compile
   */
  public static CelCheck compile(String expression, String messageTemplate) {
    Objects.requireNonNull(expression, "expression");
    CelRuntime.Program program = program(Environments.BOOLEAN, expression, "expression");
    List<Object> parts = new ArrayList<>();
    if (messageTemplate != null) {
      int i = 0;
      while (i < messageTemplate.length()) {
        int open = messageTemplate.indexOf("{{", i);
        if (open < 0) {
          parts.add(messageTemplate.substring(i));
          break;
        }
        int close = messageTemplate.indexOf("}}", open + 2);
        if (close < 0) {
          throw new IllegalArgumentException("message: \"{{\" without a closing \"}}\"");
        }
        parts.add(messageTemplate.substring(i, open));
        String part = messageTemplate.substring(open + 2, close).trim();
        parts.add(new Placeholder(part, program(Environments.ANY, part, "message {{ " + part + " }}")));
        i = close + 2;
      }
    }
    return new CelCheck(expression, program, List.copyOf(parts));
  }

  /**
   * Compiles an attestation condition: a boolean expression over one attestation's {@code
   * predicate} (its JSON as maps and lists), {@code predicateType} and {@code now}.
   *
   * @throws IllegalArgumentException with a one-line reason when it does not compile
   */
  public static CelCheck compileForAttestation(String expression) {
    Objects.requireNonNull(expression, "expression");
    return new CelCheck(expression, program(AttestationEnvironment.BOOLEAN, expression, "condition"), List.of());
  }

  private record Placeholder(String expression, CelRuntime.Program program) {}

  private static CelRuntime.Program program(Cel cel, String expression, String what) {
    try {
      CelAbstractSyntaxTree ast = cel.compile(expression).getAst();
      return cel.createProgram(ast);
    } catch (CelValidationException e) {
      throw new IllegalArgumentException(what + ": " + firstLine(e.getMessage()));
    } catch (CelEvaluationException e) {
      throw new IllegalArgumentException(what + ": " + firstLine(e.getMessage()));
    }
  }

  private static String firstLine(String message) {
    String line = message == null ? "invalid" : message.strip().split("\n")[0];
    return line.replace("ERROR: <input>:", "at ");
  }

  public String expression() {
    return expression;
  }

  /** Whether the expression or its message template names the document variable {@code variable}. */
  public boolean mentions(String variable) {
    java.util.regex.Pattern word = java.util.regex.Pattern.compile("\\b" + java.util.regex.Pattern.quote(variable) + "\\b");
    if (word.matcher(expression).find()) {
      return true;
    }
    return template.stream().anyMatch(p -> p instanceof Placeholder ph && word.matcher(ph.expression()).find());
  }

  public boolean hasTemplate() {
    return !template.isEmpty();
  }

  /** The variables of a document (its top-level keys, absent ones as empty maps) and {@code now}. */
  static Map<String, Object> variables(Map<String, Object> document, Instant now) {
    Map<String, Object> vars = new HashMap<>();
    for (String v : VARIABLES) {
      Object value = document.get(v);
      vars.put(v, value == null ? Map.of() : value);
    }
    vars.put("now", now);
    return vars;
  }

  /**
   * Evaluates the expression; true means the rule passes.
   *
   * @throws IllegalStateException with a one-line reason when evaluation fails (a missing key, an
   *     exceeded iteration budget); callers treat that as a violation (fail closed)
   */
  public boolean test(Map<String, Object> variables) {
    Object result;
    try {
      result = program.eval(variables);
    } catch (CelEvaluationException e) {
      throw new IllegalStateException(firstLine(e.getMessage()));
    }
    if (result instanceof Boolean b) {
      return b;
    }
    throw new IllegalStateException("the expression did not give true or false");
  }

  /** The message for a violation: the template rendered, or a default naming the expression. */
  public String message(Map<String, Object> variables) {
    if (template.isEmpty()) {
      return "expression is false: " + expression;
    }
    StringBuilder b = new StringBuilder();
    for (Object part : template) {
      if (part instanceof Placeholder p) {
        try {
          b.append(render(p.program().eval(variables)));
        } catch (CelEvaluationException e) {
          b.append("<").append(firstLine(e.getMessage())).append(">");
        }
      } else {
        b.append(part);
      }
    }
    return b.toString();
  }

  private static String render(Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Map<?, ?> || value instanceof List<?>) {
      try {
        return JSON.writeValueAsString(value);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        return String.valueOf(value);
      }
    }
    return String.valueOf(value);
  }
}
