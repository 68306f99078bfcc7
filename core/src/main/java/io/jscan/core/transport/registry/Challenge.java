package io.jscan.core.transport.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 9110 section 11.6.1): a scheme and its
 * parameters. The Docker token spec ("Token Authentication Specification") puts {@code realm},
 * {@code service} and {@code scope} on a {@code Bearer} challenge; basic auth has a
 * {@code realm} only.
 *
 * @param scheme lower case ({@code bearer}, {@code basic})
 * @param parameters parameter names in lower case, values unquoted
 */
record Challenge(String scheme, Map<String, String> parameters) {
  Challenge {
    scheme = scheme.toLowerCase(Locale.ROOT);
    parameters = Map.copyOf(parameters);
  }

  Optional<String> parameter(String name) {
    return Optional.ofNullable(parameters.get(name));
  }

  boolean isBearer() {
    return scheme.equals("bearer");
  }

  boolean isBasic() {
    return scheme.equals("basic");
  }

  /**
   * Parses every challenge in the header values. Tolerant of what real registries send
   * (unquoted values, spaces around {@code =}); a value it cannot read ends that challenge.
   */
  static List<Challenge> parse(List<String> headerValues) {
    List<Challenge> result = new ArrayList<>();
    for (String header : headerValues) {
      parseOne(header, result);
    }
    return result;
  }

  private static void parseOne(String s, List<Challenge> out) {
    int i = 0;
    int n = s.length();
    String scheme = null;
    Map<String, String> params = new LinkedHashMap<>();
    while (i < n) {
      // skip separators
      while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == ',' || s.charAt(i) == '\t')) {
        i++;
      }
      int start = i;
      while (i < n && isTokenChar(s.charAt(i))) {
        i++;
      }
      if (start == i) {
        i++;
        continue;
      }
      String token = s.substring(start, i);
      int j = i;
      while (j < n && s.charAt(j) == ' ') {
        j++;
      }
      if (j < n && s.charAt(j) == '=' && scheme != null) {
        // auth-param: token = ( token / quoted-string )
        j++;
        while (j < n && s.charAt(j) == ' ') {
          j++;
        }
        StringBuilder value = new StringBuilder();
        if (j < n && s.charAt(j) == '"') {
          j++;
          while (j < n && s.charAt(j) != '"') {
            if (s.charAt(j) == '\\' && j + 1 < n) {
              j++;
            }
            value.append(s.charAt(j));
            j++;
          }
          j++; // closing quote
        } else {
          while (j < n && s.charAt(j) != ',' && s.charAt(j) != ' ') {
            value.append(s.charAt(j));
            j++;
          }
        }
        params.put(token.toLowerCase(Locale.ROOT), value.toString());
        i = j;
      } else if (j < n && s.charAt(j) == '=' && scheme == null) {
        // token68 or malformed: nothing we can use
        return;
      } else {
        // a new scheme starts
        if (scheme != null) {
          out.add(new Challenge(scheme, params));
          params = new LinkedHashMap<>();
        }
        scheme = token;
        i = j;
      }
    }
    if (scheme != null) {
      out.add(new Challenge(scheme, params));
    }
  }

  private static boolean isTokenChar(char c) {
    return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={} ".indexOf(c) < 0;
  }
}
