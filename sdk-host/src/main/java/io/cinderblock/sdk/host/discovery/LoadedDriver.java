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

    /**
     * A loaded provider; made by {@link DriverRegistry} during discovery.
     *
     * @param provider the provider instance
     * @param descriptor its descriptor
     * @param source the jar or directory it came from, or {@code class path}
     * @throws NullPointerException if any part is null
     */
    public LoadedDriver {
        requireNonNull(provider, "provider is null");
        requireNonNull(descriptor, "descriptor is null");
        requireNonNull(source, "source is null");
    }

    /**
     * The driver id, as in {@code volume_driver}.
     *
     * @return the descriptor's id
     */
    public String id() {
        return descriptor.id();
    }
}
