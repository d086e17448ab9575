package io.cinderblock.service.store;

import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.host.discovery.LoadedDriver;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.support.SecretScrubber;
import io.cinderblock.service.config.BackendSection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The secret option values of a process's backends (those their drivers' descriptors declare
 * {@code secret}), as one {@link SecretScrubber}: the store masks them, in every encoding, in
 * every reason and stats text before it is written, whatever path the text took.
 */
public final class BackendSecrets {
    private BackendSecrets() {}

    /**
     * The scrubber for these backends; {@link SecretScrubber#none()} when none has a secret set.
     *
     * @param drivers where the backends' drivers are found; a driver not found contributes nothing
     *     (the agent reports that backend as failing to open)
     */
    public static SecretScrubber scrubber(List<BackendSection> backends, DriverRegistry drivers) {
        List<String> secrets = new ArrayList<>();
        for (BackendSection backend : backends) {
            Optional<LoadedDriver> driver = drivers == null ? Optional.empty() : drivers.driver(backend.driverId());
            for (ConfigOption option : driver.map(d -> d.descriptor().options()).orElse(List.of())) {
                if (option.secret() && backend.options().containsKey(option.name())) {
                    secrets.add(backend.options().get(option.name()));
                }
            }
        }
        return SecretScrubber.of(secrets);
    }
}
