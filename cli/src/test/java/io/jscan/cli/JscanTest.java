package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

class JscanTest {

  @Test
  void commandTable_agreesWithTheCommandAnnotations() {
    Set<String> annotated = new HashSet<>();
    for (Class<?> c : Jscan.COMMANDS) {
      Command command = c.getAnnotation(Command.class);
      annotated.add(command.name());
      assertEquals(c, Jscan.COMMAND_NAMES.get(command.name()), "the table's entry for " + command.name());
      for (String alias : command.aliases()) {
        annotated.add(alias);
        assertEquals(c, Jscan.COMMAND_NAMES.get(alias), "the table's entry for the alias " + alias);
      }
    }
    assertEquals(annotated, Jscan.COMMAND_NAMES.keySet(), "names in the table that no annotation gives");
  }

  @Test
  void commandsFor_aCommandName_isOnlyThatCommand_andAnythingElseIsEveryCommand() {
    assertEquals(List.of(BuildCommand.class), Jscan.commandsFor("build", "-q", "."));
    assertEquals(List.of(VerifyCommand.class), Jscan.commandsFor("--debug", "verify", "x"));
    assertEquals(Jscan.COMMANDS, Jscan.commandsFor("--help"));
    assertEquals(Jscan.COMMANDS, Jscan.commandsFor("help", "build"));
    assertEquals(Jscan.COMMANDS, Jscan.commandsFor("biuld"));
    assertEquals(Jscan.COMMANDS, Jscan.commandsFor());
  }

  @Test
  void run_misspeltCommand_suggestsTheRightOne_andExitsWithUsageError() {
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(new StringWriter()), new PrintWriter(err), Map.of(), "biuld");
    assertEquals(ExitCode.BAD_INPUT.code(), code);
    assertTrue(err.toString().contains("build"), err.toString());
  }
}
