package io.cinderblock.sdk.host.metadata;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** A {@link VolumeMetadataStore} that lives and dies with the process: the default. */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public final class InMemoryVolumeMetadataStore implements VolumeMetadataStore {
    private final Map<String, VolumeRecord> volumes = new ConcurrentHashMap<>();
    private final Map<String, SnapshotRecord> snapshots = new ConcurrentHashMap<>();

    /** An empty store. */
    public InMemoryVolumeMetadataStore() {}

    private static String key(String backendName, String id) {
        return requireNonNull(backendName, "backendName is null") + "\u0000" + requireNonNull(id, "id is null");
    }

    @Override
    public void putVolume(VolumeRecord record) {
        volumes.put(key(record.backendName(), record.id()), record);
    }

    @Override
    public Optional<VolumeRecord> volume(String backendName, String id) {
        return Optional.ofNullable(volumes.get(key(backendName, id)));
    }

    @Override
    public List<VolumeRecord> volumes(String backendName) {
        return volumes.values().stream()
                .filter(r -> r.backendName().equals(backendName))
                .sorted(Comparator.comparing(VolumeRecord::createdAt).thenComparing(VolumeRecord::id))
                .collect(Collectors.toList());
    }

    @Override
    public void removeVolume(String backendName, String id) {
        volumes.remove(key(backendName, id));
    }

    @Override
    public void putSnapshot(SnapshotRecord record) {
        snapshots.put(key(record.backendName(), record.id()), record);
    }

    @Override
    public Optional<SnapshotRecord> snapshot(String backendName, String id) {
        return Optional.ofNullable(snapshots.get(key(backendName, id)));
    }

    @Override
    public List<SnapshotRecord> snapshots(String backendName) {
        return snapshots.values().stream()
                .filter(r -> r.backendName().equals(backendName))
                .sorted(Comparator.comparing(SnapshotRecord::createdAt).thenComparing(SnapshotRecord::id))
                .collect(Collectors.toList());
    }

    @Override
    public void removeSnapshot(String backendName, String id) {
        snapshots.remove(key(backendName, id));
    }
}
