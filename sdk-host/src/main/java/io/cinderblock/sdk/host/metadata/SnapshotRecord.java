package io.cinderblock.sdk.host.metadata;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.Snapshot;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * What the SDK knows about a snapshot it created.
 *
 * @param backendName the backend that owns it
 * @param id the snapshot id
 * @param name the name on the device
 * @param volumeId the volume it was taken from
 * @param sizeGib the volume's size when it was taken
 * @param providerLocation the driver's {@code provider_location}
 * @param status where it stands
 * @param createdAt when the record was first written, to the millisecond (what every store keeps)
 * @param updatedAt when it was last written, to the millisecond
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record SnapshotRecord(
        String backendName,
        String id,
        String name,
        String volumeId,
        long sizeGib,
        Optional<String> providerLocation,
        RecordStatus status,
        Instant createdAt,
        Instant updatedAt) {

    /**
     * A snapshot record; times are kept to the millisecond, so a record reads back equal from every
     * store. Made by the facade (and by stores reading their rows), rarely by hosts.
     *
     * @param backendName the backend that owns it
     * @param id the snapshot id
     * @param name the name on the device
     * @param volumeId the volume it was taken from
     * @param sizeGib the volume's size when it was taken
     * @param providerLocation the driver's {@code provider_location}
     * @param status where it stands
     * @param createdAt when the record was first written, to the millisecond (what every store keeps)
     * @param updatedAt when it was last written, to the millisecond
     * @throws NullPointerException if a part is null (absent optional parts are {@code Optional.empty()})
     */
    public SnapshotRecord {
        requireNonNull(backendName, "backendName is null");
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(volumeId, "volumeId is null");
        requireNonNull(providerLocation, "providerLocation is null");
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
    public SnapshotRecord withStatus(RecordStatus newStatus, Instant now) {
        return new SnapshotRecord(backendName, id, name, volumeId, sizeGib, providerLocation, newStatus, createdAt, now);
    }

    /**
     * The record of what the driver returned, {@link RecordStatus#AVAILABLE}.
     *
     * @param snapshot what the driver's create returned
     * @param now the update time
     * @return a new record
     */
    public SnapshotRecord withSnapshot(Snapshot snapshot, Instant now) {
        return new SnapshotRecord(backendName, id, snapshot.name(), volumeId, snapshot.sizeGib(),
                snapshot.providerLocation(), RecordStatus.AVAILABLE, createdAt, now);
    }

    /**
     * The driver's view of this snapshot, as handed to the driver's delete and create-from-snapshot
     * calls.
     *
     * @return a new snapshot value
     */
    public Snapshot toSnapshot() {
        return new Snapshot(id, name, volumeId, sizeGib, providerLocation);
    }
}
