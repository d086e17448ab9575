package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.util.Optional;

/**
 * A snapshot a driver created.
 *
 * @param id the id from the {@link SnapshotSpec}
 * @param name the name on the device
 * @param volumeId the id of the volume it was taken from
 * @param sizeGib the size of that volume when it was taken
 * @param providerLocation driver-specific text to find the snapshot
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record Snapshot(String id, String name, String volumeId, long sizeGib, Optional<String> providerLocation) {

    public Snapshot {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(volumeId, "volumeId is null");
        requireNonNull(providerLocation, "providerLocation is null");
        if (sizeGib < 1) {
            throw new IllegalArgumentException("Snapshot size must be at least 1 GiB, got " + sizeGib);
        }
    }

    /** The snapshot a driver made from {@code spec}. */
    public static Snapshot of(SnapshotSpec spec, Optional<String> providerLocation) {
        return new Snapshot(spec.id(), spec.name(), spec.volume().id(), spec.volume().sizeGib(), providerLocation);
    }
}
