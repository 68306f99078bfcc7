package io.jscan.core.transport.dockerarchive;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.jscan.core.FailureKind;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.ArtifactBlobs;
import io.jscan.core.image.DiffIdRecords;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageIndex;
import io.jscan.core.image.Images;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.io.ContentMismatchException;
import io.jscan.core.io.VerifyingInputStream;
import io.jscan.core.oci.Annotations;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.LayoutHeader;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.oci.json.OciJson;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ocilayout.OciLayout;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes {@code docker save} archives in the Docker 25 layout, which every current consumer
 * reads: {@code manifest.json} (for {@code docker load}, {@code podman load} and skopeo's
 * docker-archive transport) and an OCI image layout in the same tar ({@code oci-layout},
 * {@code index.json}, {@code blobs/sha256/…}, for OCI tools).
 *
 * <p>Blobs are stored exactly as the image has them (compressed layers stay compressed: Docker
 * and containers/image detect the compression), so manifest and config digests survive a save and
 * load. Each blob is verified against its descriptor while it is copied.
 *
 * <p>The archive is deterministic: members sorted by name, directories {@code 0755} and files
 * {@code 0644}, owner 0:0 without names, mtime 0 (the epoch), POSIX (PAX) tar. It is written to a
 * temp file beside the target and renamed, so a failed or interrupted save never leaves a partial
 * archive under the target name.
 */
public final class DockerArchiveWriter {
  private DockerArchiveWriter() {}

  /**
   * An artifact and the names to record for it. RepoTags get the fully qualified name
   * ({@code docker.io/library/app:1.0}): docker load normalises either form the same way, while
   * podman load would file a short {@code app:1.0} under {@code localhost/}.
   */
  public record Item(Artifact artifact, List<ImageName> names) {
    public Item {
      names = List.copyOf(names);
      for (ImageName n : names) {
        if (n.tag().isEmpty()) {
          throw new IllegalArgumentException("a docker-archive name needs a tag: " + n);
        }
      }
    }
  }

  private static final FileTime EPOCH = FileTime.from(Instant.EPOCH);

  /**
   * Writes {@code items} to {@code target}. An {@link ImageIndex} is stored whole in the OCI part;
   * in manifest.json (which can only list single images) it is represented by its image for
   * {@code platform}, or its first image when none matches.
   */
  public static void write(Path target, List<Item> items, Platform platform) throws OciException {
    write(target, items, platform, DiffIdRecords.NONE);
  }

