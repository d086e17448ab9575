package io.cinderblock.sdk.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.error.NotSupportedException;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.host.metadata.RecordStatus;
import io.cinderblock.sdk.host.metadata.SnapshotRecord;
import io.cinderblock.sdk.host.metadata.VolumeRecord;
import io.cinderblock.sdk.host.testing.FailingMetadataStore;
import io.cinderblock.sdk.host.testing.HostFixtures;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.VolumeSpec;
import io.cinderblock.sdk.testing.FaultyDriverProviders;
import io.cinderblock.sdk.testing.InMemoryDevice;
import io.cinderblock.sdk.testing.InMemoryDriverProvider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Backend volume operations: through the facade, recorded in an order that loses nothing")
class BackendVolumeOperationsTest {
    private static final Connector HOST = Connector.iscsi("compute-1", "iqn.1993-08.org.debian:01:compute-1");

    private final FailingMetadataStore store = new FailingMetadataStore();
    private final BackendRegistry registry = BackendRegistry.builder().drivers(DriverRegistry.fromClassPath())
            .metadataStore(store).build();
    private final Backend backend = registry.open("ops-1", InMemoryDriverProvider.config());
    private final InMemoryDevice device = HostFixtures.inMemory(registry).device("ops-1");

    @AfterEach
    void tearDown() {
        registry.close();
    }

    @Nested
    @DisplayName("the happy paths")
    class HappyPaths {
        @Test
        @DisplayName("create, extend and delete a volume: device and records agree at each step")
        void createExtendDelete() {
            VolumeRecord created = backend.createVolume(VolumeSpec.of("vol-1", 10));
            assertThat(created.status()).isEqualTo(RecordStatus.AVAILABLE);
            assertThat(created.poolName()).contains("pool-a");
            assertThat(created.providerLocation()).hasValueSatisfying(l -> assertThat(l).contains("volume-vol-1"));
            assertThat(backend.volume("vol-1")).contains(created);
            assertThat(device.volumes()).containsKey("vol-1");

            VolumeRecord extended = backend.extendVolume("vol-1", 20);
            assertThat(extended.sizeGib()).isEqualTo(20);
            assertThat(extended.status()).isEqualTo(RecordStatus.AVAILABLE);
            assertThat(device.volumes().get("vol-1").sizeGib()).isEqualTo(20);
            assertThat(backend.stats(true).freeCapacity().gib()).isEqualTo(80);

            backend.deleteVolume("vol-1");
            assertThat(backend.volumes()).isEmpty();
            assertThat(device.volumes()).isEmpty();
        }

        @Test
        @DisplayName("createVolume(size) picks a fresh UUID")
        void createBySize() {
            VolumeRecord a = backend.createVolume(1);
            VolumeRecord b = backend.createVolume(1);
            assertThat(a.id()).isNotEqualTo(b.id()).matches("[0-9a-f-]{36}");
            assertThat(backend.volumes()).extracting(VolumeRecord::id).containsExactlyInAnyOrder(a.id(), b.id());
        }

        @Test
        @DisplayName("snapshot, volume from snapshot, clone; a volume with snapshots cannot be deleted")
        void snapshotsAndClones() {
            backend.createVolume(VolumeSpec.of("src", 5));
            SnapshotRecord snapshot = backend.createSnapshot("src");
            assertThat(snapshot.status()).isEqualTo(RecordStatus.AVAILABLE);
            assertThat(snapshot.volumeId()).isEqualTo("src");
            assertThat(backend.snapshots()).containsExactly(snapshot);
            assertThat(device.snapshots()).containsKey(snapshot.id());

            VolumeRecord restored = backend.createVolumeFromSnapshot(snapshot.id(), 5);
            assertThat(restored.sourceId()).contains(snapshot.id());
            VolumeRecord clone = backend.cloneVolume("src", 6);
            assertThat(clone.sourceId()).contains("src");
            assertThat(clone.sizeGib()).isEqualTo(6);
            assertThat(device.volumes()).containsKeys(restored.id(), clone.id());

            CinderblockException e = catchThrowableOfType(CinderblockException.class,
                    () -> backend.deleteVolume("src"));
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e).hasMessageContaining(snapshot.id());

