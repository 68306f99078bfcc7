package io.jscan.verifier.files;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jscan.core.oci.Digest;
import io.jscan.core.tar.TarEntry;
import io.jscan.core.tar.TarFormatException;
import io.jscan.core.tar.TarReader;
import io.jscan.core.testing.FuzzChecks;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fuzzes the tar reader every layer reader uses (fuzz/README.md): core's {@link TarReader} on its own, then the layer
 * listing a verification makes of it ({@link LayerScanner}, secrets scanned, and the merged
 * file-system checks over two copies of the layer). Any bytes are entries or a one-line {@link
 * TarFormatException}, and the scanner turns that into a finding: reading a layer held in memory
 * throws nothing. Seeds, made by {@code fuzz/make-tar-seeds.py}:
 * {@code src/test/resources/io/jscan/verifier/files/LayerScannerFuzzTestInputs/}.
 */
class LayerScannerFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void scan_anyTar_listsEntriesOrReportsMalformedTar(byte[] tar) throws IOException {
    TarReader stream = new TarReader(new ByteArrayInputStream(tar));
    try {
      byte[] buffer = new byte[700];
      for (Optional<TarEntry> h; (h = stream.next()).isPresent(); ) {
        if (h.get().size() % 2 == 0) { // read half the entries' content, skip the others
          InputStream content = stream.content();
          while (content.read(buffer) >= 0) {
            // drained
          }
        }
      }
      if (stream.trailerSeen()) {
        stream.dataAfterTrailer();
      }
    } catch (TarFormatException e) {
      FuzzChecks.requireOneLine(e);
    }

    AtomicLong entries = new AtomicLong();
    LayerScanner scanner = new LayerScanner(ScanLimits.defaults().withMaxEntries(500), entries);
    Digest digest = Digest.sha256(tar);
    LayerContents first = scanner.scan(new ByteArrayInputStream(tar), 1, digest);
    LayerContents second = scanner.scan(new ByteArrayInputStream(tar), 2, digest);
    MergedFilesystemCheck.check(List.of(first, second));
  }
}
