package io.cinderblock.sdk.host.discovery;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.VolumeDriverProvider;

/**
 * A provider that loaded, with its descriptor read once and where it came from.
 *
 * @param provider the provider instance
 * @param descriptor its descriptor
 * @param source the jar or directory it came from, or {@code class path}
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record LoadedDriver(VolumeDriverProvider provider, DriverDescriptor descriptor, String source) {

    public LoadedDriver {
        requireNonNull(provider, "provider is null");
        requireNonNull(descriptor, "descriptor is null");
        requireNonNull(source, "source is null");
    }

    /** The driver id. */
    public String id() {
        return descriptor.id();
    }
}
