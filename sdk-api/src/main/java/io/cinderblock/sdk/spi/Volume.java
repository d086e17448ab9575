package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.util.Optional;

/**
 * A volume a driver created. The SDK stores it and passes it back to later operations, so
 * everything the driver needs to find the volume again belongs in it.
 *
 * @param id the id from the {@link VolumeSpec}
 * @param name the name on the device
 * @param sizeGib the size in GiB
 * @param poolName the pool it lives in
 * @param providerLocation Cinder's {@code provider_location}: driver-specific text to find the volume
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record Volume(String id, String name, long sizeGib, String poolName, Optional<String> providerLocation) {

    public Volume {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(poolName, "poolName is null");
        requireNonNull(providerLocation, "providerLocation is null");
        if (!VolumeSpec.ID.matcher(id).matches()) {
            throw new IllegalArgumentException("Volume id '" + id + "' must match " + VolumeSpec.ID.pattern());
        }
        if (sizeGib < 1) {
            throw new IllegalArgumentException("Volume size must be at least 1 GiB, got " + sizeGib);
        }
    }

    /** The same volume with another size. */
    public Volume withSizeGib(long newSizeGib) {
        return new Volume(id, name, newSizeGib, poolName, providerLocation);
    }
}
