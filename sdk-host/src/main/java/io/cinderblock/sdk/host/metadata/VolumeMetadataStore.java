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
 *
 * <p>Called by {@code Backend} on the thread of the operation (a volume create, a listing), before
 * and after each device call, and by {@code BackendRegistry.load}. An implementation must never
 * call back into a backend, and should answer quickly: every volume operation waits for it.
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public interface VolumeMetadataStore extends AutoCloseable {

    /**
     * Inserts or replaces a volume record, durably before it returns.
     *
     * @param record the record; its backend name and id are the key
     */
    void putVolume(VolumeRecord record);

    /**
     * The volume record, if any.
     *
     * @param backendName the backend's {@code volume_backend_name}
     * @param id the volume id
     * @return the record, or empty if the store has none with that key
     */
    Optional<VolumeRecord> volume(String backendName, String id);

    /**
     * The backend's volume records, oldest first; records of the same millisecond by id.
     *
     * @param backendName the backend's {@code volume_backend_name}
     * @return the records, possibly empty (also for a backend the store never saw)
     */
    List<VolumeRecord> volumes(String backendName);

    /**
     * Removes a volume record; removing a missing one does nothing.
     *
     * @param backendName the backend's {@code volume_backend_name}
     * @param id the volume id
     */
    void removeVolume(String backendName, String id);

    /**
     * Inserts or replaces a snapshot record, durably before it returns.
     *
     * @param record the record; its backend name and id are the key
     */
    void putSnapshot(SnapshotRecord record);

    /**
     * The snapshot record, if any.
     *
     * @param backendName the backend's {@code volume_backend_name}
     * @param id the snapshot id
     * @return the record, or empty if the store has none with that key
     */
    Optional<SnapshotRecord> snapshot(String backendName, String id);

    /**
     * The backend's snapshot records, oldest first; records of the same millisecond by id.
     *
     * @param backendName the backend's {@code volume_backend_name}
     * @return the records, possibly empty
     */
    List<SnapshotRecord> snapshots(String backendName);

    /**
     * Removes a snapshot record; removing a missing one does nothing.
     *
     * @param backendName the backend's {@code volume_backend_name}
     * @param id the snapshot id
     */
    void removeSnapshot(String backendName, String id);

    /**
     * Releases resources; the default does nothing. {@code BackendRegistry.close()} calls it once,
     * after closing every backend; no call follows.
     */
    @Override
    default void close() {}
}
