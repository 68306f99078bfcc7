package io.jscan.builder.steps;

import io.jscan.builder.BuildException;
import io.jscan.core.FailureKind;
import io.jscan.core.JscanException;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.oci.Digest;
import io.jscan.dockerfile.SourceLocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;

/**
 * ADD of a remote URL: downloaded only when the layer is not cached, and accepted only when its
 * content matches {@code --checksum}. Without a checksum the content could change between builds,
 * so jscan refuses the instruction before downloading anything (see {@link CopyFilesStep}).
 */
final class UrlDownloader {
  private UrlDownloader() {}

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NORMAL)
      .connectTimeout(Duration.ofSeconds(30))
      .build();

  static Path download(String url, String checksum, Path workDir, SourceLocation at) throws JscanException {
    Digest expected = Digest.parse(checksum);
    Path dir = workDir.resolve("download");
    Path tmp = AtomicFiles.tempName(dir, "url-");
    try {
      Files.createDirectories(dir);
      HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10)).GET().build();
      HttpResponse<InputStream> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
      MessageDigest md = expected.newMessageDigest();
      try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(tmp)) {
        if (response.statusCode() != 200) {
          throw BuildException.at(at, "ADD " + url + ": the server answered HTTP " + response.statusCode());
        }
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) >= 0; ) {
          md.update(buf, 0, n);
          out.write(buf, 0, n);
        }
      }
      Digest actual = Digest.of(expected.algorithm(), md);
      if (!actual.equals(expected)) {
        throw BuildException.at(at, FailureKind.INTEGRITY,
            "ADD " + url + ": checksum mismatch: --checksum=" + expected + " but the content is " + actual, null);
      }
      return tmp;
    } catch (IOException e) {
      throw BuildException.at(at, FailureKind.BAD_INPUT, "ADD " + url + ": cannot download: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw BuildException.at(at, FailureKind.UNEXPECTED, "ADD " + url + ": interrupted", e);
    } catch (IllegalArgumentException e) {
      throw BuildException.at(at, "ADD " + url + ": not a valid URL: " + e.getMessage());
    }
  }
}
