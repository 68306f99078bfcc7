package io.jscan.core.transport.registry;

import java.util.Optional;

/**
 * Where the registry client finds credentials for a registry host ({@code docker.io},
 * {@code localhost:5000}). {@link DockerConfig} reads Docker's {@code config.json} and its
 * credential helpers; {@link #ANONYMOUS} has none.
 */
@FunctionalInterface
public interface CredentialStore {

  /** Credentials for {@code registry} (a normalised host, as in {@code ImageName.domain()}), if any. */
  Optional<Credentials> get(String registry) throws RegistryException;

  CredentialStore ANONYMOUS = registry -> Optional.empty();
}