            backend.deleteSnapshot(snapshot.id());
            assertThat(backend.snapshots()).isEmpty();
            assertThat(device.snapshots()).isEmpty();
            backend.deleteVolume("src");
            assertThat(backend.volumes()).extracting(VolumeRecord::id)
                    .containsExactlyInAnyOrder(restored.id(), clone.id());
        }

        @Test
        @DisplayName("initialize and terminate a connection: iSCSI info for a known volume")
        void connections() {
            backend.createVolume(VolumeSpec.of("attached", 1));
            ConnectionInfo info = backend.initializeConnection("attached", HOST);
            assertThat(info.driverVolumeType()).isEqualTo("iscsi");
            assertThat(info.data()).containsEntry("target_lun", 1).containsEntry("volume_id", "attached");
            assertThat(ConnectionInfo.isValidIqn((String) info.data().get("target_iqn"))).isTrue();
            assertThat(device.isExported("attached", "compute-1")).isTrue();

            backend.terminateConnection("attached", HOST);
            backend.terminateConnection("attached", HOST);
            assertThat(device.isExported("attached", "compute-1")).isFalse();
        }

        @Test
        @DisplayName("unknown volumes and snapshots are NOT_FOUND, bad sizes INVALID_ARGUMENT, before the driver")
        void badArguments() {
            int before = device.totalCalls();
            assertThat(catchThrowableOfType(CinderblockException.class, () -> backend.deleteVolume("nope")).code())
                    .isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(catchThrowableOfType(CinderblockException.class, () -> backend.createSnapshot("nope")).code())
                    .isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(catchThrowableOfType(CinderblockException.class,
                    () -> backend.createVolumeFromSnapshot("nope", 1)).code()).isEqualTo(ErrorCode.NOT_FOUND);
            backend.createVolume(VolumeSpec.of("sized", 4));
            before = device.totalCalls();
            assertThat(catchThrowableOfType(CinderblockException.class, () -> backend.extendVolume("sized", 4)).code())
                    .isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(catchThrowableOfType(CinderblockException.class,
                    () -> backend.createVolume(VolumeSpec.of("sized", 1))).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(device.totalCalls()).isEqualTo(before);
        }
    }

    @Nested
    @DisplayName("volumes() reads the metadata store, never the driver")
    class VolumesFromStore {
        @Test
        @DisplayName("lists what the SDK recorded, with no driver call")
        void noDriverCall() {
            backend.createVolume(VolumeSpec.of("a", 1));
            backend.createVolume(VolumeSpec.of("b", 1));
            int driverCalls = device.totalCalls();
            int storeReads = store.reads();

            assertThat(backend.volumes()).extracting(VolumeRecord::id).containsExactlyInAnyOrder("a", "b");
            assertThat(device.totalCalls()).isEqualTo(driverCalls);
            assertThat(store.reads()).isGreaterThan(storeReads);
        }

        @Test
        @DisplayName("shows what the store holds even if the device knows otherwise")
        void storeIsTheTruth() {
            Instant now = Instant.now();
            store.putVolume(new VolumeRecord("ops-1", "recorded-only", "volume-recorded-only", 3, Optional.empty(),
                    Optional.empty(), Optional.empty(), RecordStatus.CREATING, now, now));
            assertThat(backend.volumes()).extracting(VolumeRecord::id).containsExactly("recorded-only");
            assertThat(device.volumes()).isEmpty();
        }

        @Test
        @DisplayName("is per backend")
        void perBackend() {
            Backend other = registry.open("ops-2", InMemoryDriverProvider.config());
            backend.createVolume(VolumeSpec.of("mine", 1));
            other.createVolume(VolumeSpec.of("theirs", 1));
            assertThat(backend.volumes()).extracting(VolumeRecord::id).containsExactly("mine");
            assertThat(other.volumes()).extracting(VolumeRecord::id).containsExactly("theirs");
        }
    }

