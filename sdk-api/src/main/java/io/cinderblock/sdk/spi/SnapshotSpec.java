package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;

/**
 * A request for a snapshot of a volume, handed to {@link VolumeDriver#createSnapshot}. Hosts build
 * it with {@link #of(String, Volume)}; drivers answer with {@link Snapshot#of(SnapshotSpec,
 * java.util.Optional)}.
 *
 * @param id the snapshot's id ({@code [A-Za-z0-9-]{1,64}})
 * @param name the name the device should use, {@code snapshot-<id>} by default
 * @param volume the volume to snapshot, as the driver returned it
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record SnapshotSpec(String id, String name, Volume volume) {

    /**
     * Checks the components. Prefer {@link #of(String, Volume)}.
     *
     * @param id the snapshot's id; not null, {@code [A-Za-z0-9-]{1,64}}
     * @param name the name the device should use; not null
     * @param volume the volume to snapshot; not null
     * @throws IllegalArgumentException for a malformed id, quoting it
     * @since 0.1
     */
    public SnapshotSpec {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(volume, "volume is null");
        if (!VolumeSpec.ID.matcher(id).matches()) {
            throw new IllegalArgumentException("Snapshot id '" + id + "' must match " + VolumeSpec.ID.pattern());
        }
    }

    /**
     * A spec named {@code snapshot-<id>}.
     *
     * @param id the snapshot's id, {@code [A-Za-z0-9-]{1,64}}
     * @param volume the volume to snapshot; not null
     * @return the spec
     * @throws IllegalArgumentException for a malformed id
     * @since 0.1
     */
    public static SnapshotSpec of(String id, Volume volume) {
        return new SnapshotSpec(id, "snapshot-" + id, volume);
    }
}
