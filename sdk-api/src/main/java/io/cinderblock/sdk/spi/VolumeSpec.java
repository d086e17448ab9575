package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A request for a new volume, as the host hands it to {@link VolumeDriver#createVolume}, {@link
 * VolumeDriver#cloneVolume} and {@link VolumeDriver#createVolumeFromSnapshot}. Hosts build it with
 * {@link #of(String, long)} and {@link #inPool(String)}; drivers answer with {@link
 * #toVolume(String, Optional)}.
 *
 * @param id the volume's id, unique across the deployment ({@code [A-Za-z0-9-]{1,64}}, a UUID by default)
 * @param name the name the device should use, {@code volume-<id>} by default (Cinder's template);
 *     drivers must still check it against what their device accepts and refuse it with {@link
 *     io.cinderblock.sdk.error.ErrorCode#INVALID_ARGUMENT}
 * @param sizeGib the size in GiB, at least 1
 * @param pool the pool to place it in; empty lets the driver choose
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record VolumeSpec(String id, String name, long sizeGib, Optional<String> pool) {
    static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

    /**
     * Checks the components. Prefer {@link #of(String, long)}.
     *
     * @param id the volume's id; not null, {@code [A-Za-z0-9-]{1,64}}
     * @param name the name the device should use; not blank
     * @param sizeGib the size in GiB, at least 1
     * @param pool the pool, or empty; not null
     * @throws IllegalArgumentException for a malformed id, a blank name or a size below 1, quoting it
     * @since 0.1
     */
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

    /**
     * A spec named {@code volume-<id>}, in a pool of the driver's choice.
     *
     * @param id the volume's id, {@code [A-Za-z0-9-]{1,64}}
     * @param sizeGib the size in GiB, at least 1
     * @return the spec
     * @throws IllegalArgumentException for a malformed id or size
     * @since 0.1
     */
    public static VolumeSpec of(String id, long sizeGib) {
        return new VolumeSpec(id, "volume-" + id, sizeGib, Optional.empty());
    }

    /**
     * The same spec, placed in {@code poolName}.
     *
     * @param poolName one of the pools the driver reports; not null
     * @return a new spec; this one is unchanged
     * @since 0.1
     */
    public VolumeSpec inPool(String poolName) {
        return new VolumeSpec(id, name, sizeGib, Optional.of(poolName));
    }

    /**
     * The volume the driver made from this spec: same id, name and size. Drivers call it at the end
     * of {@link VolumeDriver#createVolume} and its siblings.
     *
     * @param poolName the pool the volume landed in; not null
     * @param providerLocation what the driver needs to find the volume again, or empty; not null
     * @return the volume
     * @since 0.1
     */
    public Volume toVolume(String poolName, Optional<String> providerLocation) {
        return new Volume(id, name, sizeGib, poolName, providerLocation);
    }
}
