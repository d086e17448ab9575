package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.util.Optional;

/**
 * A volume a driver created. The host stores it and passes it back to later operations ({@link
 * VolumeDriver#deleteVolume}, {@link VolumeDriver#extendVolume}, ...), possibly in another process
 * after a restart, so everything the driver needs to find the volume again belongs in it
 * (typically in {@link #providerLocation()}).
 *
 * <p>Drivers make one with {@link VolumeSpec#toVolume(String, Optional)} and change its size with
 * {@link #withSizeGib(long)}; prefer those to the constructor, whose parameter list grows if a
 * component is added.
 *
 * @param id the id from the {@link VolumeSpec} ({@code [A-Za-z0-9-]{1,64}})
 * @param name the name on the device
 * @param sizeGib the size in GiB, at least 1
 * @param poolName the pool it lives in
 * @param providerLocation Cinder's {@code provider_location}: driver-specific text to find the
 *     volume; empty if the name is enough
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record Volume(String id, String name, long sizeGib, String poolName, Optional<String> providerLocation) {

    /**
     * Checks the components.
     *
     * @param id the volume's id; not null, {@code [A-Za-z0-9-]{1,64}}
     * @param name the name on the device; not null
     * @param sizeGib the size in GiB, at least 1
     * @param poolName the pool; not null
     * @param providerLocation driver-specific text; not null (empty when absent)
     * @throws IllegalArgumentException for a malformed id or a size below 1, quoting it
     * @since 0.1
     */
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

    /**
     * The same volume with another size; what {@link VolumeDriver#extendVolume} returns.
     *
     * @param newSizeGib the new size in GiB, at least 1
     * @return a new volume; this one is unchanged
     * @throws IllegalArgumentException if {@code newSizeGib} is below 1
     * @since 0.1
     */
    public Volume withSizeGib(long newSizeGib) {
        return new Volume(id, name, newSizeGib, poolName, providerLocation);
    }
}
