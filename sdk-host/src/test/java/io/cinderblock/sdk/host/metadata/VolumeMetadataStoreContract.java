package io.cinderblock.sdk.host.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What every {@link VolumeMetadataStore} must do. Each test uses backend names with a fresh
 * prefix, so reruns against the same database never collide.
 */
abstract class VolumeMetadataStoreContract {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00.123456Z");

    /** A fresh prefix per test: backend names are {@code prefix + "a"}, {@code prefix + "b"}. */
    protected final String prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + "-";
    protected VolumeMetadataStore store;

    /** The store under test. */
    protected abstract VolumeMetadataStore createStore() throws Exception;

    /** Removes what the test wrote, for stores that outlive the test; default none. */
    protected void cleanUp() throws Exception {}

    @BeforeEach
    void openStore() throws Exception {
        store = createStore();
    }

    @AfterEach
    void closeStore() throws Exception {
        if (store == null) {
            return; // createStore() skipped or failed the test
        }
        try {
            cleanUp();
        } finally {
            store.close();
        }
    }

    protected String backend(String suffix) {
        return prefix + suffix;
    }

    protected VolumeRecord volume(String backend, String id, Instant createdAt) {
        return new VolumeRecord(backend, id, "volume-" + id, 10, Optional.empty(), Optional.empty(), Optional.empty(),
                RecordStatus.CREATING, createdAt, createdAt);
    }

    protected SnapshotRecord snapshot(String backend, String id, String volumeId, Instant createdAt) {
        return new SnapshotRecord(backend, id, "snapshot-" + id, volumeId, 10, Optional.empty(), RecordStatus.CREATING,
                createdAt, createdAt);
    }

    @Test
    @DisplayName("a volume record reads back equal, empty and present optionals alike")
    void volumeRoundTrip() {
        VolumeRecord bare = volume(backend("a"), "v1", T0);
        VolumeRecord full = new VolumeRecord(backend("a"), "v2", "volume-v2", 7, Optional.of("pool-a"),
                Optional.of("iqn.2026-11.io.cinderblock:volume-v2 lun 1"), Optional.of("snap-1"),
                RecordStatus.AVAILABLE, T0, T0.plusSeconds(5));
        store.putVolume(bare);
        store.putVolume(full);

        assertThat(store.volume(backend("a"), "v1")).contains(bare);
        assertThat(store.volume(backend("a"), "v2")).contains(full);
        assertThat(store.volume(backend("a"), "v3")).isEmpty();
        assertThat(bare.createdAt()).as("records keep milliseconds").isEqualTo(T0.truncatedTo(ChronoUnit.MILLIS));
    }

    @Test
    @DisplayName("a put with the same backend and id replaces the record, keeping one row")
    void volumeUpsert() {
        VolumeRecord creating = volume(backend("a"), "v1", T0);
        store.putVolume(creating);
        VolumeRecord available = new VolumeRecord(backend("a"), "v1", "volume-v1", 20, Optional.of("p"),
                Optional.of("loc"), Optional.empty(), RecordStatus.AVAILABLE, T0, T0.plusSeconds(1));
        store.putVolume(available);

        assertThat(store.volumes(backend("a"))).containsExactly(available);
        store.putVolume(available.withStatus(RecordStatus.DELETING, T0.plusSeconds(2)));
        assertThat(store.volume(backend("a"), "v1")).hasValueSatisfying(r -> {
            assertThat(r.status()).isEqualTo(RecordStatus.DELETING);
            assertThat(r.createdAt()).isEqualTo(available.createdAt());
            assertThat(r.updatedAt()).isEqualTo(T0.plusSeconds(2).truncatedTo(ChronoUnit.MILLIS));
        });
    }

    @Test
    @DisplayName("lists a backend's volumes oldest first, ties by id, and no other backend's")
    void volumeListing() {
        store.putVolume(volume(backend("a"), "late", T0.plusSeconds(10)));
        store.putVolume(volume(backend("a"), "b-tie", T0));
        store.putVolume(volume(backend("a"), "B-tie", T0));
        store.putVolume(volume(backend("a"), "a-tie", T0));
        store.putVolume(volume(backend("b"), "other", T0.minusSeconds(10)));

        assertThat(store.volumes(backend("a"))).extracting(VolumeRecord::id)
                .containsExactly("B-tie", "a-tie", "b-tie", "late");
        assertThat(store.volumes(backend("b"))).extracting(VolumeRecord::id).containsExactly("other");
        assertThat(store.volumes(backend("nobody"))).isEmpty();
        assertThat(store.volume(backend("b"), "late")).as("ids are per backend").isEmpty();
    }

    @Test
    @DisplayName("removes a volume record; removing a missing one does nothing")
    void volumeRemoval() {
        store.putVolume(volume(backend("a"), "v1", T0));
        store.putVolume(volume(backend("b"), "v1", T0));
        store.removeVolume(backend("a"), "v1");
        store.removeVolume(backend("a"), "v1");
        store.removeVolume(backend("a"), "never");

        assertThat(store.volume(backend("a"), "v1")).isEmpty();
        assertThat(store.volume(backend("b"), "v1")).as("the other backend's record stays").isPresent();
    }

    @Test
    @DisplayName("snapshot records: round trip, upsert, listing and removal")
    void snapshots() {
        SnapshotRecord s1 = snapshot(backend("a"), "s1", "v1", T0.plusSeconds(1));
        SnapshotRecord s0 = snapshot(backend("a"), "s0", "v1", T0);
        store.putSnapshot(s1);
        store.putSnapshot(s0);
        store.putSnapshot(snapshot(backend("b"), "s9", "v9", T0));

        assertThat(store.snapshots(backend("a"))).containsExactly(s0, s1);
        SnapshotRecord available = new SnapshotRecord(backend("a"), "s1", "snapshot-s1", "v1", 10,
                Optional.of("snap:s1"), RecordStatus.AVAILABLE, s1.createdAt(), T0.plusSeconds(3));
        store.putSnapshot(available);
        assertThat(store.snapshot(backend("a"), "s1")).contains(available);

        store.removeSnapshot(backend("a"), "s1");
        store.removeSnapshot(backend("a"), "s1");
        assertThat(store.snapshots(backend("a"))).containsExactly(s0);
        assertThat(store.snapshot(backend("b"), "s9")).isPresent();
    }

    @Test
    @DisplayName("every record status survives a write and a read")
    void allStatuses() {
        for (RecordStatus status : RecordStatus.values()) {
            store.putVolume(volume(backend("a"), "v-" + status, T0).withStatus(status, T0));
        }
        assertThat(store.volumes(backend("a"))).extracting(VolumeRecord::status)
                .containsExactlyInAnyOrder(RecordStatus.values());
    }
}
