package io.cinderblock.service.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code [auth]} section.
 *
 * @param strategy how requests are authenticated
 * @param tokensFile with {@link Strategy#TOKENS}: the file mapping tokens to user, project and roles
 */
public record AuthSettings(Strategy strategy, Optional<Path> tokensFile) {
    /** The authentication strategies. */
    public enum Strategy {
        /** Cinder's noauth: {@code X-Auth-Token: user:project}, every context is admin. */
        NOAUTH,
        /** A static tokens file: each token maps to a user, a project and roles. */
        TOKENS
    }

    public AuthSettings {
        requireNonNull(strategy, "strategy is null");
        requireNonNull(tokensFile, "tokensFile is null");
    }
}
