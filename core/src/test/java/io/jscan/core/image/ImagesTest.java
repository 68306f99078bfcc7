package io.jscan.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.oci.json.OciJson;
import io.jscan.core.testing.TarBuilder;
import io.jscan.core.testing.TestImages;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImagesTest {

  /** A blob source over a map, like a transport would be: raw bytes by digest. */
  static final class MapSource implements BlobSource {
    final Map<Digest, byte[]> blobs = new HashMap<>();

    Descriptor put(String mediaType, byte[] bytes) {
      Descriptor d = Descriptor.of(mediaType, bytes);
      blobs.put(d.digest(), bytes);
      return d;
    }

    @Override
    public InputStream openUnverified(Descriptor descriptor) throws OciException {
      byte[] b = blobs.get(descriptor.digest());
      if (b == null) {
        throw OciException.badInput("test source", "missing " + descriptor.digest());
      }
      return new ByteArrayInputStream(b);
    }

    /** Copies every blob of an artifact into this source. */
    Descriptor putAll(Artifact a) throws OciException {
      for (ArtifactBlobs.Blob b : ArtifactBlobs.of(a)) {
        try (InputStream in = b.open(DiffIdRecords.NONE)) {
          blobs.put(b.descriptor().digest(), in.readAllBytes());
        } catch (java.io.IOException e) {
          throw OciException.io("copy", e);
        }
      }
      return a.descriptor();
    }
  }

  @Test
  void builder_sameParts_giveTheSameDigests() throws Exception {
    Image a = TestImages.withLayers("one", "two");
    Image b = TestImages.withLayers("one", "two");
    assertEquals(a.digest(), b.digest());
    assertArrayEquals(a.configBytes(), b.configBytes());
    assertNotEquals(a.digest(), TestImages.withLayers("one", "three").digest());
  }

  @Test
  void builder_configDiffIds_comeFromTheLayers() throws Exception {
    Image image = TestImages.withLayers("one", "two");
    List<Digest> diffIds = image.config().rootfs().diffIds();
    assertEquals(2, diffIds.size());
    assertEquals(Digest.sha256(TarBuilder.tar().file("file0.txt", "one").build()), diffIds.get(0));
    assertEquals(image.layers().get(1).diffId(), diffIds.get(1));
    assertEquals(MediaTypes.OCI_LAYER_GZIP, image.manifest().layers().get(0).mediaType());
  }

  @Test
  void builder_onABase_keepsBaseLayersAndAppends() throws Exception {
    Image base = TestImages.withLayers("base");
    Image derived =
        ImageBuilder.from(base)
            .addLayer(
                Layers.compress(TarBuilder.tar().file("x", "x").build(), MediaTypes.Compression.ZSTD),
                new ImageConfig.History(Optional.empty(), Optional.of("RUN x"), Optional.empty(), Optional.empty(), false))
            .format(ManifestFormat.DOCKER)
            .build();
    assertEquals(MediaTypes.DOCKER_MANIFEST, derived.manifest().mediaType());
    assertEquals(MediaTypes.DOCKER_LAYER_GZIP, derived.manifest().layers().get(0).mediaType());
    assertEquals(MediaTypes.DOCKER_LAYER_ZSTD, derived.manifest().layers().get(1).mediaType());
    assertEquals(base.manifest().layers().get(0).digest(), derived.manifest().layers().get(0).digest());
    assertEquals(2, derived.config().history().size());
  }

  @Test
  void blobImage_readsBackWhatWasWritten_andEveryLayerVerifies() throws Exception {
    Image built = TestImages.withLayers("one", "two");
    MapSource source = new MapSource();
    Image read = Images.image(source, source.putAll(built));
    assertArrayEquals(built.manifestBytes(), read.manifestBytes());
    assertEquals(built.config(), read.config());
    for (Layer layer : read.layers()) {
      try (InputStream in = layer.openUncompressed()) {
        assertTrue(in.readAllBytes().length > 0);
      }
    }
  }

  @Test
  void layers_moreDiffIdsThanLayers_isAnIntegrityFailure() throws Exception {
    Image built = TestImages.withLayers("one", "two");
    MapSource source = new MapSource();
    source.putAll(built);
    Manifest oneLayerDropped =
        new Manifest(built.manifest().mediaType(), built.manifest().config(), built.manifest().layers().subList(0, 1));
    Descriptor d = source.put(MediaTypes.OCI_MANIFEST, OciJson.write(oneLayerDropped));
    OciException e = assertThrows(OciException.class, () -> Images.image(source, d).layers());
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().endsWith("the manifest lists 1 layers but the config has 2 diff_ids"), e.getMessage());
  }

  @Test
  void layer_whoseContentDoesNotMatchItsDiffId_failsWhenReadToTheEnd() throws Exception {
    byte[] tar = TarBuilder.tar().file("a", "a").build();
    Layer liar = Layers.fromBytes(tar, MediaTypes.OCI_LAYER, Digest.sha256("something else"));
    OciException e =
        assertThrows(
            OciException.class,
            () -> {
              try (InputStream in = liar.openUncompressed()) {
                in.readAllBytes();
              } catch (java.io.IOException io) {
                throw OciException.reading("layer", io);
              }
            });
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
  }

  @Test
  void layer_gzipWhoseContentDoesNotMatchItsDiffId_failsWhenReadToTheEnd() throws Exception {
    // the diff_id is checked on the consumer's side of the read-ahead thread: the failure must
    // still come out of the read that reaches the end, not be lost with the thread
    Layer gz = Layers.compress(TarBuilder.tar().file("a", "a").build(), MediaTypes.Compression.GZIP);
    byte[] blob;
    try (InputStream in = gz.openCompressed()) {
      blob = in.readAllBytes();
    }
    Layer liar = Layers.fromBytes(blob, gz.descriptor().mediaType(), Digest.sha256("something else"));
    java.io.IOException e = assertThrows(java.io.IOException.class, () -> {
      try (InputStream in = liar.openUncompressed()) {
        in.readAllBytes();
      }
    });
    assertTrue(e.getMessage().contains("diff_id") && e.getMessage().contains("digest mismatch"), e.getMessage());
  }

  @Test
  void layer_gzipBlobDeclaredUncompressed_failsAsIntegrity() throws Exception {
    Layer gz = Layers.compress(TarBuilder.tar().file("a", "a").build(), MediaTypes.Compression.GZIP);
    byte[] blob;
    try (InputStream in = gz.openCompressed()) {
      blob = in.readAllBytes();
    }
    Layer mislabelled = Layers.fromBytes(blob, MediaTypes.OCI_LAYER, gz.diffId());
    OciException e = assertThrows(OciException.class, mislabelled::openUncompressed);
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().contains("compression mismatch"), e.getMessage());
  }

  @Test
  void manifestDescriptorSayingIndex_pointingAtAManifest_isAnIntegrityFailure() throws Exception {
    Image built = TestImages.withLayers("one");
    MapSource source = new MapSource();
    source.putAll(built);
    Descriptor lying = built.descriptor().withMediaType(MediaTypes.OCI_INDEX);
    ImageIndex index = Images.index(source, lying);
    OciException e = assertThrows(OciException.class, index::index);
    assertEquals(FailureKind.INTEGRITY, e.kind());
  }

  private static ImageIndex multiPlatformIndex(MapSource source, Image... images) throws Exception {
    List<Descriptor> entries = new java.util.ArrayList<>();
    for (Image image : images) {
      entries.add(source.putAll(image).withPlatform(image.config().platform()));
    }
    Descriptor d = source.put(MediaTypes.OCI_INDEX, OciJson.write(new IndexManifest(entries)));
    return Images.index(source, d);
  }

  @Test
  void forPlatform_picksTheMatchingImage_withArchitectureAliases() throws Exception {
    MapSource source = new MapSource();
    Image amd64 = TestImages.withLayers(Platform.LINUX_AMD64, "amd");
    Image arm64 = TestImages.withLayers(new Platform("linux", "arm64"), "arm");
    ImageIndex index = multiPlatformIndex(source, amd64, arm64);
    assertEquals(arm64.digest(), Images.forPlatform(index, Platform.parse("linux/aarch64")).digest());
    assertEquals(amd64.digest(), Images.forPlatform(index, Platform.parse("linux/amd64")).digest());
    assertEquals(List.of(Platform.LINUX_AMD64, new Platform("linux", "arm64")), Images.platforms(index));
  }

  @Test
  void forPlatform_noMatch_listsTheAvailablePlatforms() throws Exception {
    MapSource source = new MapSource();
    ImageIndex index =
        multiPlatformIndex(source, TestImages.withLayers(Platform.LINUX_AMD64, "a"), TestImages.withLayers(new Platform("linux", "arm64"), "b"));
    OciException e = assertThrows(OciException.class, () -> Images.forPlatform(index, Platform.parse("linux/s390x")));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().endsWith("no image for platform linux/s390x; available: linux/amd64, linux/arm64"), e.getMessage());
  }

  @Test
  void forPlatform_onASingleImage_checksItsConfig() throws Exception {
    Image image = TestImages.withLayers("x");
    assertSame(image, Images.forPlatform(image, Platform.LINUX_AMD64));
    assertThrows(OciException.class, () -> Images.forPlatform(image, Platform.parse("linux/arm64")));
  }

  @Test
  void artifactBlobs_listChildrenBeforeParents() throws Exception {
    MapSource source = new MapSource();
    Image a = TestImages.withLayers(Platform.LINUX_AMD64, "a");
    ImageIndex index = multiPlatformIndex(source, a);
    List<ArtifactBlobs.Blob> blobs = ArtifactBlobs.of(index);
    List<Digest> order = blobs.stream().map(b -> b.descriptor().digest()).toList();
    assertEquals(List.of(a.manifest().layers().get(0).digest(), a.manifest().config().digest(), a.digest(), index.digest()), order);
  }
}
