package io.jscan.signing;

import java.security.Provider;
import java.security.SecureRandom;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The one Bouncy Castle provider instance all of jscan's signing code asks for algorithms. It is
 * passed explicitly to every {@code getInstance} call rather than installed with {@code
 * Security.addProvider}, so jscan never changes the JVM-wide provider list of an embedding program.
 */
public final class Crypto {
  private static final Provider BC = new BouncyCastleProvider();
  private static final SecureRandom RANDOM = new SecureRandom();

  private Crypto() {}

  public static Provider provider() {
    return BC;
  }

  public static SecureRandom random() {
    return RANDOM;
  }

  public static byte[] randomBytes(int n) {
    byte[] out = new byte[n];
    RANDOM.nextBytes(out);
    return out;
  }
}
