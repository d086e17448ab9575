package io.cinderblock.sdk.host.testing;

import io.cinderblock.sdk.host.BackendRegistry;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.testing.InMemoryDriverProvider;
import io.cinderblock.sdk.testing.ServiceEntriesClassLoader;
import java.util.Arrays;
import java.util.List;

/**
 * The sdk-testing fixtures joined to sdk-host's registries. Kept in sdk-host's tests because
 * sdk-testing cannot depend on sdk-host (sdk-host's tests depend on sdk-testing).
 */
public final class HostFixtures {
    private HostFixtures() {}

    /** A driver registry that discovers exactly these providers, in this order. */
    public static DriverRegistry registryOf(Class<?>... providers) {
        return registryOfNames(Arrays.stream(providers).map(Class::getName).toArray(String[]::new));
    }

    /** A driver registry over service entries naming these classes, existing or not. */
    public static DriverRegistry registryOfNames(String... providerClassNames) {
        return DriverRegistry.builder().classLoader(new ServiceEntriesClassLoader(List.of(providerClassNames))).build();
    }

    /** The in-memory provider instance {@code registry} loaded. */
    public static InMemoryDriverProvider inMemory(DriverRegistry registry) {
        return InMemoryDriverProvider.of(registry.require(InMemoryDriverProvider.ID).provider());
    }

    /** The in-memory provider instance behind {@code registry}'s drivers. */
    public static InMemoryDriverProvider inMemory(BackendRegistry registry) {
        return inMemory(registry.drivers());
    }
}
