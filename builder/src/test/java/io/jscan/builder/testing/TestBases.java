package io.jscan.builder.testing;

import io.jscan.core.image.Image;
import io.jscan.core.image.ImageBuilder;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.ImageConfig.ContainerConfig;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.ocilayout.OciLayout;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Recipe for the base image the builder tests build FROM: a tiny root file system written with
 * commons-compress (not with jscan's own tar writer) into an OCI layout, named {@code base:1}.
 *
 * <p>It holds {@code /etc/passwd} (root, app 1000:1000, nobody), {@code /etc/group} (root, staff
 * 50, app 1000), {@code /tmp} (1777), {@code /run}, the link {@code /var/run -> ../run}, and an
 * executable {@code /usr/bin/tool}; its config has {@code PATH=/usr/bin}, {@code CMD ["tool"]} and
 * the ONBUILD trigger {@code LABEL from.base.onbuild=yes}.
 */
public final class TestBases {
  private TestBases() {}

  public static final String REF = "base:1";

  /** Writes the base image into an OCI layout at {@code dir}; returns it. */
  public static Image write(Path dir) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      dir(tar, "etc/", 0755);
      file(tar, "etc/group", 0644, "root:x:0:\nstaff:x:50:\napp:x:1000:\n");
      file(tar, "etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n");
      dir(tar, "run/", 0755);
      dir(tar, "tmp/", 01777);
      dir(tar, "usr/", 0755);
      dir(tar, "usr/bin/", 0755);
      file(tar, "usr/bin/tool", 0755, "#!/bin/sh\necho tool\n");
      dir(tar, "var/", 0755);
      TarArchiveEntry link = new TarArchiveEntry("var/run", TarConstants.LF_SYMLINK);
      link.setLinkName("../run");
      link.setModTime(FileTime.from(Instant.EPOCH));
      tar.putArchiveEntry(link);
      tar.closeArchiveEntry();
      tar.finish();
    }
    ContainerConfig empty = ContainerConfig.empty();
    ContainerConfig config = new ContainerConfig(Optional.empty(), new TreeSet<>(), List.of("PATH=/usr/bin"), Optional.empty(),
        Optional.of(List.of("tool")), new TreeSet<>(), Optional.empty(), new TreeMap<>(), Optional.empty(), Optional.empty(),
        Optional.empty(), List.of("LABEL from.base.onbuild=yes"), empty.shell());
    Image image = ImageBuilder.fromScratch(Platform.LINUX_AMD64)
        .addLayer(Layers.compress(bytes.toByteArray(), Compression.GZIP),
            new History(Optional.of(Instant.EPOCH), Optional.of("base root file system"), Optional.empty(), Optional.empty(), false))
        .containerConfig(c -> config)
        .created(Instant.EPOCH)
        .build();
    OciLayout.create(dir).write(image, Optional.of(REF));
    return image;
  }

  private static void dir(TarArchiveOutputStream tar, String name, int mode) throws Exception {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_DIR);
    e.setMode(040000 | mode);
    e.setModTime(FileTime.from(Instant.EPOCH));
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  private static void file(TarArchiveOutputStream tar, String name, int mode, String content) throws Exception {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setMode(0100000 | mode);
    e.setSize(b.length);
    e.setModTime(FileTime.from(Instant.EPOCH));
    tar.putArchiveEntry(e);
    tar.write(b);
    tar.closeArchiveEntry();
  }
}
