package io.jscan.core.transport.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;

/**
 * {@code GET} and {@code HEAD} over the JDK's blocking {@link HttpURLConnection}. Blob downloads
 * are the bulk of a pull, and a blocking socket read straight into the reader's buffer moves
 * them several times faster than {@code java.net.http}'s reactive body pipeline, which hands every
 * buffer between threads. Redirects, authentication and retries stay with {@link RegistryHttp};
 * this only performs one exchange and presents it as an {@link HttpResponse}.
 *
 * <p>The read timeout bounds a stalled download (a registry that stops sending without closing).
 */
final class BlockingExchange {
  static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

  private BlockingExchange() {}

  static HttpResponse<InputStream> send(
      String method, URI uri, Map<String, String> headers, Duration connectTimeout, Optional<SSLContext> trustAll)
      throws IOException {
    return send(method, uri, headers, connectTimeout, trustAll, Optional.empty());
  }

  /**
   * As above, with a request body of known length, streamed (never held in memory). Were a JVM-wide
   * {@link java.net.Authenticator} installed, {@code HttpURLConnection} would answer a 401 to a
   * streamed body with {@link java.net.HttpRetryException} instead of the response; callers then
   * send the request again another way.
   */
  static HttpResponse<InputStream> send(
      String method, URI uri, Map<String, String> headers, Duration connectTimeout, Optional<SSLContext> trustAll,
      Optional<RegistryHttp.Body> requestBody)
      throws IOException {
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection(java.net.Proxy.NO_PROXY);
    if (c instanceof HttpsURLConnection https && trustAll.isPresent()) {
      // only for registries named insecure (RegistryOptions): no certificate or host name checks
      https.setSSLSocketFactory(trustAll.get().getSocketFactory());
      https.setHostnameVerifier((host, session) -> true);
    }
    c.setInstanceFollowRedirects(false);
    c.setUseCaches(false);
    c.setConnectTimeout((int) connectTimeout.toMillis());
    c.setReadTimeout((int) READ_TIMEOUT.toMillis());
    c.setRequestMethod(method);
    for (Map.Entry<String, String> h : headers.entrySet()) {
      c.setRequestProperty(h.getKey(), h.getValue());
    }
    if (requestBody.isPresent()) {
      RegistryHttp.Body body = requestBody.get();
      c.setDoOutput(true);
      c.setFixedLengthStreamingMode(body.length()); // Content-Length, even 0 (a registry may want it on an empty POST)
      try (java.io.OutputStream out = c.getOutputStream(); InputStream in = body.open()) {
        in.transferTo(out);
      } catch (IOException e) {
        c.disconnect();
        throw e;
      }
    }
    int status;
    try {
      status = c.getResponseCode();
    } catch (IOException e) {
      c.disconnect();
      throw e;
    }
    if (status < 0) {
      c.disconnect();
      throw new IOException("not an HTTP answer");
    }
    Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, List<String>> e : c.getHeaderFields().entrySet()) {
      if (e.getKey() != null) {
        fields.put(e.getKey(), e.getValue());
      }
    }
    HttpHeaders responseHeaders = HttpHeaders.of(fields, (k, v) -> true);
    InputStream body;
    if (method.equals("HEAD")) {
      body = InputStream.nullInputStream();
    } else if (status >= 400) {
      InputStream error = c.getErrorStream();
      body = error == null ? InputStream.nullInputStream() : error;
    } else {
      body = c.getInputStream();
    }
    HttpRequest request = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build();
    return new Response(status, responseHeaders, body, uri, request);
  }

  private record Response(int statusCode, HttpHeaders headers, InputStream body, URI uri, HttpRequest request)
      implements HttpResponse<InputStream> {
    @Override
    public Optional<HttpResponse<InputStream>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public Optional<SSLSession> sslSession() {
      return Optional.empty();
    }

    @Override
    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }
}
