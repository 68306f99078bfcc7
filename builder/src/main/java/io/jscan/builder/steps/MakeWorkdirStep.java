package io.jscan.builder.steps;

import io.jscan.builder.BuildException;
import io.jscan.builder.fs.FileTree;
import io.jscan.builder.fs.PathNames;
import io.jscan.builder.fs.UserDatabase;
import io.jscan.builder.layer.FileModes;
import io.jscan.builder.layer.LayerEntry;
import io.jscan.builder.layer.ReproducibleLayerBuilder;
import io.jscan.core.JscanException;
import io.jscan.dockerfile.instructions.WorkdirInstruction;
import java.util.Optional;

/**
 * WORKDIR: sets the working directory (relative paths resolve against the previous one) and, as
 * BuildKit does, creates the directory and its missing parents in a layer (mode 0755, owned by the
 * stage's USER if one is set). When the directory already exists the step adds no layer.
 */
public final class MakeWorkdirStep implements BuildStep {
  private final WorkdirInstruction workdir;

  public MakeWorkdirStep(WorkdirInstruction workdir) {
    this.workdir = workdir;
  }

  @Override
  public void apply(StageState stage) throws JscanException {
    WorkdirInstruction expanded = workdir.expand(stage.expander());
    String path = expanded.path().startsWith("/")
        ? PathNames.cleanAbsolute(expanded.path())
        : PathNames.cleanAbsolute(stage.workdir() + "/" + expanded.path());
    stage.container().workingDir = Optional.of(PathNames.display(path));
    String createdBy = "WORKDIR " + PathNames.display(path);
    if (path.isEmpty()) {
      stage.addHistory(createdBy);
      return;
    }
    Optional<String> user = stage.user();
    CacheKey key = stage.cacheKey(true).add("instruction", createdBy).add("user", user.orElse(""));
    stage.commitLayer(createdBy, key, () -> entries(stage, path, user));
  }

  private ReproducibleLayerBuilder entries(StageState stage, String path, Optional<String> user) throws JscanException {
    FileTree fs = stage.filesystem();
    FileTree.Resolution r;
    try {
      r = fs.resolve(path, true, false);
    } catch (FileTree.TooManyLinksException e) {
      throw BuildException.at(workdir.location(), "WORKDIR " + PathNames.display(path) + ": " + e.getMessage());
    }
    if (r.blockedBy().isPresent()) {
      throw BuildException.at(workdir.location(),
          "WORKDIR " + PathNames.display(path) + ": " + PathNames.display(r.blockedBy().get()) + " is not a directory");
    }
    ReproducibleLayerBuilder layer = new ReproducibleLayerBuilder(p -> existingOrNew(fs, p, UserDatabase.Owner.ROOT));
    if (r.node().isPresent()) {
      if (!r.node().get().isDirectory()) {
        throw BuildException.at(workdir.location(),
            "WORKDIR " + PathNames.display(path) + ": " + PathNames.display(r.path()) + " exists and is not a directory");
      }
      return layer; // already there: no layer
    }
    UserDatabase.Owner owner = UserDatabase.Owner.ROOT;
    if (user.isPresent()) {
      try {
        owner = stage.users().resolve(user.get());
      } catch (IllegalArgumentException e) {
        throw BuildException.at(workdir.location(), "WORKDIR " + PathNames.display(path) + ": USER " + user.get() + ": " + e.getMessage());
      }
    }
    // create every missing directory of the resolved path with the owner; existing ones keep theirs
    String target = r.path();
    for (String p = target; !p.isEmpty(); p = PathNames.parent(p)) {
      if (fs.get(p).isEmpty()) {
        layer.add(LayerEntry.directory(p, FileModes.DIRECTORY, owner.uid(), owner.gid()));
      }
    }
    return layer;
  }

  /** A parent directory's entry: its metadata below this layer when it exists, else a new directory. */
  static LayerEntry existingOrNew(FileTree fs, String path, UserDatabase.Owner owner) {
    Optional<FileTree.Node> n = fs.get(path);
    if (n.isPresent() && n.get().isDirectory()) {
      return LayerEntry.directory(path, n.get().mode(), n.get().uid(), n.get().gid());
    }
    return LayerEntry.directory(path, FileModes.DIRECTORY, owner.uid(), owner.gid());
  }
}
