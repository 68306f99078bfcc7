package io.jscan.signing.oci;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.image.Image;
import io.jscan.core.image.StaticImage;
import io.jscan.core.io.InputLimit;
import io.jscan.core.oci.Annotations;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.signing.Json;
import io.jscan.signing.SigningException;
import io.jscan.signing.bundle.SigstoreBundle;
import io.jscan.signing.payload.InTotoStatement;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** Builds the manifests signatures are stored in: cosign's tag manifests and bundle referrers. */
final class SignatureManifests {
  /** A signature blob larger than this is refused when read: DSSE envelopes carry SBOMs, which can be big, but not this big. */
  static final long MAX_BLOB_BYTES = InputLimit.SIGNATURE_LAYER.bytes();
  /** cosign's config times: Go's zero time, so the config does not change with the clock. */
  private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private SignatureManifests() {}

  /** One layer of a tag manifest: its descriptor (with annotations) and bytes. */
  record Layer(Descriptor descriptor, byte[] content) {}

  /** The layers of an existing {@code .sig}/{@code .att} manifest (none when absent), read and verified. */
  static List<Layer> layersOf(Optional<Image> existing) throws OciException {
    List<Layer> out = new ArrayList<>();
    if (existing.isEmpty()) {
      return out;
    }
    for (Descriptor d : existing.get().manifest().layers()) {
      out.add(new Layer(d, read(existing.get(), d)));
    }
    return out;
  }

  /** Reads one blob of a signature manifest, verified and bounded. */
  static byte[] read(Image manifest, Descriptor d) throws OciException {
    if (d.size() > MAX_BLOB_BYTES) {
      throw OciException.badInput("signature blob " + d.digest(), "declared size " + d.size() + " exceeds the limit of " + MAX_BLOB_BYTES + " bytes");
    }
    try (InputStream in = manifest.openBlob(d)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw OciException.reading("signature blob " + d.digest(), e);
    }
  }

  /**
   * A cosign tag manifest with {@code layers}: an OCI image manifest whose config is an image
   * config listing the layers as diff_ids (as go-containerregistry's empty image with layers
   * appended, which is what cosign writes), so tools that expect an image config find one.
   */
  static Image tagManifest(List<Layer> layers, Predicate<Layer> drop) {
    List<Layer> kept = layers.stream().filter(drop.negate()).toList();
    ObjectNode config = Json.MAPPER.createObjectNode();
    config.put("architecture", "");
    config.put("created", ZERO_TIME);
    ArrayNode history = config.putArray("history");
    config.put("os", "");
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    ArrayNode diffIds = rootfs.putArray("diff_ids");
    for (Layer l : kept) {
      history.addObject().put("created", ZERO_TIME);
      diffIds.add(l.descriptor().digest().toString());
    }
    config.putObject("config");
    StaticImage.Builder b = StaticImage.builder().config(MediaTypes.OCI_CONFIG, bytes(config));
    for (Layer l : kept) {
      b.blob(l.descriptor(), l.content());
    }
    return b.build();
  }

  /**
   * A Sigstore bundle as an OCI 1.1 referrer of {@code subject}, as cosign 3 stores it: the empty
   * config, one layer holding the bundle, artifactType the bundle's media type, and the
   * annotations {@code dev.sigstore.bundle.content}, {@code dev.sigstore.bundle.predicateType} and
   * {@code org.opencontainers.image.created} (to the second).
   */
  static Image bundleReferrer(Descriptor subject, SigstoreBundle bundle, Instant created) throws SigningException {
    String content;
    String predicateType;
    if (bundle.content() instanceof SigstoreBundle.Dsse dsse) {
      content = "dsse-envelope";
      InTotoStatement st = dsse.envelope().statement();
      predicateType = st.predicateType();
    } else {
      content = "message-signature";
      predicateType = Conventions.COSIGN_SIGN_PREDICATE_TYPE;
    }
    return StaticImage.builder()
        .artifactType(Conventions.BUNDLE_ARTIFACT_TYPE)
        .blob(Conventions.BUNDLE_ARTIFACT_TYPE, bundle.json(), Map.of())
        .subject(subject.bare())
        .annotation(Annotations.CREATED, created.truncatedTo(ChronoUnit.SECONDS).toString())
        .annotation(Conventions.BUNDLE_CONTENT_ANNOTATION, content)
        .annotation(Conventions.BUNDLE_PREDICATE_TYPE_ANNOTATION, predicateType)
        .build();
  }

  static byte[] bytes(ObjectNode node) {
    try {
      return Json.MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize an in-memory JSON tree", e);
    }
  }
}