    @Nested
    @DisplayName("record ordering")
    class Ordering {
        @Test
        @DisplayName("the CREATING record is in the store while the device creates the volume")
        void creatingBeforeDeviceCall() {
            List<Optional<RecordStatus>> seen = new ArrayList<>();
            device.onDeviceCall((operation, id) -> seen.add(store.volume("ops-1", id).map(VolumeRecord::status)));
            backend.createVolume(VolumeSpec.of("ordered", 1));
            assertThat(seen).containsExactly(Optional.of(RecordStatus.CREATING));
        }

        @Test
        @DisplayName("the EXTENDING record (old size) is in the store while the device extends")
        void extendingBeforeDeviceCall() {
            backend.createVolume(VolumeSpec.of("ordered", 1));
            List<VolumeRecord> seen = new ArrayList<>();
            device.onDeviceCall((operation, id) -> seen.add(store.volume("ops-1", id).orElseThrow()));
            backend.extendVolume("ordered", 2);
            assertThat(seen).singleElement().satisfies(r -> {
                assertThat(r.status()).isEqualTo(RecordStatus.EXTENDING);
                assertThat(r.sizeGib()).isEqualTo(1);
            });
        }

        @Test
        @DisplayName("the DELETING record is in the store while the device deletes")
        void deletingBeforeDeviceCall() {
            backend.createVolume(VolumeSpec.of("ordered", 1));
            List<Optional<RecordStatus>> seen = new ArrayList<>();
            device.onDeviceCall((operation, id) -> seen.add(store.volume("ops-1", id).map(VolumeRecord::status)));
            backend.deleteVolume("ordered");
            assertThat(seen).containsExactly(Optional.of(RecordStatus.DELETING));
        }

        @Test
        @DisplayName("snapshot and clone records are written before their device calls too")
        void snapshotAndCloneBeforeDeviceCall() {
            backend.createVolume(VolumeSpec.of("base", 1));
            List<String> seen = new ArrayList<>();
            device.onDeviceCall((operation, id) -> seen.add(operation + ":"
                    + store.snapshot("ops-1", id).map(SnapshotRecord::status)
                            .or(() -> store.volume("ops-1", id).map(VolumeRecord::status)).orElse(null)));
            SnapshotRecord snapshot = backend.createSnapshot("base");
            backend.cloneVolume("base", 1);
            backend.createVolumeFromSnapshot(snapshot.id(), 1);
            backend.deleteSnapshot(snapshot.id());
            assertThat(seen).containsExactly("createSnapshot:CREATING", "cloneVolume:CREATING",
                    "createVolumeFromSnapshot:CREATING", "deleteSnapshot:DELETING");
        }

        @Test
        @DisplayName("a store that fails after the device call: METADATA_STORE_FAILED, the record still CREATING")
        void storeFailsAfterCreate() {
            store.failVolumeWritesWhen(r -> r.status() == RecordStatus.AVAILABLE);
            CinderblockException e = catchThrowableOfType(CinderblockException.class,
                    () -> backend.createVolume(VolumeSpec.of("orphan", 1)));
            assertThat(e.code()).isEqualTo(ErrorCode.METADATA_STORE_FAILED);
            assertThat(e).hasMessageContaining("'orphan' exists on the device");
            assertThat(device.volumes()).containsKey("orphan");
            assertThat(backend.volume("orphan")).hasValueSatisfying(
                    r -> assertThat(r.status()).isEqualTo(RecordStatus.CREATING));

            // the pending record is enough to clean up: delete works from it
            store.failVolumeWritesWhen(r -> false);
            backend.deleteVolume("orphan");
            assertThat(device.volumes()).isEmpty();
            assertThat(backend.volumes()).isEmpty();
        }

        @Test
        @DisplayName("a store that fails after the device delete: METADATA_STORE_FAILED, the record still DELETING")
        void storeFailsAfterDelete() {
            backend.createVolume(VolumeSpec.of("half-gone", 1));
            store.failRemovals(true);
            CinderblockException e = catchThrowableOfType(CinderblockException.class,
                    () -> backend.deleteVolume("half-gone"));
            assertThat(e.code()).isEqualTo(ErrorCode.METADATA_STORE_FAILED);
            assertThat(device.volumes()).isEmpty();
            assertThat(backend.volume("half-gone")).hasValueSatisfying(
                    r -> assertThat(r.status()).isEqualTo(RecordStatus.DELETING));

            store.failRemovals(false);
            backend.deleteVolume("half-gone");
            assertThat(backend.volumes()).isEmpty();
        }

