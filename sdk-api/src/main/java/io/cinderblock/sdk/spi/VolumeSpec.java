package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A request for a new volume, as the SDK hands it to {@link VolumeDriver#createVolume}, {@link
 * VolumeDriver#cloneVolume} and {@link VolumeDriver#createVolumeFromSnapshot}.
 *
 * @param id the volume's id, unique across the deployment ({@code [A-Za-z0-9-]{1,64}}, a UUID by default)
 * @param name the name the device should use, {@code volume-<id>} by default (Cinder's template);
 *     drivers must still check it against what their device accepts
 * @param sizeGib the size in GiB, at least 1
 * @param pool the pool to place it in; empty lets the driver choose
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record VolumeSpec(String id, String name, long sizeGib, Optional<String> pool) {
    static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

    public VolumeSpec {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(pool, "pool is null");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("Volume id '" + id + "' must match " + ID.pattern());
        }
        if (name.isBlank()) {
            throw new IllegalArgumentException("Volume name is blank");
        }
        if (sizeGib < 1) {
            throw new IllegalArgumentException("Volume size must be at least 1 GiB, got " + sizeGib);
        }
    }

    /** A spec named {@code volume-<id>}, in a pool of the driver's choice. */
    public static VolumeSpec of(String id, long sizeGib) {
        return new VolumeSpec(id, "volume-" + id, sizeGib, Optional.empty());
    }

    /** The same spec, placed in {@code poolName}. */
    public VolumeSpec inPool(String poolName) {
        return new VolumeSpec(id, name, sizeGib, Optional.of(poolName));
    }

    /** The volume the driver made from this spec. */
    public Volume toVolume(String poolName, Optional<String> providerLocation) {
        return new Volume(id, name, sizeGib, poolName, providerLocation);
    }
}
