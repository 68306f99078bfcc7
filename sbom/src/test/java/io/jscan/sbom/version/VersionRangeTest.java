package io.jscan.sbom.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Version orders per ecosystem, and ranges over them. */
class VersionRangeTest {

  /** Each list is in strictly ascending order under its scheme. */
  private static void assertAscending(VersionScheme scheme, String... versions) {
    for (int i = 0; i < versions.length; i++) {
      for (int j = 0; j < versions.length; j++) {
        int expected = Integer.compare(i, j);
        int actual = Integer.signum(scheme.compare(versions[i], versions[j]));
        assertEquals(expected, actual, scheme + ": " + versions[i] + " vs " + versions[j]);
      }
    }
  }

  @Test
  void deb_ordersLikeDpkg() {
    // deb-version(7): tilde before everything, epoch first, revision last
    assertAscending(VersionScheme.DEB, "1.0~rc1", "1.0", "1.0-1", "1.0-1ubuntu1", "1.0+dfsg-1", "1.0.1", "1.1~", "1.1", "1:0.9");
    assertEquals(0, VersionScheme.DEB.compare("1.0", "1.0-0"), "no revision sorts like revision 0");
    assertEquals(0, VersionScheme.DEB.compare("0:1.2", "1.2"));
    assertTrue(VersionScheme.DEB.compare("2.36-9+deb12u4", "2.36-9+deb12u10") < 0);
  }

  @Test
  void apk_ordersLikeApkTools() {
    assertAscending(VersionScheme.APK, "1.2.3_alpha", "1.2.3_beta2", "1.2.3_rc1", "1.2.3", "1.2.3-r1", "1.2.3_p1", "1.2.3a", "1.2.4", "1.10");
  }

  @Test
  void rpm_ordersLikeRpmvercmp() {
    assertAscending(VersionScheme.RPM, "1.0~rc1-1", "1.0-1", "1.0^git1-1", "1.0a-1", "1.0.1-1", "1.10-1", "1:0.5-1");
    assertEquals(0, VersionScheme.RPM.compare("1.0-5.el9", "1.0"), "a bound without a release matches every release");
  }

  @Test
  void semver_ordersByPrecedence() {
    assertAscending(VersionScheme.SEMVER, "v0.9.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "v1.2.0", "1.10.0");
    assertEquals(0, VersionScheme.SEMVER.compare("v1.2.3+incompatible", "1.2.3"), "build metadata is ignored");
    assertTrue(VersionScheme.SEMVER.compare("v0.0.0-20210101000000-abcdef123456", "v0.1.0") < 0, "Go pseudo-versions are pre-releases");
  }

  @Test
  void maven_ordersLikeComparableVersion() {
    assertAscending(VersionScheme.MAVEN, "1.0-alpha-1", "1.0-beta", "1.0-milestone-1", "1.0-rc1", "1.0-SNAPSHOT", "1.0", "1.0-sp1", "1.0.1", "1.1", "2.0-beta9", "2.0");
    assertEquals(0, VersionScheme.MAVEN.compare("1.0", "1.0.0"));
    assertEquals(0, VersionScheme.MAVEN.compare("1.0-ga", "1.0"));
    assertEquals(0, VersionScheme.MAVEN.compare("1.0-cr1", "1.0-rc1"));
  }

  @Test
  void pep440_ordersLikePackaging() {
    assertAscending(VersionScheme.PEP440, "1.0.dev1", "1.0a1", "1.0b2", "1.0rc1", "1.0", "1.0.post1", "1.0.1", "1!0.1");
    assertEquals(0, VersionScheme.PEP440.compare("1.0", "1.0.0"));
  }

  @Test
  void range_comparisonsAndAlternatives_matchUnderTheScheme() {
    VersionRange r = VersionRange.parse(">= 1.1.1, << 3.0.7 || = 3.1.0", VersionScheme.DEB);
    assertTrue(r.contains("1.1.1n-0+deb11u5"));
    assertTrue(r.contains("3.0.2-0ubuntu1.10"));
    assertFalse(r.contains("3.0.7-1"));
    assertTrue(r.contains("3.1.0"));
    assertFalse(r.contains("1:1.0"), "epoch 1 is newer than any epoch-0 version");
    assertTrue(VersionRange.parse("<2.0", VersionScheme.DEB).contains("2.0~rc1"));
    assertFalse(VersionRange.parse("!= 1.0", VersionScheme.SEMVER).contains("v1.0.0"));
  }

  @Test
  void range_mavenIntervals_matchLog4ShellVersions() {
    VersionRange log4shell = VersionRange.parse("[2.0-beta9,2.15.0)", VersionScheme.MAVEN);
    for (String affected : List.of("2.0-beta9", "2.0", "2.14.1", "2.15.0-rc1")) {
      assertTrue(log4shell.contains(affected), affected);
    }
    for (String fixed : List.of("2.0-beta8", "2.15.0", "2.17.1", "1.2.17")) {
      assertFalse(log4shell.contains(fixed), fixed);
    }
    VersionRange union = VersionRange.parse("(,1.0],[1.2,)", VersionScheme.MAVEN);
    assertTrue(union.contains("0.9"));
    assertFalse(union.contains("1.1"));
    assertTrue(union.contains("1.2"));
    assertTrue(VersionRange.parse("[1.5]", VersionScheme.MAVEN).contains("1.5.0"));
  }

  @Test
  void range_anyAndApkAndSemver() {
    assertTrue(VersionRange.parse("*", VersionScheme.APK).contains("0.0.1-r0"));
    assertTrue(VersionRange.parse("", VersionScheme.APK).contains("9"));
    assertTrue(VersionRange.parse("< 1.2.4-r0", VersionScheme.APK).contains("1.2.3-r9"));
    assertTrue(VersionRange.parse(">=v1.20.0 <v1.22.0", VersionScheme.SEMVER).contains("v1.21.3"));
  }

  @Test
  void range_malformed_isRejectedWithTheExpression() {
    for (String bad : List.of(">= 1.0 ||", "[1.0,2.0", "(1.0)", "[,]", "1.0 ~> 2")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VersionRange.parse(bad, VersionScheme.MAVEN), bad);
      assertTrue(e.getMessage().contains(bad), e.getMessage());
    }
  }
}
