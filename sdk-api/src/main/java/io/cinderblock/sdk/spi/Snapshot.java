package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.util.Optional;

/**
 * A snapshot a driver created. The host stores it and passes it back to {@link
 * VolumeDriver#deleteSnapshot} and {@link VolumeDriver#createVolumeFromSnapshot}, possibly after a
 * restart. Drivers make one with {@link #of(SnapshotSpec, Optional)}; prefer it to the constructor,
 * whose parameter list grows if a component is added.
 *
 * @param id the id from the {@link SnapshotSpec}
 * @param name the name on the device
 * @param volumeId the id of the volume it was taken from
 * @param sizeGib the size of that volume when it was taken, at least 1
 * @param providerLocation driver-specific text to find the snapshot; empty if the name is enough
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record Snapshot(String id, String name, String volumeId, long sizeGib, Optional<String> providerLocation) {

    /**
     * Checks the components.
     *
     * @param id the snapshot's id; not null
     * @param name the name on the device; not null
     * @param volumeId the source volume's id; not null
     * @param sizeGib the source volume's size in GiB, at least 1
     * @param providerLocation driver-specific text; not null (empty when absent)
     * @throws IllegalArgumentException for a size below 1, quoting it
     * @since 0.1
     */
    public Snapshot {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(volumeId, "volumeId is null");
        requireNonNull(providerLocation, "providerLocation is null");
        if (sizeGib < 1) {
            throw new IllegalArgumentException("Snapshot size must be at least 1 GiB, got " + sizeGib);
        }
    }

    /**
     * The snapshot a driver made from {@code spec}: its id and name, the volume's id and size.
     *
     * @param spec the request the driver answered; not null
     * @param providerLocation what the driver needs to find the snapshot again, or empty; not null
     * @return the snapshot
     * @since 0.1
     */
    public static Snapshot of(SnapshotSpec spec, Optional<String> providerLocation) {
        return new Snapshot(spec.id(), spec.name(), spec.volume().id(), spec.volume().sizeGib(), providerLocation);
    }
}
