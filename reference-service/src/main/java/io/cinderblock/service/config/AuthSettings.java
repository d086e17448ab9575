package io.cinderblock.service.config;

import static java.util.Objects.requireNonNull;

import io.cinderblock.service.auth.KeystoneSettings;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code [auth]} section, Cinder's {@code [DEFAULT] auth_strategy}, {@code [keystone_authtoken]}
 * and {@code [oslo_policy] policy_file}.
 *
 * @param strategy how requests are authenticated
 * @param tokensFile with {@link Strategy#TOKENS}: the file mapping tokens to user, project and roles
 * @param keystone with {@link Strategy#KEYSTONE}: the {@code [keystone_authtoken]} section
 * @param policyFile the oslo.policy file; empty: Cinder's default rules
 */
public record AuthSettings(Strategy strategy, Optional<Path> tokensFile, Optional<KeystoneSettings> keystone,
        Optional<Path> policyFile) {
    /** The authentication strategies. */
    public enum Strategy {
        /** Cinder's noauth: {@code X-Auth-Token: user:project}, every context is admin. */
        NOAUTH,
        /** A static tokens file: each token maps to a user, a project and roles. */
        TOKENS,
        /** Keystone tokens validated as keystonemiddleware's {@code auth_token} does. */
        KEYSTONE
    }

    public AuthSettings {
        requireNonNull(strategy, "strategy is null");
        requireNonNull(tokensFile, "tokensFile is null");
        requireNonNull(keystone, "keystone is null");
        requireNonNull(policyFile, "policyFile is null");
        if (strategy == Strategy.KEYSTONE && keystone.isEmpty()) {
            throw new IllegalArgumentException("The keystone strategy needs its [keystone_authtoken] settings");
        }
    }

    /** noauth or tokens with Cinder's default policy. */
    public AuthSettings(Strategy strategy, Optional<Path> tokensFile) {
        this(strategy, tokensFile, Optional.empty(), Optional.empty());
    }
}