  /**
   * As {@link #write(Path, List, Platform)}; layers are checked against their compression and
   * diff_id as they are written ({@link ArtifactBlobs.Blob#open}), those {@code diffIds} prove
   * without decompressing them again. A failing layer leaves no archive.
   */
  public static void write(Path target, List<Item> items, Platform platform, DiffIdRecords diffIds) throws OciException {
    if (items.isEmpty()) {
      throw OciException.badInput("docker archive " + target, "nothing to save");
    }
    Map<String, ArtifactBlobs.Blob> blobs = new TreeMap<>();
    List<Descriptor> indexEntries = new ArrayList<>();
    ByteArrayOutputStream manifestJson = new ByteArrayOutputStream();
    try (JsonGenerator g = new JsonFactory().createGenerator(manifestJson)) {
      g.writeStartArray();
      for (Item item : items) {
        for (ArtifactBlobs.Blob blob : ArtifactBlobs.of(item.artifact())) {
          blobs.putIfAbsent(memberName(blob.descriptor().digest()), blob);
        }
        Image image = representative(item.artifact(), platform);
        Manifest m = image.manifest();
        g.writeStartObject();
        g.writeStringField("Config", memberName(m.config().digest()));
        g.writeArrayFieldStart("RepoTags");
        for (ImageName name : item.names()) {
          g.writeString(name.withoutDigest().toString());
        }
        g.writeEndArray();
        g.writeArrayFieldStart("Layers");
        for (Descriptor layer : m.layers()) {
          g.writeString(memberName(layer.digest()));
        }
        g.writeEndArray();
        g.writeEndObject();
        Descriptor top = item.artifact().descriptor();
        if (item.names().isEmpty()) {
          indexEntries.add(OciLayout.entryFor(top, Optional.empty()));
        }
        for (ImageName name : item.names()) {
          // what Docker 25 writes: the full name for containerd, the tag as the OCI ref name
          Map<String, String> annotations = new TreeMap<>(OciLayout.entryFor(top, Optional.empty()).annotations());
          annotations.put(OciLayout.CONTAINERD_IMAGE_NAME, name.withoutDigest().toString());
          annotations.put(Annotations.REF_NAME, name.tag().orElseThrow());
          indexEntries.add(top.withAnnotations(annotations));
        }
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw OciException.io("docker archive " + target, e);
    }
    byte[] index = OciJson.write(new IndexManifest(indexEntries));
    byte[] layout = OciJson.write(LayoutHeader.CURRENT);
    writeTar(target, blobs, index, manifestJson.toByteArray(), layout, diffIds);
  }

  private static Image representative(Artifact artifact, Platform platform) throws OciException {
    if (artifact instanceof Image image) {
      return image;
    }
    try {
      return Images.forPlatform(artifact, platform);
    } catch (OciException e) {
      if (e.kind() != FailureKind.BAD_INPUT) {
        throw e;
      }
      ImageIndex index = (ImageIndex) artifact;
      for (Descriptor child : index.index().manifests()) {
        if (MediaTypes.isImageManifest(child.mediaType())) {
          return (Image) index.child(child);
        }
      }
      throw OciException.badInput("index " + artifact.descriptor().digest(), "holds no image to list in manifest.json");
    }
  }

  static String memberName(Digest digest) {
    return OciLayout.BLOBS_DIR + "/" + digest.algorithm() + "/" + digest.encoded();
  }

  private static void writeTar(
      Path target, Map<String, ArtifactBlobs.Blob> blobs, byte[] index, byte[] manifestJson, byte[] layout,
      DiffIdRecords diffIds)
      throws OciException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = AtomicFiles.tempName(dir, "." + target.getFileName() + ".jscan-tmp-");
    String what = "docker archive " + target;
    try {
      if (Files.isDirectory(target)) {
        throw OciException.badInput(what, "is a directory");
      }
      Files.createDirectories(dir);
      try (OutputStream file = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          TarArchiveOutputStream tar = new TarArchiveOutputStream(new BufferedOutputStream(file, 1 << 16))) {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        TreeMap<String, Object> members = new TreeMap<>();
        for (Map.Entry<String, ArtifactBlobs.Blob> e : blobs.entrySet()) {
          members.put(e.getKey(), e.getValue());
          String parent = e.getKey().substring(0, e.getKey().lastIndexOf('/'));
          members.put(parent + "/", "dir");
          members.put(OciLayout.BLOBS_DIR + "/", "dir");
        }
        members.put(OciLayout.INDEX_FILE, index);
        members.put(DockerArchive.MANIFEST_JSON, manifestJson);
        members.put(OciLayout.LAYOUT_FILE, layout);
        for (Map.Entry<String, Object> m : members.entrySet()) {
          Object content = m.getValue();
          if (content instanceof String) {
            tar.putArchiveEntry(entry(m.getKey(), TarConstants.LF_DIR, 0755, 0));
            tar.closeArchiveEntry();
          } else if (content instanceof byte[] bytes) {
            tar.putArchiveEntry(entry(m.getKey(), TarConstants.LF_NORMAL, 0644, bytes.length));
            tar.write(bytes);
            tar.closeArchiveEntry();
          } else {
            ArtifactBlobs.Blob blob = (ArtifactBlobs.Blob) content;
            Descriptor d = blob.descriptor();
            tar.putArchiveEntry(entry(m.getKey(), TarConstants.LF_NORMAL, 0644, d.size()));
            try (InputStream raw = blob.open(diffIds);
                // a source stream that already verifies this very descriptor is not hashed twice
                VerifyingInputStream in = raw instanceof VerifyingInputStream v && v.checks(d.digest(), d.size())
                    ? v
                    : VerifyingInputStream.of(raw, "blob " + d.digest(), d.digest(), d.size())) {
              in.transferTo(tar);
            }
            tar.closeArchiveEntry();
          }
        }
        tar.finish();
      }
      AtomicFiles.force(tmp);
      AtomicFiles.publish(tmp, target);
    } catch (ContentMismatchException e) {
      throw new OciException(FailureKind.INTEGRITY, e.what(), e.detail(), e);
    } catch (IOException e) {
      throw OciException.reading(what, e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // nothing more to do
      }
    }
  }

  /** A header from explicit values only: nothing comes from the host (user name, clock, umask). */
  private static TarArchiveEntry entry(String name, byte type, int mode, long size) {
    TarArchiveEntry e = new TarArchiveEntry(name, type);
    e.setMode((type == TarConstants.LF_DIR ? 040000 : 0100000) | mode);
    e.setIds(0, 0);
    e.setUserName("");
    e.setGroupName("");
    e.setModTime(EPOCH);
    e.setSize(size);
    return e;
  }
}
