package io.jscan.core.transport.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.Deadline;
import io.jscan.core.Deadline.DeadlineExceededException;
import io.jscan.core.FailureKind;
import io.jscan.core.io.ContentMismatchException;
import io.jscan.core.transport.ImageName;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The HTTP side of the registry client: which scheme a registry is reached with (see
 * {@link RegistryOptions}), authentication (anonymous, basic, and the Docker token flow driven by
 * {@code WWW-Authenticate}), retries with backoff, and redirects. Knows nothing about images.
 *
 * <p><b>Secrets.</b> Credentials and tokens go into {@code Authorization} headers only, and only
 * to the registry itself or its token realm: a redirect to another host (blob storage) is followed
 * without them, as Go's net/http does, and a realm reached over plain HTTP is refused unless the
 * registry is one that may be reached insecurely. No message built here contains a header value,
 * a response body of the token server, or a URL's query string.
 *
 * <p><b>Time.</b> Every exchange (the ping, each request and redirect, token fetches, each resumed
 * download) runs under {@link ExchangeLimits}: the connect and read timeouts of the options, and the
 * deadline of the operation ({@link #withDeadline}). Retries wait only while the deadline allows,
 * and an exchange stopped by the deadline is not retried: the failure names the registry and the
 * limit that passed. Requests waiting for another's ping or token fetch wait no longer than their
 * own deadline.
 */
final class RegistryHttp {
  /** Docker Hub's registry API endpoint (docker's {@code DefaultV2Registry}). */
  static final String DOCKER_HUB_ENDPOINT = "registry-1.docker.io";
  private static final int MAX_REDIRECTS = 5;
  private static final int MAX_ERROR_BODY = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryOptions options;
  /** What every view of this client shares: endpoints, their challenges and tokens. */
  private final Shared shared;
  /** The operation's deadline: every exchange, retry, resumption and token fetch of this view ends by it. */
  private final Deadline deadline;

  /** What views made by {@link #withDeadline} share with the client they came from. */
  private static final class Shared {
    final ConcurrentHashMap<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    /** One ping per registry at a time; a registry that stalls holds up no other registry's. */
    final ConcurrentHashMap<String, ReentrantLock> pinging = new ConcurrentHashMap<>();
    private SSLContext trustAllContext;

    synchronized SSLContext trustAllContext() {
      if (trustAllContext == null) {
        trustAllContext = trustAll();
      }
      return trustAllContext;
    }
  }

  RegistryHttp(RegistryOptions options) {
    this(options, new Shared(), Deadline.none());
  }

  private RegistryHttp(RegistryOptions options, Shared shared, Deadline deadline) {
    this.options = options;
    this.shared = shared;
    this.deadline = deadline;
  }

  /** This client (its endpoints, challenges and tokens), with every operation bounded by {@code d}. */
  RegistryHttp withDeadline(Deadline d) {
    return new RegistryHttp(options, shared, d);
  }

  Deadline deadline() {
    return deadline;
  }

  private SSLContext trustAllContext() {
    return shared.trustAllContext();
  }

  /** The limits of one exchange with {@code who}. */
  ExchangeLimits limits(String who) {
    return new ExchangeLimits(who, options.connectTimeout(), options.readTimeout(), deadline);
  }

  RegistryOptions options() {
    return options;
  }

  /** The request body: re-openable, because a retry sends it again. */
  interface Body {
    long length();

    InputStream open() throws IOException;
  }

  /** No content: a POST that starts an upload, a PUT that completes one. */
  static final Body EMPTY_BODY = new Body() {
    @Override
    public long length() {
      return 0;
    }

    @Override
    public InputStream open() {
      return InputStream.nullInputStream();
    }
  };

  /** One registry request. {@code path} is below the endpoint ({@code /v2/...}) or absolute (upload locations). */
  record Call(
      String method,
      String registry,
      String path,
      Map<String, String> headers,
      Optional<Body> body,
      List<String> scopes,
      boolean retryable,
      String what) {

    Call {
      headers = Map.copyOf(headers);
      scopes = List.copyOf(scopes);
    }

    static Call get(String registry, String path, List<String> scopes, String what) {
      return new Call("GET", registry, path, Map.of(), Optional.empty(), scopes, true, what);
    }

    Call withHeader(String name, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put(name, value);
      return new Call(method, registry, path, h, body, scopes, retryable, what);
    }

    Call withMethod(String newMethod) {
      return new Call(newMethod, registry, path, headers, body, scopes, retryable, what);
    }
  }

  // ---------------------------------------------------------------- endpoints and auth state

  /** What we know about one registry: its base URI, whether its TLS is trusted blindly, its challenge and tokens. */
  private final class Endpoint {
    final String registry;
    final URI base;
    /** An insecure registry over https: certificates are not checked (RegistryOptions). */
    final boolean trusting;
    final boolean insecure;
    volatile Optional<Challenge> challenge;
    final ConcurrentHashMap<String, Token> tokens = new ConcurrentHashMap<>();
    final ReentrantLock tokenLock = new ReentrantLock();
    private Optional<Credentials> credentials;
    private boolean credentialsLoaded;

    Endpoint(String registry, URI base, boolean trusting, boolean insecure, Optional<Challenge> challenge) {
      this.registry = registry;
      this.base = base;
      this.trusting = trusting;
      this.insecure = insecure;
      this.challenge = challenge;
    }

    synchronized Optional<Credentials> credentials() throws RegistryException {
      if (!credentialsLoaded) {
        credentials = options.credentials().get(registry);
        credentialsLoaded = true;
      }
      return credentials;
    }

    synchronized void useCredentials(Optional<Credentials> c) {
      credentials = c;
      credentialsLoaded = true;
      tokens.clear();
    }
  }

  private record Token(String value, Instant expires) {
    boolean fresh() {
      return Instant.now().isBefore(expires);
    }
  }

  static String endpointHost(String registry) {
    return ImageName.DOCKER_HUB.equals(registry) ? DOCKER_HUB_ENDPOINT : registry;
  }

  private Endpoint endpoint(String registry) throws RegistryException {
    Endpoint e = shared.endpoints.get(registry);
    if (e != null) {
      return e;
    }
    ReentrantLock lock = shared.pinging.computeIfAbsent(registry, r -> new ReentrantLock());
    locked(lock, "registry " + registry, "another request is still finding out how to reach it");
    try {
      e = shared.endpoints.get(registry);
      if (e == null) {
        e = ping(registry);
        shared.endpoints.put(registry, e);
      }
      return e;
    } finally {
      lock.unlock();
    }
  }

  /** Takes {@code lock}, waiting no longer than the deadline allows (its holder may be stalled on the registry). */
  private void locked(ReentrantLock lock, String what, String why) throws RegistryException {
    try {
      long wait = deadline.remainingNanos();
      if (wait == Long.MAX_VALUE) {
        lock.lockInterruptibly();
      } else if (!lock.tryLock(wait, TimeUnit.NANOSECONDS)) {
        throw RegistryException.unexpected(what, deadline.label() + " passed while " + why, null);
      }
    } catch (InterruptedException e) {
      throw interrupted(what, e);
    }
  }

  /**
   * {@code GET /v2/} (distribution-spec "Determining support"): finds the scheme and how the
   * registry wants us to authenticate (the challenge of a 401).
   */
  private Endpoint ping(String registry) throws RegistryException {
    String host = endpointHost(registry);
    boolean insecure = options.isInsecure(registry);
    String what = "registry " + registry;
    RetryPolicy retry = options.retry();
    IOException last = null;
    ExchangeLimits limits = limits("registry " + registry);
    for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
      // loopback registries are nearly always plain HTTP (test and CI registries): try that first,
      // accepting it only when it answers like a registry; other insecure registries try TLS first
      List<URI> bases = !insecure
          ? List.of(URI.create("https://" + host))
          : RegistryOptions.isLoopback(registry)
              ? List.of(URI.create("http://" + host), URI.create("https://" + host))
              : List.of(URI.create("https://" + host), URI.create("http://" + host));
      for (int b = 0; b < bases.size(); b++) {
        URI base = bases.get(b);
        boolean moreToTry = b + 1 < bases.size();
        boolean trusting = base.getScheme().equals("https") && insecure;
        HttpResponse<InputStream> r;
        try {
          // over the blocking client, as every GET and HEAD: a command that only reads (pull,
          // verify) then never starts java.net.http, whose selector thread, waiting in native
          // code, holds up the JVM's exit by 0.3 s
          r = BlockingExchange.send("GET", base.resolve("/v2/"), Map.of("User-Agent", options.userAgent()), limits,
              trusting ? Optional.of(trustAllContext()) : Optional.empty());
        } catch (IOException ex) {
          if (ex instanceof DeadlineExceededException) {
            throw RegistryException.unexpected(what, "GET /v2/: " + ex.getMessage() + before(attempt, last), ex);
          }
          last = ex;
          if (isUnresolved(ex)) {
            // a name that does not resolve will not resolve in a second either
            throw RegistryException.unexpected(what, "cannot resolve host " + RegistryOptions.hostWithoutPort(host), ex);
          }
          if (!insecure && isTlsFailure(ex)) {
            throw RegistryException.badInput(
                what,
                "TLS failed (" + describe(ex) + "); if this registry really has no valid certificate, name it with --insecure-registry "
                    + registry);
          }
          continue;
        }
        int status = r.statusCode();
        List<Challenge> challenges = Challenge.parse(r.headers().allValues("WWW-Authenticate"));
        discard(r);
        if (moreToTry && base.getScheme().equals("http") && status != 200 && status != 401) {
          // not a registry speaking plain HTTP (a TLS server's "HTTP request to an HTTPS server")
          continue;
        }
        if (isRetryableStatus(status) && attempt < retry.maxAttempts()) {
          last = new IOException("HTTP " + status);
          break;
        }
        if (isRetryableStatus(status)) {
          throw RegistryException.status(
              FailureKind.UNEXPECTED, what, "GET /v2/: " + statusText(status) + " after " + attempt + " attempts", status, Optional.empty());
        }
        Optional<Challenge> challenge = status == 401 ? pick(challenges) : Optional.empty();
        return new Endpoint(registry, base, trusting, insecure, challenge);
      }
      if (attempt < retry.maxAttempts()) {
        Duration delay = jitter(retry.backoff(attempt));
        String reason = last == null ? "" : describe(last);
        pause(delay, what, "cannot reach " + host + ": " + reason + " (after " + attempt + " attempts)", last);
        options.listener().retrying(what, attempt, delay, reason);
        sleep(delay, what);
      }
    }
    throw RegistryException.unexpected(
        what, "cannot reach " + host + ": " + (last == null ? "no answer" : describe(last)) + " (after " + retry.maxAttempts() + " attempts)", last);
  }

  /** The challenge we can answer: bearer before basic. */
  private static Optional<Challenge> pick(List<Challenge> challenges) {
    for (Challenge c : challenges) {
      if (c.isBearer() && c.parameter("realm").isPresent()) {
        return Optional.of(c);
      }
    }
    for (Challenge c : challenges) {
      if (c.isBasic()) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /**
   * Logs in: uses {@code credentials} for {@code registry} from now on and proves they work, by
   * a token request for the registry's challenge (bearer) or an authenticated {@code GET /v2/}.
   */
  void login(String registry, Credentials credentials) throws RegistryException {
    Endpoint ep = endpoint(registry);
    ep.useCredentials(Optional.of(credentials));
    if (ep.challenge.isEmpty()) {
      // answers anonymously; still check the credentials are not refused
      return;
    }
    Call call = Call.get(registry, "/v2/", List.of(), "logging in to " + registry);
    HttpResponse<InputStream> r = send(call);
    int status = r.statusCode();
    discard(r);
    if (status != 200) {
      throw RegistryException.status(FailureKind.BAD_INPUT, "logging in to " + registry, "GET /v2/: " + statusText(status), status, Optional.empty());
    }
  }

  /** The base URI of {@code registry} (pinging it on first use). */
  URI base(String registry) throws RegistryException {
    return endpoint(registry).base;
  }

  // ---------------------------------------------------------------- sending

  /**
   * Sends {@code call}: authenticates (fetching or refreshing a token on 401 once), follows
   * redirects, retries connection failures, 408, 429 and 5xx when the call is retryable.
   * Returns any other answer for the caller to judge; the caller closes its body.
   */
  HttpResponse<InputStream> send(Call call) throws RegistryException {
    Endpoint ep = endpoint(call.registry());
    RetryPolicy retry = options.retry();
    boolean reauthenticated = false;
    int attempt = 0;
    IOException previous = null;
    while (true) {
      attempt++;
      HttpResponse<InputStream> r;
      try {
        r = sendFollowing(ep, call);
      } catch (IOException e) {
        ContentMismatchException mismatch = mismatch(e);
        if (mismatch != null) {
          throw new RegistryException(
              FailureKind.INTEGRITY, mismatch.what(), mismatch.detail(), java.util.OptionalInt.empty(), Optional.empty(), e);
        }
        if (e instanceof DeadlineExceededException) {
          throw RegistryException.unexpected(
              call.what(), call.method() + " " + displayPath(call.path()) + ": " + e.getMessage() + before(attempt, previous), e);
        }
        previous = e;
        if (call.retryable() && attempt < retry.maxAttempts()) {
          Duration delay = jitter(retry.backoff(attempt));
          pause(delay, call.what(), call.method() + " " + displayPath(call.path()) + ": " + describe(e)
              + (attempt > 1 ? " (after " + attempt + " attempts)" : ""), e);
          options.listener().retrying(call.what(), attempt, delay, describe(e));
          sleep(delay, call.what());
          continue;
        }
        throw RegistryException.unexpected(
            call.what(),
            call.method() + " " + displayPath(call.path()) + ": " + describe(e)
                + (attempt > 1 ? " (after " + attempt + " attempts)" : ""),
            e);
      }
      int status = r.statusCode();
      if (status == 401 && !sameOrigin(r.uri(), ep.base)) {
        // another host (blob storage, an upload front end) wants credentials: its challenge is
        // not followed, since its realm would receive the registry's credentials
        discard(r);
        throw RegistryException.status(FailureKind.BAD_INPUT, call.what(),
            call.method() + " " + displayPath(call.path()) + ": 401 Unauthorized from " + hostPort(r.uri())
                + ", where the registry sent this request; jscan sends the credentials of " + ep.registry + " to it alone",
            401, Optional.of("UNAUTHORIZED"));
      }
      if (status == 401) {
        List<Challenge> challenges = Challenge.parse(r.headers().allValues("WWW-Authenticate"));
        discard(r);
        Optional<Challenge> challenge = pick(challenges);
        if (!reauthenticated && challenge.isPresent()) {
          // a first 401, or a token that expired or lacks a scope: get a new one, try once more
          ep.challenge = challenge;
          ep.tokens.clear();
          reauthenticated = true;
          attempt--;
          continue;
        }
        throw unauthorized(ep, call);
      }
      if (isRetryableStatus(status)) {
        Optional<Duration> retryAfter = retryAfter(r.headers());
        RegistryError error = readError(r);
        if (retryAfter.isPresent() && retryAfter.get().compareTo(retry.maxRetryAfter()) > 0) {
          throw RegistryException.status(
              FailureKind.UNEXPECTED,
              call.what(),
              call.method() + " " + displayPath(call.path()) + ": " + statusText(status) + error.suffix()
                  + "; the registry asks to retry after " + retryAfter.get().toSeconds() + " s, more than the "
                  + retry.maxRetryAfter().toSeconds() + " s jscan waits",
              status,
              error.code());
        }
        if (call.retryable() && attempt < retry.maxAttempts()) {
          previous = new IOException(statusText(status) + error.suffix());
          int tried = attempt;
          Duration delay = retryAfter.orElseGet(() -> jitter(retry.backoff(tried)));
          pause(delay, call.what(), call.method() + " " + displayPath(call.path()) + ": " + statusText(status) + error.suffix()
              + (attempt > 1 ? " (after " + attempt + " attempts)" : ""), null);
          options.listener().retrying(call.what(), attempt, delay, statusText(status));
          sleep(delay, call.what());
          continue;
        }
        throw RegistryException.status(
            FailureKind.UNEXPECTED,
            call.what(),
            call.method() + " " + displayPath(call.path()) + ": " + statusText(status) + error.suffix()
                + (attempt > 1 ? " (after " + attempt + " attempts)" : ""),
            status,
            error.code());
      }
      return r;
    }
  }

  private RegistryException unauthorized(Endpoint ep, Call call) throws RegistryException {
    boolean anonymous = ep.credentials().isEmpty();
    String detail = call.method() + " " + displayPath(call.path()) + ": 401 Unauthorized: "
        + (anonymous
            ? "authentication required; log in with 'jscan login " + ep.registry + "'"
            : "the credentials for " + ep.registry + " were not accepted");
    return RegistryException.status(FailureKind.BAD_INPUT, call.what(), detail, 401, Optional.of("UNAUTHORIZED"));
  }

  /**
   * One request and the redirects it gets. The {@code Authorization} header goes only to the
   * registry's own origin (scheme, host and port of its base URI, RFC 6454): an upload
   * {@code Location} the registry names on another host (distribution-spec lets it be any URL,
   * e.g. a storage front end) and a redirect to another host (a CDN serving blobs) are sent
   * without it, as Go's net/http and containerd do. A certificate check is waived only for the
   * insecure registry itself, never for the other hosts it sends us to.
   */
  private HttpResponse<InputStream> sendFollowing(Endpoint ep, Call call) throws IOException, RegistryException {
    URI uri = resolve(ep.base, call.path());
    if (!sameOrigin(uri, ep.base)) {
      requireSecure(ep, call, uri, "named a location");
    }
    boolean sameOrigin = sameOrigin(uri, ep.base);
    boolean trusting = sameOrigin && ep.trusting;
    for (int hop = 0; ; hop++) {
      Map<String, String> headers = new LinkedHashMap<>(call.headers());
      headers.put("User-Agent", options.userAgent());
      if (call.body().isPresent()) {
        headers.put("Content-Type", call.headers().getOrDefault("Content-Type", "application/octet-stream"));
      }
      if (sameOrigin) {
        authorization(ep, call.scopes()).ifPresent(a -> headers.put("Authorization", a));
      }
      // GET and HEAD carry no body; POST, PUT, PATCH and DELETE carry one, if only an empty one
      // (Content-Length: 0, which some registries want on an empty POST)
      Optional<Body> body = call.body().isEmpty() && (call.method().equals("GET") || call.method().equals("HEAD"))
          ? Optional.empty()
          : Optional.of(call.body().orElse(EMPTY_BODY));
      String who = sameOrigin ? "registry " + ep.registry : "host " + hostPort(uri) + " (where registry " + ep.registry + " sent us)";
      HttpResponse<InputStream> r = BlockingExchange.send(call.method(), uri, headers, limits(who),
          trusting ? Optional.of(trustAllContext()) : Optional.empty(), body);
      int status = r.statusCode();
      boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
      Optional<String> location = r.headers().firstValue("Location");
      if (!redirect || location.isEmpty() || !(call.method().equals("GET") || call.method().equals("HEAD"))) {
        return r;
      }
      discard(r);
      if (hop >= MAX_REDIRECTS) {
        throw RegistryException.badInput(call.what(), call.method() + " " + displayPath(call.path()) + ": more than " + MAX_REDIRECTS + " redirects");
      }
      URI next = uri.resolve(location.get());
      requireSecure(ep, call, next, "redirected");
      boolean nextSameOrigin = sameOrigin && sameOrigin(next, ep.base);
      trusting = nextSameOrigin && ep.trusting;
      sameOrigin = nextSameOrigin;
      uri = next;
    }
  }

  /**
   * Fail closed: a location (a redirect, an upload URL) must be HTTPS unless the registry itself
   * may be reached insecurely; a plain HTTP one would downgrade a verified connection.
   */
  private static void requireSecure(Endpoint ep, Call call, URI next, String how) throws RegistryException {
    if (!"https".equalsIgnoreCase(next.getScheme()) && !("http".equalsIgnoreCase(next.getScheme()) && ep.insecure)) {
      throw RegistryException.badInput(call.what(), "the registry " + how + " that is not HTTPS (" + next.getScheme() + "://" + next.getHost() + ")");
    }
    if (next.getHost() == null) {
      throw RegistryException.badInput(call.what(), "the registry " + how + " without a host");
    }
  }

  /** RFC 6454 origins: the same scheme, host and port (the default port of the scheme when none is given). */
  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null && b.getScheme() != null && a.getHost() != null && b.getHost() != null
        && a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : ("https".equalsIgnoreCase(u.getScheme()) ? 443 : 80);
  }

  static URI resolve(URI base, String pathOrUrl) {
    return base.resolve(pathOrUrl);
  }

  // ---------------------------------------------------------------- tokens

  private Optional<String> authorization(Endpoint ep, List<String> scopes) throws RegistryException {
    Optional<Challenge> challenge = ep.challenge;
    if (challenge.isEmpty()) {
      return Optional.empty();
    }
    Challenge c = challenge.get();
    if (c.isBasic()) {
      Optional<Credentials> creds = ep.credentials();
      if (creds.isEmpty() || creds.get().kind() != Credentials.Kind.PASSWORD) {
        return Optional.empty();
      }
      return Optional.of(basic(creds.get()));
    }
    TreeSet<String> wanted = new TreeSet<>(scopes);
    c.parameter("scope").ifPresent(s -> {
      for (String one : s.split(" ")) {
        if (!one.isBlank()) {
          wanted.add(one);
        }
      }
    });
    String key = String.join(" ", wanted);
    Token t = ep.tokens.get(key);
    if (t == null || !t.fresh()) {
      // one fetch per scope set: parallel layer transfers wait for the same token (no longer than
      // their deadline: the fetch under way may be stalled on the token server)
      locked(ep.tokenLock, "authenticating to " + ep.registry, "another request was still fetching a token");
      try {
        t = ep.tokens.get(key);
        if (t == null || !t.fresh()) {
          t = fetchToken(ep, c, List.copyOf(wanted));
          ep.tokens.put(key, t);
        }
      } finally {
        ep.tokenLock.unlock();
      }
    }
    return Optional.of("Bearer " + t.value());
  }

  private static String basic(Credentials c) {
    return "Basic " + Base64.getEncoder().encodeToString((c.username() + ":" + c.secret()).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Docker token spec: {@code GET realm?service=…&scope=…} with basic credentials, or, with an
   * identity token, the OAuth2 refresh-token grant ({@code POST realm}, "OAuth2 Token" spec).
   */
  private Token fetchToken(Endpoint ep, Challenge c, List<String> scopes) throws RegistryException {
    String what = "authenticating to " + ep.registry;
    URI realm;
    try {
      realm = URI.create(c.parameter("realm").orElseThrow());
    } catch (IllegalArgumentException e) {
      throw RegistryException.badInput(what, "the registry's token realm is not a URL");
    }
    boolean realmInsecure = "http".equals(realm.getScheme());
    if (!"https".equals(realm.getScheme()) && !realmInsecure) {
      throw RegistryException.badInput(what, "the registry's token realm is not an http(s) URL");
    }
    if (realmInsecure && !(ep.insecure && options.isInsecure(hostPort(realm)))) {
      // fail closed: credentials and tokens never cross the network in clear text
      throw RegistryException.badInput(
          what, "the token realm " + realm.getHost() + " is plain HTTP; name it with --insecure-registry if that is intended");
    }
    boolean trustingRealm = "https".equals(realm.getScheme()) && options.isInsecure(hostPort(realm));
    Optional<Credentials> creds = ep.credentials();
    Optional<String> service = c.parameter("service");
    String method;
    URI uri;
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("User-Agent", options.userAgent());
    Optional<Body> form = Optional.empty();
    if (creds.isPresent() && creds.get().kind() == Credentials.Kind.IDENTITY_TOKEN) {
      StringBuilder fields = new StringBuilder("grant_type=refresh_token&client_id=jscan");
      fields.append("&refresh_token=").append(encode(creds.get().secret()));
      service.ifPresent(s -> fields.append("&service=").append(encode(s)));
      if (!scopes.isEmpty()) {
        fields.append("&scope=").append(encode(String.join(" ", scopes)));
      }
      method = "POST";
      uri = realm;
      headers.put("Content-Type", "application/x-www-form-urlencoded");
      form = Optional.of(bytesBody(fields.toString().getBytes(StandardCharsets.UTF_8)));
    } else {
      StringBuilder query = new StringBuilder();
      service.ifPresent(s -> query.append("service=").append(encode(s)));
      for (String scope : scopes) {
        query.append(query.length() == 0 ? "" : "&").append("scope=").append(encode(scope));
      }
      String base = realm.toString();
      method = "GET";
      uri = URI.create(query.length() == 0 ? base : base + (base.contains("?") ? "&" : "?") + query);
      creds.ifPresent(cr -> headers.put("Authorization", basic(cr)));
    }
    RetryPolicy retry = options.retry();
    ExchangeLimits limits = limits("token server " + hostPort(realm));
    IOException previous = null;
    for (int attempt = 1; ; attempt++) {
      HttpResponse<InputStream> r;
      try {
        r = BlockingExchange.send(method, uri, headers, limits, trustingRealm ? Optional.of(trustAllContext()) : Optional.empty(), form);
      } catch (IOException e) {
        if (e instanceof DeadlineExceededException) {
          throw RegistryException.unexpected(what, "token server " + realm.getHost() + ": " + e.getMessage() + before(attempt, previous), e);
        }
        previous = e;
        String detail = "token server " + realm.getHost() + ": " + describe(e) + (attempt > 1 ? " (after " + attempt + " attempts)" : "");
        if (attempt < retry.maxAttempts()) {
          Duration delay = jitter(retry.backoff(attempt));
          pause(delay, what, detail, e);
          options.listener().retrying(what, attempt, delay, describe(e));
          sleep(delay, what);
          continue;
        }
        throw RegistryException.unexpected(what, detail, e);
      }
      int status = r.statusCode();
      if (isRetryableStatus(status) && attempt < retry.maxAttempts()) {
        discard(r);
        previous = new IOException("the token server answered " + statusText(status));
        int tried = attempt;
        Duration delay = retryAfter(r.headers()).orElseGet(() -> jitter(retry.backoff(tried)));
        pause(delay, what, "the token server " + realm.getHost() + " answered " + statusText(status), null);
        sleep(delay, what);
        continue;
      }
      if (status == 401 || status == 403) {
        discard(r);
        throw RegistryException.status(
            FailureKind.BAD_INPUT,
            what,
            "the token server " + realm.getHost() + " answered " + statusText(status)
                + (creds.isEmpty() ? ": authentication required; log in with 'jscan login " + ep.registry + "'"
                    : ": the credentials were not accepted"),
            status,
            Optional.of("UNAUTHORIZED"));
      }
      if (status != 200) {
        discard(r);
        throw RegistryException.status(
            FailureKind.UNEXPECTED, what, "the token server " + realm.getHost() + " answered " + statusText(status), status, Optional.empty());
      }
      JsonNode body;
      try (InputStream in = r.body()) {
        body = JSON.readTree(in.readNBytes(1 << 20));
      } catch (IOException e) {
        // the body holds the token: never quote it
        throw RegistryException.unexpected(what, "the token server " + realm.getHost() + " answered something that is not JSON", null);
      }
      String token = text(body, "token");
      if (token.isEmpty()) {
        token = text(body, "access_token");
      }
      if (token.isEmpty()) {
        throw RegistryException.unexpected(what, "the token server " + realm.getHost() + " answered no token", null);
      }
      // token spec: expires_in defaults to 60 s; renew 10 s early
      long expiresIn = body.has("expires_in") && body.get("expires_in").canConvertToLong() ? body.get("expires_in").asLong() : 60;
      Instant expires = Instant.now().plusSeconds(Math.max(5, expiresIn - 10));
      return new Token(token, expires);
    }
  }

  private static String hostPort(URI u) {
    return u.getPort() >= 0 ? u.getHost() + ":" + u.getPort() : u.getHost();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v != null && v.isTextual() ? v.asText() : "";
  }

  // ---------------------------------------------------------------- errors and retries

  static boolean isRetryableStatus(int status) {
    return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
  }

  /** RFC 9110 section 10.2.3: delay-seconds or an HTTP-date. */
  static Optional<Duration> retryAfter(HttpHeaders headers) {
    Optional<String> v = headers.firstValue("Retry-After");
    if (v.isEmpty()) {
      return Optional.empty();
    }
    String s = v.get().trim();
    try {
      long seconds = Long.parseLong(s);
      return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime when = ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(Instant.now(), when.toInstant());
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (java.time.format.DateTimeParseException e) {
        return Optional.empty();
      }
    }
  }

  /** A distribution-spec error body ({@code {"errors":[{"code","message","detail"}]}}), read. */
  record RegistryError(Optional<String> code, Optional<String> message) {
    String suffix() {
      if (code.isEmpty() && message.isEmpty()) {
        return "";
      }
      return " (" + code.orElse("") + (code.isPresent() && message.isPresent() ? ": " : "") + message.orElse("") + ")";
    }
  }

  static RegistryError readError(HttpResponse<InputStream> r) {
    byte[] bytes;
    try (InputStream in = r.body()) {
      bytes = in.readNBytes(MAX_ERROR_BODY);
    } catch (IOException e) {
      return new RegistryError(Optional.empty(), Optional.empty());
    }
    try {
      JsonNode errors = JSON.readTree(bytes).get("errors");
      if (errors != null && errors.isArray() && errors.size() > 0) {
        JsonNode first = errors.get(0);
        String code = text(first, "code");
        String message = oneLine(text(first, "message"));
        return new RegistryError(
            code.isEmpty() ? Optional.empty() : Optional.of(oneLine(code)),
            message.isEmpty() ? Optional.empty() : Optional.of(message));
      }
    } catch (IOException | RuntimeException notJson) {
      // a proxy's HTML page: the status says enough
    }
    return new RegistryError(Optional.empty(), Optional.empty());
  }

  private static String oneLine(String s) {
    String t = s.replaceAll("[\\r\\n\\t]+", " ").strip();
    return t.length() > 200 ? t.substring(0, 200) + "…" : t;
  }

  /** The exception for an answer the caller did not expect; reads and closes the body. */
  static RegistryException failure(Call call, HttpResponse<InputStream> r) {
    int status = r.statusCode();
    RegistryError error = readError(r);
    FailureKind kind;
    if (error.code().filter(c -> c.equals("DIGEST_INVALID") || c.equals("SIZE_INVALID")).isPresent()) {
      kind = FailureKind.INTEGRITY;
    } else if (status >= 400 && status < 500) {
      kind = FailureKind.BAD_INPUT;
    } else {
      kind = FailureKind.UNEXPECTED;
    }
    return RegistryException.status(
        kind, call.what(), call.method() + " " + displayPath(call.path()) + ": " + statusText(status) + error.suffix(), status, error.code());
  }

  static String statusText(int status) {
    String reason = switch (status) {
      case 200 -> "OK";
      case 201 -> "Created";
      case 202 -> "Accepted";
      case 204 -> "No Content";
      case 206 -> "Partial Content";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 408 -> "Request Timeout";
      case 409 -> "Conflict";
      case 413 -> "Payload Too Large";
      case 416 -> "Range Not Satisfiable";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "";
    };
    return reason.isEmpty() ? "HTTP " + status : status + " " + reason;
  }

  /** A path for messages: upload locations carry state in their query string, which is left out. */
  static String displayPath(String pathOrUrl) {
    String p = pathOrUrl;
    try {
      URI u = URI.create(pathOrUrl);
      if (u.getRawPath() != null) {
        p = u.getRawPath();
      }
    } catch (IllegalArgumentException e) {
      int q = p.indexOf('?');
      p = q < 0 ? p : p.substring(0, q);
    }
    return p;
  }

  static String describe(IOException e) {
    if (e instanceof ConnectException) {
      return "connection refused";
    }
    String m = e.getMessage();
    String name = e.getClass().getSimpleName();
    if (m == null || m.isBlank()) {
      Throwable cause = e.getCause();
      if (cause != null && cause.getMessage() != null) {
        m = cause.getMessage();
      } else {
        return name;
      }
    }
    return oneLine(m);
  }

  private static boolean isUnresolved(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.UnknownHostException || t instanceof java.nio.channels.UnresolvedAddressException) {
        return true;
      }
    }
    return false;
  }

  private static boolean isTlsFailure(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return true;
      }
    }
    return false;
  }

  static ContentMismatchException mismatch(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ContentMismatchException m) {
        return m;
      }
    }
    return null;
  }

  static void discard(HttpResponse<InputStream> r) {
    try (InputStream in = r.body()) {
      in.readNBytes(MAX_ERROR_BODY);
    } catch (IOException ignored) {
      // the connection is dropped instead of reused
    }
  }

  static Duration jitter(Duration d) {
    long ms = d.toMillis();
    return Duration.ofMillis(ms + (ms == 0 ? 0 : ThreadLocalRandom.current().nextLong(ms / 5 + 1)));
  }

  /** For a deadline's failure on a later attempt: what the one before it got, which is what the user needs to know. */
  private static String before(int attempt, IOException previous) {
    return attempt > 1 && previous != null ? " (attempt " + attempt + "; the one before: " + describe(previous) + ")" : "";
  }

  /**
   * Before waiting {@code delay} for another attempt: fails now, with {@code detail} (what the last
   * attempt got), when the deadline would pass first. A retry never restarts the operation's clock.
   */
  private void pause(Duration delay, String what, String detail, Throwable cause) throws RegistryException {
    if (deadline.remainingNanos() <= delay.toNanos()) {
      throw RegistryException.unexpected(what, detail + "; " + deadline.label() + " passes before another attempt could be made", cause);
    }
  }

  /** A body of a few bytes (a token request's form). */
  private static Body bytesBody(byte[] bytes) {
    return new Body() {
      @Override
      public long length() {
        return bytes.length;
      }

      @Override
      public InputStream open() {
        return new java.io.ByteArrayInputStream(bytes);
      }
    };
  }

  static void sleep(Duration d, String what) throws RegistryException {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      throw interrupted(what, e);
    }
  }

  static RegistryException interrupted(String what, InterruptedException e) {
    Thread.currentThread().interrupt();
    return RegistryException.unexpected(what, "interrupted", e);
  }

  /** Accepts any certificate and any host name: only for registries named insecure (see RegistryOptions). */
  private static SSLContext trustAll() {
    X509ExtendedTrustManager trustAll =
        new X509ExtendedTrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {}

          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new javax.net.ssl.TrustManager[] {trustAll}, new SecureRandom());
      return ctx;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a TLS context", e);
    }
  }

  /** Scope of a repository (Docker token spec "Scope"): {@code repository:PATH:ACTIONS}. */
  static String scope(String path, String actions) {
    return "repository:" + path + ":" + actions;
  }

  static List<String> scopes(String... scopes) {
    return new ArrayList<>(List.of(scopes));
  }

  @SuppressWarnings("unused")
  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
