package io.cinderblock.sdk.host.metadata;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.error.ErrorCode;
import java.util.List;
import java.util.Optional;

/**
 * Where the SDK records the volumes and snapshots it created, so that {@code Backend.volumes()}
 * never scans a device. Implementations are thread-safe; a failed read or write throws {@link
 * io.cinderblock.sdk.error.CinderblockException} with {@link ErrorCode#METADATA_STORE_FAILED}.
 *
 * <p>Writes are upserts keyed by backend name and id, and each is durable when the method returns
 * (for stores that persist at all).
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public interface VolumeMetadataStore extends AutoCloseable {

    /** Inserts or replaces a volume record. */
    void putVolume(VolumeRecord record);

    /** The volume record, if any. */
    Optional<VolumeRecord> volume(String backendName, String id);

    /** The backend's volume records, oldest first; records of the same millisecond by id. */
    List<VolumeRecord> volumes(String backendName);

    /** Removes a volume record; removing a missing one does nothing. */
    void removeVolume(String backendName, String id);

    /** Inserts or replaces a snapshot record. */
    void putSnapshot(SnapshotRecord record);

    /** The snapshot record, if any. */
    Optional<SnapshotRecord> snapshot(String backendName, String id);

    /** The backend's snapshot records, oldest first; records of the same millisecond by id. */
    List<SnapshotRecord> snapshots(String backendName);

    /** Removes a snapshot record; removing a missing one does nothing. */
    void removeSnapshot(String backendName, String id);

    /** Releases resources; the default does nothing. */
    @Override
    default void close() {}
}
