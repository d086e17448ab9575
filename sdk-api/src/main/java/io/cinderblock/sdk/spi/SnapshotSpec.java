package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;

/**
 * A request for a snapshot of a volume, handed to {@link VolumeDriver#createSnapshot}.
 *
 * @param id the snapshot's id ({@code [A-Za-z0-9-]{1,64}})
 * @param name the name the device should use, {@code snapshot-<id>} by default
 * @param volume the volume to snapshot
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record SnapshotSpec(String id, String name, Volume volume) {

    public SnapshotSpec {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(volume, "volume is null");
        if (!VolumeSpec.ID.matcher(id).matches()) {
            throw new IllegalArgumentException("Snapshot id '" + id + "' must match " + VolumeSpec.ID.pattern());
        }
    }

    /** A spec named {@code snapshot-<id>}. */
    public static SnapshotSpec of(String id, Volume volume) {
        return new SnapshotSpec(id, "snapshot-" + id, volume);
    }
}
