package io.jscan.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * How {@code --help} is laid out: 80 columns, lines broken only at spaces.
 *
 * <p>picocli wraps where {@link java.text.BreakIterator#getLineInstance()} allows a break, and the
 * JDK's line rules allow one after every {@code .} and {@code :} inside a word: help read "pinned
 * in jscan.", then "lock beside the Dockerfile" on the next line, and split {@code [::1]},
 * {@code e.g.} and {@code containerimage.digest} the same way. So picocli renders every help
 * section on unbounded lines here, and each line is then wrapped at spaces, continuation lines
 * indented as picocli indents them (under the description column, plus two; under the command
 * name in the synopsis). A word longer than the line is never cut.
 */
final class HelpLayout {
  static final int WIDTH = 80;
  /** Wide enough for the longest description paragraph on one line (picocli sizes buffers by it). */
  private static final int UNBOUNDED = 1000;
  /** picocli's indent of a wrapped description line ({@code TextTable.indentWrappedLines}). */
  private static final int WRAPPED_INDENT = 2;

  private HelpLayout() {}

  /** Applies the layout to {@code cli} and every subcommand it has now. */
  static void install(CommandLine cli) {
    cli.setUsageHelpWidth(UNBOUNDED);
    Map<String, CommandLine.IHelpSectionRenderer> sections = new LinkedHashMap<>(cli.getHelpSectionMap());
    for (Map.Entry<String, CommandLine.IHelpSectionRenderer> e : sections.entrySet()) {
      CommandLine.IHelpSectionRenderer picocli = e.getValue();
      String key = e.getKey();
      e.setValue(help -> wrap(picocli.render(help), columnOf(key, help)));
    }
    cli.setHelpSectionMap(sections);
  }

  /**
   * Where a section's lines may be broken and where their continuations start.
   *
   * @param from the first column at which a line may be broken (-1: after its own indentation)
   * @param continuation the indentation of continuation lines (-1: the line's own indentation)
   * @param heading the columns before the section's first line (the synopsis follows "Usage: " on its line)
   */
  record Columns(int from, int continuation, int heading) {
    static final Columns PROSE = new Columns(-1, -1, 0);
  }

  /**
   * The description column of option, parameter and command lists (continuations two further
   * in, as picocli indents them), the end of {@code Usage: jscan build } in the synopsis, or prose.
   */
  private static Columns columnOf(String section, CommandLine.Help help) {
    UsageMessageSpec usage = help.commandSpec().usageMessage();
    switch (section) {
      case UsageMessageSpec.SECTION_KEY_SYNOPSIS:
        int heading = usage.synopsisHeading().replace("%n", "").length();
        int command = heading + help.commandSpec().qualifiedName().length() + 1;
        return new Columns(command, command, heading);
      case UsageMessageSpec.SECTION_KEY_OPTION_LIST:
      case UsageMessageSpec.SECTION_KEY_PARAMETER_LIST:
        // picocli's default columns: marker 2, short option 2, comma 1, long options (indent 1), description (indent 1)
        int longOptions = help.calcLongOptionColumnWidth(
            help.commandSpec().options(), help.commandSpec().positionalParameters(), help.colorScheme());
        int description = 2 + 2 + 1 + longOptions + 1;
        return new Columns(description, description + WRAPPED_INDENT, 0);
      case UsageMessageSpec.SECTION_KEY_COMMAND_LIST:
        // Help.commandList: the names column is the longest name plus 2, both columns indented by 2
        int longest = help.subcommands().keySet().stream().mapToInt(String::length).max().orElse(0);
        return new Columns(longest + 2 + 2, longest + 2 + 2 + WRAPPED_INDENT, 0);
      default:
        return Columns.PROSE;
    }
  }

  /** Wraps each line of {@code text} longer than {@link #WIDTH} at spaces. */
  static String wrap(String text, Columns columns) {
    if (text.isEmpty()) {
      return text;
    }
    String newline = System.lineSeparator();
    StringBuilder out = new StringBuilder();
    String[] lines = text.split("\\R", -1);
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) {
        out.append(newline);
      }
      wrapLine(lines[i], i == 0 ? columns.heading() : 0, columns, out, newline);
    }
    return out.toString();
  }

  /** Wraps one line that is shown {@code offset} columns to the right (after a heading on the same line). */
  private static void wrapLine(String line, int offset, Columns columns, StringBuilder out, String newline) {
    int indent = 0;
    while (indent < line.length() && line.charAt(indent) == ' ') {
      indent++;
    }
    int from = (columns.from() >= 0 ? columns.from() : indent) - offset;
    int continuation = columns.continuation() >= 0 ? columns.continuation() : indent;
    int width = WIDTH - offset;
    String rest = line;
    while (visibleLength(rest) > width) {
      int cut = lastSpace(rest, width, from);
      if (cut < 0) {
        break; // one word longer than the line: kept whole, never cut
      }
      out.append(rest.substring(0, cut).stripTrailing()).append(newline);
      rest = " ".repeat(continuation) + rest.substring(cut).stripLeading();
      from = continuation;
      width = WIDTH;
    }
    out.append(rest);
  }

  /**
   * The index of the space at which to cut {@code s} so that its visible part is at most {@code
   * width} columns: the last such space at or after column {@code from} (or, when a word is longer
   * than that, the first space after it), -1 when there is none.
   */
  private static int lastSpace(String s, int width, int from) {
    int visible = 0;
    int best = -1;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\u001b') {
        int end = s.indexOf('m', i);
        i = end < 0 ? s.length() : end;
        continue;
      }
      if (c == ' ' && visible > from && s.charAt(i - 1) != ' ') {
        if (visible > width && best >= 0) {
          break;
        }
        best = i;
        if (visible > width) {
          break;
        }
      }
      visible++;
    }
    return best;
  }

  /** Columns a terminal shows: ANSI colour sequences take none. */
  static int visibleLength(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\u001b') {
        int end = s.indexOf('m', i);
        i = end < 0 ? s.length() : end;
      } else {
        n++;
      }
    }
    return n;
  }
}