        @Test
        @DisplayName("a store that fails before the device call: nothing reaches the device")
        void storeFailsBeforeCreate() {
            store.failVolumeWritesWhen(r -> r.status() == RecordStatus.CREATING);
            CinderblockException e = catchThrowableOfType(CinderblockException.class,
                    () -> backend.createVolume(VolumeSpec.of("never", 1)));
            assertThat(e.code()).isEqualTo(ErrorCode.METADATA_STORE_FAILED);
            assertThat(device.calls("createVolume")).isZero();
            assertThat(device.volumes()).isEmpty();
        }

        @Test
        @DisplayName("a device refusal removes the pending record")
        void refusalRemovesRecord() {
            CinderblockException e = catchThrowableOfType(CinderblockException.class,
                    () -> backend.createVolume(VolumeSpec.of("too-big", 500)));
            assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_CAPACITY);
            assertThat(device.calls("createVolume")).isEqualTo(1);
            assertThat(backend.volumes()).isEmpty();
        }

        @Test
        @DisplayName("a refused extend restores AVAILABLE at the old size")
        void refusedExtend() {
            backend.createVolume(VolumeSpec.of("grow", 10));
            CinderblockException e = catchThrowableOfType(CinderblockException.class,
                    () -> backend.extendVolume("grow", 1000));
            assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_CAPACITY);
            assertThat(backend.volume("grow")).hasValueSatisfying(r -> {
                assertThat(r.status()).isEqualTo(RecordStatus.AVAILABLE);
                assertThat(r.sizeGib()).isEqualTo(10);
            });
        }

        @Test
        @DisplayName("an unknown failure leaves the record in ERROR, and a delete cleans it up")
        void unknownFailureLeavesError() {
            device.failNextOperation(new CinderblockException(ErrorCode.OPERATION_FAILED, "simulated: array rebooted"));
            assertThatThrownBy(() -> backend.createVolume(VolumeSpec.of("broken", 1)))
                    .hasMessageContaining("array rebooted");
            assertThat(backend.volume("broken")).hasValueSatisfying(
                    r -> assertThat(r.status()).isEqualTo(RecordStatus.ERROR));

            device.failNextOperation(new IllegalStateException("simulated: untyped bug"));
            CinderblockException e = catchThrowableOfType(CinderblockException.class,
                    () -> backend.createVolume(VolumeSpec.of("buggy", 1)));
            assertThat(e.code()).isEqualTo(ErrorCode.DRIVER_CONTRACT_VIOLATION);
            assertThat(backend.volume("buggy")).hasValueSatisfying(
                    r -> assertThat(r.status()).isEqualTo(RecordStatus.ERROR));

            backend.deleteVolume("broken");
            backend.deleteVolume("buggy");
            assertThat(backend.volumes()).isEmpty();
        }

        @Test
        @DisplayName("a failed delete leaves ERROR; retrying deletes")
        void failedDeleteRetried() {
            backend.createVolume(VolumeSpec.of("sticky", 1));
            device.goDown();
            CinderblockException e = catchThrowableOfType(CinderblockException.class,
                    () -> backend.deleteVolume("sticky"));
            assertThat(e.code()).isEqualTo(ErrorCode.DEVICE_UNAVAILABLE);
            assertThat(backend.volume("sticky")).hasValueSatisfying(
                    r -> assertThat(r.status()).isEqualTo(RecordStatus.ERROR));

            device.comeUp();
            backend.deleteVolume("sticky");
            assertThat(backend.volumes()).isEmpty();
            assertThat(device.volumes()).isEmpty();
        }
    }

    @Nested
    @DisplayName("delete idempotence")
    class Idempotence {
        @Test
        @DisplayName("deleting a volume already gone from the device succeeds and removes the record")
        void goneFromDevice() {
            backend.createVolume(VolumeSpec.of("vanished", 1));
            backend.createVolume(VolumeSpec.of("keeper", 1));
            // someone removed it on the array behind the SDK's back
            backend.deleteVolume("vanished");
            Instant now = Instant.now();
            store.putVolume(new VolumeRecord("ops-1", "vanished", "volume-vanished", 1, Optional.of("pool-a"),
                    Optional.empty(), Optional.empty(), RecordStatus.AVAILABLE, now, now));

            backend.deleteVolume("vanished");
            assertThat(backend.volumes()).extracting(VolumeRecord::id).containsExactly("keeper");
            assertThat(device.calls("deleteVolume")).isEqualTo(2);
        }

        @Test
        @DisplayName("a second delete of the same volume is NOT_FOUND: the record is gone")
        void secondDelete() {
            backend.createVolume(VolumeSpec.of("once", 1));
            backend.deleteVolume("once");
            assertThat(catchThrowableOfType(CinderblockException.class, () -> backend.deleteVolume("once")).code())
                    .isEqualTo(ErrorCode.NOT_FOUND);
        }
    }

    @Nested
    @DisplayName("capabilities")
    class Capabilities {
        @Test
        @DisplayName("an undeclared capability is NotSupportedException, and the driver is never called")
        void undeclared() {
            try (BackendRegistry limited = BackendRegistry.builder()
                    .drivers(HostFixtures.registryOf(FaultyDriverProviders.NoCapabilities.class)).build()) {
                Backend plain = limited.open("plain", Map.of("volume_driver", "no-capabilities"));
                FaultyDriverProviders.NoCapabilities provider =
                        (FaultyDriverProviders.NoCapabilities) limited.drivers().require("no-capabilities").provider();
                Instant now = Instant.now();
                limited.metadataStore().putVolume(new VolumeRecord("plain", "v", "volume-v", 1, Optional.of("fake"),
                        Optional.empty(), Optional.empty(), RecordStatus.AVAILABLE, now, now));

                assertThatThrownBy(() -> plain.createVolume(1))
                        .isInstanceOfSatisfying(NotSupportedException.class, e -> {
                            assertThat(e.capability()).isEqualTo(Capability.CREATE_VOLUME);
                            assertThat(e.code()).isEqualTo(ErrorCode.NOT_SUPPORTED);
                        })
                        .hasMessageContaining("'no-capabilities'").hasMessageContaining("'create_volume'");
                assertThatThrownBy(() -> plain.deleteVolume("v")).isInstanceOf(NotSupportedException.class);
                assertThatThrownBy(() -> plain.extendVolume("v", 2)).isInstanceOf(NotSupportedException.class);
                assertThatThrownBy(() -> plain.createSnapshot("v")).isInstanceOf(NotSupportedException.class);
                assertThatThrownBy(() -> plain.cloneVolume("v", 1)).isInstanceOf(NotSupportedException.class);
                assertThatThrownBy(() -> plain.initializeConnection("v", HOST)).isInstanceOf(NotSupportedException.class);
                assertThatThrownBy(() -> plain.terminateConnection("v", HOST)).isInstanceOf(NotSupportedException.class);

                assertThat(provider.operationCalls()).isZero();
                assertThat(plain.volumes()).singleElement()
                        .satisfies(r -> assertThat(r.status()).isEqualTo(RecordStatus.AVAILABLE));
            }
        }
    }

    @Test
    @DisplayName("a backend whose configuration narrows its capabilities refuses the rest without calling the driver")
    void narrowedCapabilities() {
        Map<String, String> config = new java.util.HashMap<>(InMemoryDriverProvider.config());
        config.put("without_connections", "true");
        Backend narrowed = registry.open("ops-narrow", config);
        VolumeRecord volume = narrowed.createVolume(1);
        int callsBefore = HostFixtures.inMemory(registry).device("ops-narrow").totalCalls();

        assertThat(narrowed.capabilities()).doesNotContain(Capability.CONNECTION).contains(Capability.CREATE_VOLUME);
        assertThatThrownBy(() -> narrowed.initializeConnection(volume.id(), HOST))
                .isInstanceOfSatisfying(NotSupportedException.class,
                        e -> assertThat(e.capability()).isEqualTo(Capability.CONNECTION));
        assertThat(HostFixtures.inMemory(registry).device("ops-narrow").totalCalls()).isEqualTo(callsBefore);
    }
}
