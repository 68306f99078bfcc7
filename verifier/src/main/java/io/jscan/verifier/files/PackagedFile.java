package io.jscan.verifier.files;

import java.util.Objects;
import java.util.Optional;

/**
 * The distribution package a file belongs to, when its content matches the checksum the package
 * manager recorded for it: the file is the distribution's (a key compiled into a library as test
 * data), not something the image's builder added. See {@code io.jscan.verifier.sbom.DistributionFiles}
 * for when this is trusted.
 *
 * @param manager {@code dpkg}, {@code apk} or {@code rpm}
 * @param name the package's name
 * @param version its version, when the database gives one
 * @param database the database that lists the package ({@code /var/lib/dpkg/status})
 * @param algorithm the checksum's algorithm ({@code md5} for dpkg, {@code sha1} for apk)
 */
public record PackagedFile(String manager, String name, Optional<String> version, String database, String algorithm) {
  public PackagedFile {
    Objects.requireNonNull(manager, "manager");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(algorithm, "algorithm");
  }
}
