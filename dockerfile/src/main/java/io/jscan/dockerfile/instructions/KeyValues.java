package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.shell.WordExpander;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Expansion helpers shared by the instruction records. */
final class KeyValues {
  private KeyValues() {}

  static List<KeyValue> expand(List<KeyValue> pairs, WordExpander expander, SourceLocation at) throws DockerfileException {
    List<KeyValue> out = new ArrayList<>(pairs.size());
    for (KeyValue kv : pairs) {
      out.add(new KeyValue(expander.expand(kv.key(), at), expander.expand(kv.value(), at), kv.legacyForm()));
    }
    return out;
  }

  static List<String> expandAll(List<String> words, WordExpander expander, SourceLocation at) throws DockerfileException {
    List<String> out = new ArrayList<>(words.size());
    for (String word : words) {
      out.add(expander.expand(word, at));
    }
    return out;
  }

  static Optional<String> expand(Optional<String> word, WordExpander expander, SourceLocation at)
      throws DockerfileException {
    return word.isPresent() ? Optional.of(expander.expand(word.get(), at)) : Optional.empty();
  }

  static List<InlineFile> expandInline(List<InlineFile> files, WordExpander expander, SourceLocation at)
      throws DockerfileException {
    List<InlineFile> out = new ArrayList<>(files.size());
    for (InlineFile f : files) {
      out.add(f.expand() ? new InlineFile(f.name(), expander.expandHeredocBody(f.content(), at), true) : f);
    }
    return out;
  }
}
