package io.jscan.verifier.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jscan.core.FailureKind;
import io.jscan.core.image.ArtifactManifest;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Digest;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.verifier.Evidence;
import io.jscan.verifier.RawTar;
import io.jscan.verifier.TestImage;
import io.jscan.verifier.VerifierException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unsigned in-toto statements attached to an image as OCI referrers become informational attachments. */
class AttachedStatementsTest {
  private static final String TYPE = "application/vnd.in-toto+json";

  @TempDir Path tmp;

  static String statement(Digest subject, String predicateType, String predicate) {
    return "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"app\",\"digest\":{\"sha256\":\"" + subject.encoded()
        + "\"}}],\"predicateType\":\"" + predicateType + "\",\"predicate\":" + predicate + "}";
  }

  static Image artifact(Image subject, String... blobs) throws Exception {
    List<ArtifactManifest.Blob> parts = new java.util.ArrayList<>();
    for (String b : blobs) {
      parts.add(new ArtifactManifest.Blob(TYPE, b.getBytes(StandardCharsets.UTF_8), Map.of()));
    }
    return ArtifactManifest.of(subject.descriptor(), TYPE, parts, Map.of());
  }

  @Test
  void collect_readsStatementsAboutTheImage_andIgnoresOthers() throws Exception {
    Image image = TestImage.image().layer(RawTar.tar().file("a", "a").build()).build();
    Image other = TestImage.image().layer(RawTar.tar().file("b", "b").build()).build();
    OciLayout layout = OciLayout.create(tmp.resolve("layout"));
    layout.write(image, Optional.of("app"));
    layout.write(other, Optional.of("other"));
    Image provenance = artifact(image, statement(image.digest(), "https://slsa.dev/provenance/v1", "{\"buildDefinition\":{\"buildType\":\"x\",\"n\":null}}"));
    Image mixed = artifact(image,
        statement(other.digest(), "https://cyclonedx.org/bom", "{}"),       // about another image: ignored
        "not json",                                                          // not a statement: ignored
        statement(image.digest(), "https://cyclonedx.org/bom", "{\"bomFormat\":\"CycloneDX\",\"components\":[]}"));
    layout.referrers().attach(provenance);
    layout.referrers().attach(mixed);
    layout.referrers().attach(artifact(other, statement(other.digest(), "https://spdx.dev/Document", "{}")));

    Evidence e = new AttachedStatements(layout.referrers()).collect(image, image, "oci:layout:app");

    assertEquals(List.of(), e.signatures());
    assertEquals(List.of(), e.attestations(), "nothing here is signed");
    assertEquals(2, e.attachments().size(), e.attachments()::toString);
    Evidence.Attachment p = e.attachments().stream().filter(a -> a.predicateType().equals("https://slsa.dev/provenance/v1")).findFirst().orElseThrow();
    assertEquals(provenance.digest(), p.artifact());
    assertEquals(Map.of("buildDefinition", Map.of("buildType", "x")), p.predicate(), "JSON nulls are left out");
    assertEquals(mixed.digest(), e.attachments().stream().filter(a -> a.predicateType().equals("https://cyclonedx.org/bom"))
        .findFirst().orElseThrow().artifact());
  }

  @Test
  void collect_attachmentWhoseBlobWasTamperedWith_isAnIntegrityFailure() throws Exception {
    Image image = TestImage.image().layer(RawTar.tar().file("a", "a").build()).build();
    OciLayout layout = OciLayout.create(tmp.resolve("layout"));
    layout.write(image, Optional.of("app"));
    String good = statement(image.digest(), "https://cyclonedx.org/bom", "{}");
    Image a = artifact(image, good);
    layout.referrers().attach(a);
    Digest blob = a.manifest().layers().get(0).digest();
    Files.writeString(layout.blobPath(blob), good.replace("cyclonedx", "cyclonedX"));

    VerifierException e = assertThrows(VerifierException.class, () -> new AttachedStatements(layout.referrers()).collect(image, image, "ref"));
    assertEquals(FailureKind.INTEGRITY, e.kind());
  }
}
