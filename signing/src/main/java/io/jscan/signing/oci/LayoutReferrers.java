package io.jscan.signing.oci;

import io.jscan.core.image.Artifact;
import io.jscan.core.image.ArtifactBlobs;
import io.jscan.core.image.BlobSource;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageIndex;
import io.jscan.core.image.Images;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.json.OciJson;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.registry.RegistryClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Referrers in an OCI image layout, which has no referrers API (image-spec image-layout.md says
 * nothing about them). jscan keeps the distribution-spec's referrers tag schema there too: an
 * index named {@code sha256-<hex>} lists the referrers of that manifest, so the layout is
 * self-describing and its garbage collection keeps them. Reading also finds referrers that other
 * tools (oras) record as plain index.json entries: every untagged or typed image-manifest entry
 * whose {@code subject} is the manifest counts.
 */
final class LayoutReferrers {
  private LayoutReferrers() {}

  /** The referrers of {@code subject}: the fallback index's entries, then index.json entries with that subject. */
  static List<Descriptor> find(OciLayout layout, Optional<Descriptor> fallbackIndex, Digest subject) throws OciException {
    Map<Digest, Descriptor> found = new LinkedHashMap<>();
    if (fallbackIndex.isPresent() && MediaTypes.isIndex(fallbackIndex.get().mediaType())) {
      Artifact a = layout.artifact(fallbackIndex.get());
      if (a instanceof ImageIndex index) {
        for (Descriptor d : index.index().manifests()) {
          found.putIfAbsent(d.digest(), d);
        }
      }
    }
    for (Descriptor d : layout.index().manifests()) {
      if (found.containsKey(d.digest()) || !MediaTypes.isImageManifest(d.mediaType())
          || (d.refName().isPresent() && d.artifactType().isEmpty()) || !layout.hasBlob(d.digest())) {
        continue;
      }
      Manifest m = ((Image) layout.artifact(d)).manifest();
      if (m.subject().isPresent() && m.subject().get().digest().equals(subject)) {
        found.put(d.digest(), listed(d, m));
      }
    }
    return List.copyOf(found.values());
  }

  /** How a referrer is listed (distribution-spec: with its artifactType and the manifest's annotations). */
  static Descriptor listed(Descriptor d, Manifest m) {
    return new Descriptor(d.mediaType(), d.digest(), d.size(), List.of(), m.annotations(), Optional.empty(),
        Optional.of(m.artifactType().orElse(m.config().mediaType())));
  }

  /**
   * The fallback index with {@code referrer} added, as an artifact whose new blobs (the index and
   * the referrer's) come from memory and whose other children from the layout, so any sink that
   * writes children first can store it.
   */
  static ImageIndex withReferrer(OciLayout layout, Optional<Descriptor> fallbackIndex, Image referrer) throws OciException {
    List<Descriptor> entries = new ArrayList<>();
    if (fallbackIndex.isPresent() && MediaTypes.isIndex(fallbackIndex.get().mediaType())) {
      Artifact a = layout.artifact(fallbackIndex.get());
      if (a instanceof ImageIndex index) {
        entries.addAll(index.index().manifests());
      }
    }
    Descriptor top = referrer.descriptor();
    if (entries.stream().noneMatch(d -> d.digest().equals(top.digest()))) {
      entries.add(listed(top, referrer.manifest()));
    }
    byte[] indexBytes = OciJson.write(new IndexManifest(entries));
    Descriptor indexDescriptor = Descriptor.of(MediaTypes.OCI_INDEX, indexBytes);
    Map<Digest, byte[]> memory = new HashMap<>();
    memory.put(indexDescriptor.digest(), indexBytes);
    for (ArtifactBlobs.Blob b : ArtifactBlobs.of(referrer)) {
      try (InputStream in = b.open()) {
        memory.put(b.descriptor().digest(), in.readAllBytes());
      } catch (IOException e) {
        throw OciException.reading("referrer " + top.digest(), e);
      }
    }
    BlobSource overlay = d -> {
      byte[] bytes = memory.get(d.digest());
      return bytes != null ? new ByteArrayInputStream(bytes) : layout.blobs().openUnverified(d);
    };
    return Images.index(overlay, indexDescriptor);
  }

  /** The fallback tag of {@code subject}: {@code sha256-<hex>}. */
  static String tag(Digest subject) {
    return RegistryClient.referrersTag(subject);
  }
}
