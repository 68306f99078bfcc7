package io.jscan.core.transport.registry;

import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.Referrers;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.json.OciJson;
import io.jscan.core.transport.ImageName;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Referrers in a registry repository (distribution-spec v1.1 "Listing Referrers", "Pushing
 * Manifests with Subject"). Listing asks the referrers API; a registry without it (404, as the CNCF
 * distribution 2.x answers) is read through the referrers tag schema: the index tagged
 * {@code <alg>-<hex>} of the subject's digest. Attaching pushes the artifact by digest and, unless
 * the registry answers {@code OCI-Subject} (it indexed the subject itself), adds the artifact to
 * that tag's index, as the spec asks clients to.
 *
 * <p>Updating the tag is read-modify-write without a lock: two clients attaching at the same moment
 * can lose one entry (the spec's known race; the artifact itself stays, by digest).
 */
final class RegistryReferrers implements Referrers {
  private final RegistryClient client;
  private final ImageName repository;

  RegistryReferrers(RegistryClient client, ImageName repository) {
    this.client = client;
    this.repository = repository;
  }

  /** distribution-spec "Referrers Tag Schema": {@code <alg>-<ref>}, ref truncated to 64 characters. */
  static String fallbackTag(Digest subject) {
    String hex = subject.encoded();
    return subject.algorithm() + "-" + (hex.length() > 64 ? hex.substring(0, 64) : hex);
  }

  private ImageName byDigest(Digest digest) {
    return new ImageName(repository.domain(), repository.path(), Optional.empty(), Optional.of(digest));
  }

  @Override
  public List<Descriptor> list(Digest subject) throws OciException {
    String what = "referrers of " + repository.repository() + "@" + subject;
    RegistryHttp.Call call = RegistryHttp.Call.get(repository.domain(), "/v2/" + repository.path() + "/referrers/" + subject,
            List.of(RegistryHttp.scope(repository.path(), "pull")), what)
        .withHeader("Accept", MediaTypes.OCI_INDEX);
    HttpResponse<InputStream> r = client.http().send(call);
    if (r.statusCode() == 200) {
      byte[] bytes;
      try (InputStream in = r.body()) {
        bytes = in.readNBytes(RegistryClient.MAX_MANIFEST_BYTES + 1);
      } catch (IOException e) {
        throw RegistryException.unexpected(what, "reading the answer: " + RegistryHttp.describe(e), e);
      }
      if (bytes.length > RegistryClient.MAX_MANIFEST_BYTES) {
        throw RegistryException.badInput(what, "the referrers list is more than " + RegistryClient.MAX_MANIFEST_BYTES + " bytes");
      }
      return OciJson.parseIndex(bytes, what, Optional.of(MediaTypes.OCI_INDEX)).manifests();
    }
    if (r.statusCode() != 404) {
      throw RegistryHttp.failure(call, r);
    }
    RegistryHttp.discard(r);
    return fallbackIndex(subject).map(IndexManifest::manifests).orElse(List.of());
  }

  /** The referrers tag's index, when the tag exists. */
  private Optional<IndexManifest> fallbackIndex(Digest subject) throws OciException {
    String tag = fallbackTag(subject);
    RegistryClient.FetchedManifest m;
    try {
      m = client.fetchManifest(repository, tag);
    } catch (RegistryException e) {
      if (e.httpStatus().orElse(0) == 404) {
        return Optional.empty();
      }
      throw e;
    }
    if (!MediaTypes.isIndex(m.descriptor().mediaType())) {
      throw RegistryException.badInput("referrers tag " + repository.repository() + ":" + tag,
          "holds a " + m.descriptor().mediaType() + ", not an image index");
    }
    return Optional.of(OciJson.parseIndex(m.bytes(), "referrers tag " + tag, Optional.of(m.descriptor().mediaType())));
  }

  @Override
  public Artifact read(Descriptor referrer) throws OciException {
    return client.read(byDigest(referrer.digest()));
  }

  @Override
  public void attach(Image artifact) throws OciException {
    Digest digest = artifact.digest();
    Descriptor subject = artifact.manifest().subject()
        .orElseThrow(() -> OciException.badInput("artifact " + digest, "has no subject to attach to"));
    Pusher pusher = new Pusher(client.http(), client, byDigest(digest));
    pusher.push(artifact);
    if (pusher.subjectIndexed(subject.digest())) {
      return;
    }
    Optional<IndexManifest> current = fallbackIndex(subject.digest());
    List<Descriptor> entries = new ArrayList<>(current.map(IndexManifest::manifests).orElse(List.of()));
    if (entries.stream().anyMatch(d -> d.digest().equals(digest))) {
      return;
    }
    Descriptor top = artifact.descriptor();
    entries.add(new Descriptor(top.mediaType(), top.digest(), top.size(), List.of(), artifact.manifest().annotations(),
        Optional.empty(), artifact.manifest().artifactType()));
    byte[] bytes = OciJson.write(new IndexManifest(MediaTypes.OCI_INDEX, Optional.empty(), entries, Optional.empty(), Map.of()));
    String tag = fallbackTag(subject.digest());
    new Pusher(client.http(), client, repository.withTag(tag)).putDocument(Descriptor.of(MediaTypes.OCI_INDEX, bytes), bytes, tag);
  }
}
