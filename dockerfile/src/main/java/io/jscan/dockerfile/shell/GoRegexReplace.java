package io.jscan.dockerfile.shell;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's {@code Regexp.ReplaceAllString}, which {@code ${A//p/r}} uses. It differs from Java's
 * {@link Matcher#replaceAll}: an empty match right after a previous match is not replaced, and the
 * replacement is a Go template ({@code $0} or {@code ${0}} is the match, {@code $$} a dollar sign,
 * other {@code $name} references are empty because the compiled pattern has no groups).
 */
final class GoRegexReplace {
  private GoRegexReplace() {}

  /**
   * As Go's ReplaceAllString; null once the result would pass {@code maxLength} characters
   * (replacements multiply). {@code matchedText} holds the same characters as {@code subject}.
   */
  static String replaceAll(Pattern regex, String subject, CharSequence matchedText, String template, long maxLength) {
    StringBuilder out = new StringBuilder();
    // the regex reads matchedText (subject's characters, counted); the result is cut from subject
    Matcher m = regex.matcher(matchedText);
    int lastMatchEnd = 0;
    int searchPos = 0;
    while (searchPos <= subject.length() && m.find(searchPos)) {
      int start = m.start();
      int end = m.end();
      out.append(subject, lastMatchEnd, start);
      if (end > lastMatchEnd || start == 0) {
        if (!expand(out, template, subject.substring(start, end), maxLength)) {
          return null;
        }
      }
      if (out.length() > maxLength) {
        return null;
      }
      lastMatchEnd = end;
      // always advance by at least one character
      int width = searchPos < subject.length() ? Character.charCount(subject.codePointAt(searchPos)) : 0;
      if (searchPos + width > end) {
        searchPos += width;
      } else if (searchPos + 1 > end) {
        searchPos++;
      } else {
        searchPos = end;
      }
    }
    out.append(subject, lastMatchEnd, subject.length());
    return out.length() > maxLength ? null : out.toString();
  }

  /** Appends the template with {@code $0} as the match; false once {@code out} passes {@code maxLength} ({@code $0$0…}). */
  private static boolean expand(StringBuilder out, String template, String match, long maxLength) {
    int i = 0;
    while (i < template.length()) {
      int dollar = template.indexOf('$', i);
      if (dollar < 0) {
        break;
      }
      out.append(template, i, dollar);
      i = dollar + 1;
      if (i < template.length() && template.charAt(i) == '$') {
        out.append('$');
        i++;
        continue;
      }
      int[] reference = extractReference(template, i);
      if (reference == null) {
        out.append('$'); // malformed reference: the dollar sign is plain text
        continue;
      }
      int groupNumber = reference[0];
      i = reference[1];
      if (groupNumber == 0) {
        if (out.length() + (long) match.length() > maxLength) {
          return false;
        }
        out.append(match);
      }
    }
    out.append(template, i, template.length());
    return out.length() <= maxLength;
  }

  /** {group number or -1 for a name, index after the reference}, or null when malformed. */
  private static int[] extractReference(String s, int from) {
    if (from >= s.length()) {
      return null;
    }
    boolean brace = s.charAt(from) == '{';
    int i = brace ? from + 1 : from;
    int nameStart = i;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      if (!Character.isLetter(cp) && Character.getType(cp) != Character.DECIMAL_DIGIT_NUMBER && cp != '_') {
        break;
      }
      i += Character.charCount(cp);
    }
    if (i == nameStart) {
      return null;
    }
    String name = s.substring(nameStart, i);
    if (brace) {
      if (i >= s.length() || s.charAt(i) != '}') {
        return null;
      }
      i++;
    }
    int number = 0;
    for (int k = 0; k < name.length(); k++) {
      char c = name.charAt(k);
      if (c < '0' || c > '9' || number >= 100_000_000) {
        number = -1;
        break;
      }
      number = number * 10 + (c - '0');
    }
    if (name.charAt(0) == '0' && name.length() > 1) {
      number = -1; // Go disallows leading zeros in group numbers
    }
    return new int[] {number, i};
  }
}
