package io.cinderblock.sdk.host.metadata;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.Volume;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * What the SDK knows about a volume it created: enough to hand the driver its {@link Volume} again.
 *
 * @param backendName the backend that owns it
 * @param id the volume id
 * @param name the name on the device
 * @param sizeGib the size in GiB (the old size while {@link RecordStatus#EXTENDING})
 * @param poolName the pool, once the driver has said
 * @param providerLocation the driver's {@code provider_location}
 * @param sourceId the snapshot or volume it was made from, if any
 * @param status where it stands
 * @param createdAt when the record was first written, to the millisecond (what every store keeps)
 * @param updatedAt when it was last written, to the millisecond
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record VolumeRecord(
        String backendName,
        String id,
        String name,
        long sizeGib,
        Optional<String> poolName,
        Optional<String> providerLocation,
        Optional<String> sourceId,
        RecordStatus status,
        Instant createdAt,
        Instant updatedAt) {

    /**
     * A volume record; times are kept to the millisecond, so a record reads back equal from every
     * store. Made by the facade (and by stores reading their rows), rarely by hosts.
     *
     * @param backendName the backend that owns it
     * @param id the volume id
     * @param name the name on the device
     * @param sizeGib the size in GiB (the old size while {@link RecordStatus#EXTENDING})
     * @param poolName the pool, once the driver has said
     * @param providerLocation the driver's {@code provider_location}
     * @param sourceId the snapshot or volume it was made from, if any
     * @param status where it stands
     * @param createdAt when the record was first written, to the millisecond (what every store keeps)
     * @param updatedAt when it was last written, to the millisecond
     * @throws NullPointerException if a part is null (absent optional parts are {@code Optional.empty()})
     */
    public VolumeRecord {
        requireNonNull(backendName, "backendName is null");
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(poolName, "poolName is null");
        requireNonNull(providerLocation, "providerLocation is null");
        requireNonNull(sourceId, "sourceId is null");
        requireNonNull(status, "status is null");
        // Millisecond precision, so that a record reads back equal from every store.
        createdAt = requireNonNull(createdAt, "createdAt is null").truncatedTo(ChronoUnit.MILLIS);
        updatedAt = requireNonNull(updatedAt, "updatedAt is null").truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * The same record with another status, updated at {@code now}.
     *
     * @param newStatus the status
     * @param now the update time
     * @return a new record
     */
    public VolumeRecord withStatus(RecordStatus newStatus, Instant now) {
        return new VolumeRecord(backendName, id, name, sizeGib, poolName, providerLocation, sourceId, newStatus,
                createdAt, now);
    }

    /**
     * The record of what the driver returned, {@link RecordStatus#AVAILABLE}: the driver's name,
     * size, pool and provider location, this record's id, source and creation time.
     *
     * @param volume what the driver's create or extend returned
     * @param now the update time
     * @return a new record
     */
    public VolumeRecord withVolume(Volume volume, Instant now) {
        return new VolumeRecord(backendName, id, volume.name(), volume.sizeGib(), Optional.of(volume.poolName()),
                volume.providerLocation(), sourceId, RecordStatus.AVAILABLE, createdAt, now);
    }

    /**
     * The driver's view of this volume, as handed to the driver's delete, extend, snapshot and
     * connection calls; an absent pool reads as the empty string.
     *
     * @return a new volume value
     */
    public Volume toVolume() {
        return new Volume(id, name, sizeGib, poolName.orElse(""), providerLocation);
    }
}
