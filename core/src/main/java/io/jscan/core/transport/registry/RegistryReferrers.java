package io.jscan.core.transport.registry;

import io.jscan.core.image.DiffIdRecords;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.Referrers;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.Manifest;
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
 * Manifests with Subject"). Listing asks the referrers API ({@code GET /v2/NAME/referrers/DIGEST},
 * following {@code Link} pages); a registry without it (404, as the CNCF distribution 2.x answers;
 * the spec forbids a 404 from one that has it) is read through the referrers tag schema: the index
 * tagged {@link Referrers#fallbackTag} of the subject's digest. Attaching pushes the artifact by
 * digest and, unless the registry answers {@code OCI-Subject} (it indexed the subject itself), adds
 * the artifact to that tag's index, as the spec asks clients to.
 *
 * <p>Updating the tag is read-modify-write without a lock: two clients attaching at the same moment
 * can lose one entry (the spec's known race; the artifact itself stays, by digest). A registry
 * keeps every artifact pushed, so {@link #attachReplacing} replaces nothing.
 */
final class RegistryReferrers implements Referrers {
  /** Pages of the referrers API followed at most; a longer list is refused rather than read forever. */
  static final int MAX_PAGES = 32;

  private final RegistryClient client;
  private final ImageName repository;

  RegistryReferrers(RegistryClient client, ImageName repository) {
    this.client = client;
    this.repository = repository.withoutDigest();
  }

  private ImageName byDigest(Digest digest) {
    return new ImageName(repository.domain(), repository.path(), Optional.empty(), Optional.of(digest));
  }

  @Override
  public List<Descriptor> list(Digest subject) throws OciException {
    String path = "/v2/" + repository.path() + "/referrers/" + subject;
    String what = "referrers of " + repository.repository() + "@" + subject;
    List<Descriptor> found = new ArrayList<>();
    for (int page = 0; page < MAX_PAGES; page++) {
      RegistryHttp.Call call = RegistryHttp.Call.get(repository.domain(), path, List.of(RegistryHttp.scope(repository.path(), "pull")), what)
          .withHeader("Accept", MediaTypes.OCI_INDEX);
      HttpResponse<InputStream> r = client.http().send(call);
      if (r.statusCode() == 404 && page == 0) {
        RegistryHttp.discard(r);
        return fallbackIndex(subject).map(IndexManifest::manifests).orElse(List.of());
      }
      if (r.statusCode() != 200) {
        throw RegistryHttp.failure(call, r);
      }
      Optional<String> next = nextPage(r.headers().allValues("Link"));
      byte[] bytes;
      try (InputStream in = r.body()) {
        bytes = in.readNBytes(RegistryClient.MAX_MANIFEST_BYTES + 1);
      } catch (IOException e) {
        throw RegistryException.unexpected(what, "reading the answer: " + RegistryHttp.describe(e), e);
      }
      if (bytes.length > RegistryClient.MAX_MANIFEST_BYTES) {
        throw RegistryException.badInput(what, "the referrers list is more than " + RegistryClient.MAX_MANIFEST_BYTES + " bytes");
      }
      try {
        found.addAll(OciJson.parseIndex(bytes, what, Optional.of(MediaTypes.OCI_INDEX)).manifests());
      } catch (OciException e) {
        throw RegistryException.badInput(what, "the registry answered an invalid referrers index: " + e.getMessage());
      }
      if (next.isEmpty()) {
        return found;
      }
      path = next.get();
    }
    throw RegistryException.badInput(what, "more than " + MAX_PAGES + " pages of referrers");
  }

  /** The target of a {@code Link: <URL>; rel="next"} header (RFC 8288), as a path below the registry. */
  static Optional<String> nextPage(List<String> links) {
    for (String header : links) {
      for (String link : header.split(",")) {
        String l = link.trim();
        int open = l.indexOf('<');
        int close = l.indexOf('>');
        if (open == 0 && close > open && l.substring(close).replace(" ", "").contains("rel=\"next\"")) {
          String target = l.substring(open + 1, close);
          java.net.URI u = java.net.URI.create(target);
          // only a path on the same registry is followed: a Link to elsewhere would send our token there
          if (u.getHost() == null && target.startsWith("/v2/")) {
            return Optional.of(target);
          }
        }
      }
    }
    return Optional.empty();
  }

  /** The referrers tag's index, when the tag names one (a tag of that name that is not an index lists nothing). */
  private Optional<IndexManifest> fallbackIndex(Digest subject) throws OciException {
    String tag = Referrers.fallbackTag(subject);
    Optional<RegistryClient.FetchedManifest> m = client.fetchManifestIfPresent(repository, tag);
    if (m.isEmpty() || !MediaTypes.isIndex(m.get().descriptor().mediaType())) {
      return Optional.empty();
    }
    try {
      return Optional.of(OciJson.parseIndex(m.get().bytes(), "referrers index " + repository.repository() + ":" + tag,
          Optional.of(m.get().descriptor().mediaType())));
    } catch (OciException e) {
      throw RegistryException.badInput("referrers of " + repository.repository() + "@" + subject, e.getMessage());
    }
  }

  @Override
  public Artifact read(Descriptor referrer) throws OciException {
    return client.read(byDigest(referrer.digest()));
  }

  @Override
  public Descriptor attach(Image artifact) throws OciException {
    Digest digest = artifact.digest();
    Manifest m = artifact.manifest();
    Descriptor subject = m.subject().orElseThrow(() -> OciException.badInput("artifact " + digest, "has no subject to attach to"));
    Descriptor listed = Referrers.listed(artifact.descriptor(), m);
    Pusher pusher = new Pusher(client.http(), client, byDigest(digest), DiffIdRecords.NONE);
    pusher.push(artifact);
    if (pusher.subjectIndexed(subject.digest())) {
      return listed;
    }
    List<Descriptor> entries = new ArrayList<>(fallbackIndex(subject.digest()).map(IndexManifest::manifests).orElse(List.of()));
    if (entries.stream().anyMatch(d -> d.digest().equals(digest))) {
      return listed;
    }
    entries.add(listed);
    byte[] bytes = OciJson.write(new IndexManifest(MediaTypes.OCI_INDEX, Optional.empty(), entries, Optional.empty(), Map.of()));
    String tag = Referrers.fallbackTag(subject.digest());
    new Pusher(client.http(), client, repository.withTag(tag), DiffIdRecords.NONE).putDocument(Descriptor.of(MediaTypes.OCI_INDEX, bytes), bytes, tag);
    return listed;
  }

  @Override
  public Descriptor attachReplacing(Image artifact) throws OciException {
    return attach(artifact);
  }
}
