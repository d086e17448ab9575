package io.cinderblock.driver.iscsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import io.cinderblock.sdk.testing.RecordingLogger;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The driver against SNIA's Swordfish API Emulator (see {@link SwordfishEmulator}), seeded with SNIA's
 * mockup data: HTTPS with the emulator's CA and verification on, session authentication. Each
 * point of issue 14 against an independent implementation; the emulator with its three bug fixes
 * ({@code patched}) and, where it can serve, exactly as SNIA ships it ({@code --stock}).
 */
class SwordfishEmulatorTest {
    private static final long GIB = 1L << 30;

    private static PoolStats pool(BackendStats stats, String name) {
        return stats.pools().stream().filter(p -> p.poolName().equals(name)).findFirst().orElseThrow();
    }

    /**
     * What the stock and the patched emulator both serve: state, stats, an existing export, and
     * faults set by PATCHes that carry a {@code Status} (the stock emulator answers 500 to others).
     */
    abstract static class Common {
        SwordfishEmulator emulator;

        abstract SwordfishEmulator start();

        @BeforeAll
        void startEmulator() {
            emulator = start();
        }

        @AfterAll
        void stopEmulator() {
            if (emulator != null) {
                emulator.close();
            }
        }

        VolumeDriver open(Map<String, String> overrides, RecordingLogger context) {
            return emulator.openDriver(overrides, context.context());
        }

        @Test
        @DisplayName("chooses the storage that has pools (SF1), not the first member (NVMe storage without pools)")
        void choosesStorageWithPools() {
            try (VolumeDriver driver = open(Map.of(), new RecordingLogger("iscsi-test"))) {
                assertThat(driver.backendState().status()).isEqualTo(BackendState.Status.UP);
                BackendStats stats = driver.collectStats();
                assertThat(stats.toCinderMap()).containsEntry("swordfish_storage_id", "SF1");
                assertThat(stats.pools()).extracting(PoolStats::poolName).containsExactly("SpecialPool", "BasePool");
            }
        }

        @Test
        @DisplayName("Fixed + Thin is thick and thin; provisioned capacity is the volumes' sizes, not ProvisionedBytes")
        void poolStats() {
            RecordingLogger context = new RecordingLogger("iscsi-test");
            try (VolumeDriver driver = open(Map.of(), context)) {
                PoolStats special = pool(driver.collectStats(), "SpecialPool");
                assertThat(special.thickProvisioningSupport()).isTrue();
                assertThat(special.thinProvisioningSupport()).isTrue();
                assertThat(special.totalCapacity()).isEqualTo(Capacity.ofGib(1024));
                assertThat(special.freeCapacity()).isEqualTo(Capacity.ofGib(512));
                // AllocatedVolumes holds volume 3 (10 GiB); ProvisionedBytes says 128 TiB.
                assertThat(special.totalVolumes()).hasValue(1);
                assertThat(special.provisionedCapacityGib()).hasValue(10.0);
                assertThat(special.locationInfo()).hasValue("swordfish:SF1:SpecialPool");
            }
        }

        @Test
        @DisplayName("a storage without the optional StoragePools link is UP (not DOWN); its stats say it has no pools")
        void storageWithoutPools() {
            try (VolumeDriver driver = open(Map.of(SwordfishDriverProvider.STORAGE_ID, "IPAttachedDrive1"),
                    new RecordingLogger("iscsi-test"))) {
                BackendState state = driver.backendState();
                assertThat(state.status()).as(state.reason()).isEqualTo(BackendState.Status.UP);
                assertThatThrownBy(driver::collectStats).isInstanceOf(CinderblockException.class)
                        .hasMessageContaining("'IPAttachedDrive1'").hasMessageContaining("no StoragePools");
            }
        }

        @Test
        @DisplayName("wrong password: the emulator answers 403; DOWN with 'credentials rejected', never the password")
        void wrongPassword() {
            String wrong = "wr\"ong\\/:%é-" + System.nanoTime();
            RecordingLogger context = new RecordingLogger("iscsi-test");
            for (String auth : new String[] {"session", "basic"}) {
                try (VolumeDriver driver = open(Map.of(SwordfishDriverProvider.PASSWORD, wrong,
                        SwordfishDriverProvider.AUTH, auth), context)) {
                    BackendState state = driver.backendState();
                    assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
                    assertThat(state.reason()).contains("credentials rejected", "HTTP 403", "'Administrator'")
                            .doesNotContain(wrong);
                }
            }
            assertThat(String.join("\n", context.records().stream().map(Object::toString).toList())).doesNotContain(wrong);
        }

        @Test
        @DisplayName("reads an existing export: target IQN, portal and LUN of SNIA's connection 1")
        void existingConnection() {
            try (VolumeDriver driver = open(Map.of(), new RecordingLogger("iscsi-test"))) {
                Volume volume = new VolumeSpec("snap1", "Snapshot1", 10, Optional.empty())
                        .toVolume("SpecialPool", Optional.of(emulator.storagePath() + "/Volumes/3"));
                ConnectionInfo info = driver.initializeConnection(volume,
                        Connector.iscsi("host1", emulator.value("SWORDFISH_INITIATOR_IQN")));
                assertThat(info.data()).containsEntry("target_iqn", emulator.value("SWORDFISH_TARGET_IQN"))
                        .containsEntry("target_portal", "192.168.155.22:3260").containsEntry("target_lun", 3);
            }
        }

        @Test
        @DisplayName("a Disabled or Critical pool is reported with no free capacity and never chosen for a new volume")
        void poolStatus() {
            String special = emulator.storagePath() + "/StoragePools/SpecialPool";
            String ok = "{\"Status\": {\"Health\": \"OK\", \"HealthRollUp\": \"Degraded\", \"State\": \"Enabled\"}}";
            try (VolumeDriver driver = open(Map.of(), new RecordingLogger("iscsi-test"))) {
                for (String status : new String[] {"{\"State\": \"Disabled\", \"Health\": \"OK\"}",
                        "{\"State\": \"Enabled\", \"Health\": \"Critical\"}"}) {
                    emulator.patch(special, "{\"Status\": " + status + "}");
                    PoolStats pool = pool(driver.collectStats(), "SpecialPool");
                    assertThat(pool.freeCapacity()).isEqualTo(Capacity.ofGib(0));
                    assertThat(pool.extraCapabilities()).containsKey("swordfish_pool_status");
                    assertThatThrownBy(() -> driver.createVolume(VolumeSpec.of("issue14-sick", 1)
                            .inPool("SpecialPool")))
                            .isInstanceOfSatisfying(CinderblockException.class,
                                    e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED))
                            .hasMessageContaining("'SpecialPool'").hasMessageContaining("no new volumes");
                    // Without a pool named, the usable pool is chosen (BasePool, whose Capacity.Data is 0).
                    assertThatThrownBy(() -> driver.createVolume(VolumeSpec.of("issue14-any", 1))).hasMessageContaining("Pool 'BasePool'");
                }
            } finally {
                emulator.patch(special, ok);
            }
        }

        @Test
        @DisplayName("storage Health Critical and State StandbyOffline are DOWN, healed back to UP")
        void storageStatus() {
            try (VolumeDriver driver = open(Map.of(), new RecordingLogger("iscsi-test"))) {
                emulator.setStorageStatus("Enabled", "Critical");
                assertThat(driver.backendState().reason()).contains("'SF1'", "Critical");
                assertThat(driver.backendState().status()).isEqualTo(BackendState.Status.DOWN);
                emulator.setStorageStatus("StandbyOffline", "OK");
                assertThat(driver.backendState().reason()).contains("StandbyOffline");
                emulator.setStorageStatus("Enabled", "OK");
                assertThat(driver.backendState().status()).isEqualTo(BackendState.Status.UP);
            } finally {
                emulator.setStorageStatus("Enabled", "OK");
            }
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @DisplayName("stock emulator (as SNIA ships it), HTTPS and authentication")
    class Stock extends Common {
        @Override
        SwordfishEmulator start() {
            return SwordfishEmulator.start("--https-auth", "--stock");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @DisplayName("patched emulator, HTTPS and authentication")
    class Patched extends Common {
        @Override
        SwordfishEmulator start() {
            return SwordfishEmulator.start("--https-auth");
        }

        @Test
        @DisplayName("one pool identifier everywhere: a pool at .../StoragePools/P1 with Id '1' is 'P1' in stats, "
                + "swordfish_pools and placement")
        void poolIdentity() {
            String pools = emulator.storagePath() + "/StoragePools";
            emulator.post(pools, "{\"@odata.id\": \"" + pools + "/P1\", \"@odata.type\": \"#StoragePool.v1_9_1.StoragePool\","
                    + " \"Id\": \"1\", \"Name\": \"P1\", \"Status\": {\"State\": \"Enabled\", \"Health\": \"OK\"},"
                    + " \"SupportedProvisioningPolicies\": [\"Thin\"],"
                    + " \"Capacity\": {\"Data\": {\"AllocatedBytes\": 107374182400, \"ConsumedBytes\": 0}}}");
            try (VolumeDriver driver = open(Map.of(SwordfishDriverProvider.POOLS, "P1"), new RecordingLogger("iscsi-test"))) {
                assertThat(driver.backendState().status()).isEqualTo(BackendState.Status.UP);
                assertThat(driver.collectStats().pools()).extracting(PoolStats::poolName).containsExactly("P1");
                Volume volume = driver.createVolume(VolumeSpec.of("issue14-p1", 1).inPool("P1"));
                assertThat(volume.poolName()).isEqualTo("P1");
                JsonNode created = emulator.get(volume.providerLocation().orElseThrow());
                assertThat(created.at("/CapacitySources/0/ProvidingPools/Members/0/@odata.id").asText())
                        .isEqualTo(pools + "/P1");
                assertThat(created.path("CapacityBytes").asLong()).isEqualTo(GIB);
                driver.deleteVolume(volume);
            } finally {
                emulator.delete(pools + "/P1");
            }
        }

        @Test
        @DisplayName("a pool whose AllocatedVolumes answers 404 drops only total_volumes and provisioned, with a warning")
        void optionalLookupDegrades() {
            String base = emulator.storagePath() + "/StoragePools/BasePool";
            emulator.patch(base, "{\"AllocatedVolumes\": {\"@odata.id\": \"" + base + "/AllocatedVolumes\"}}");
            RecordingLogger context = new RecordingLogger("iscsi-test");
            try (VolumeDriver driver = open(Map.of(), context)) {
                BackendStats stats = driver.collectStats();
                assertThat(pool(stats, "BasePool").totalVolumes()).isEmpty();
                assertThat(pool(stats, "BasePool").provisionedCapacityGib()).isEmpty();
                assertThat(pool(stats, "SpecialPool").totalVolumes()).hasValue(1);
                assertThat(context.records().stream().map(Object::toString).toList()).anySatisfy(l -> assertThat(l).startsWith("WARNING")
                        .contains("pool 'BasePool'", base + "/AllocatedVolumes", "404"));
            } finally {
                emulator.patch(base, "{\"AllocatedVolumes\": null}");
            }
        }

        @Test
        @DisplayName("creates, extends, exports (naming the target endpoint), unexports and deletes a volume")
        void lifecycle() {
            Connector host = Connector.iscsi("issue14-host", "iqn.2026-12.org.example:issue14");
            try (VolumeDriver driver = open(Map.of(), new RecordingLogger("iscsi-test"))) {
                Volume volume = driver.createVolume(VolumeSpec.of("issue14-life", 2));
                assertThat(volume.poolName()).isEqualTo("SpecialPool");
                volume = driver.extendVolume(volume, 3);
                assertThat(emulator.get(volume.providerLocation().orElseThrow()).path("CapacityBytes").asLong())
                        .isEqualTo(3 * GIB);
                ConnectionInfo info = driver.initializeConnection(volume, host);
                assertThat(info.data()).containsEntry("target_iqn", emulator.value("SWORDFISH_TARGET_IQN"))
                        .containsEntry("target_portal", "192.168.155.22:3260").containsEntry("target_lun", 0);
                // The emulator assigns nothing itself: the target came from the driver's POST.
                assertThat(countConnections(volume)).isEqualTo(1);
                driver.terminateConnection(volume, host);
                assertThat(countConnections(volume)).isZero();
                driver.deleteVolume(volume);
                driver.deleteVolume(volume); // idempotent: the emulator (patched) answers 404
            }
        }

        private int countConnections(Volume volume) {
            String connections = "/redfish/v1/Fabrics/" + emulator.value("SWORDFISH_FABRIC_ID") + "/Connections";
            int count = 0;
            for (JsonNode member : emulator.get(connections).path("Members")) {
                JsonNode connection = emulator.get(member.path("@odata.id").asText());
                for (JsonNode info : connection.path("VolumeInfo")) {
                    if (info.at("/Volume/@odata.id").asText().equals(volume.providerLocation().orElseThrow())) {
                        count++;
                        assertThat(connection.at("/Links/TargetEndpoints/0/@odata.id").asText())
                                .endsWith("/Endpoints/SF1-T1");
                    }
                }
            }
            return count;
        }

        @Test
        @DisplayName("targets named only through Links.TargetEndpointGroups (SNIA's mockups) are found")
        void targetEndpointGroups() {
            String fabric = "/redfish/v1/Fabrics/" + emulator.value("SWORDFISH_FABRIC_ID");
            JsonNode original = emulator.get(fabric + "/Connections/1").path("Links");
            emulator.patch(fabric + "/Connections/1", "{\"Links\": {\"InitiatorEndpoints\": [{\"@odata.id\": \""
                    + fabric + "/Endpoints/Initiator1\"}], \"TargetEndpointGroups\": [{\"@odata.id\": \"" + fabric
                    + "/EndpointGroups/TargetEPs\"}]}}");
            try (VolumeDriver driver = open(Map.of(), new RecordingLogger("iscsi-test"))) {
                Volume volume = new VolumeSpec("snap1", "Snapshot1", 10, Optional.empty())
                        .toVolume("SpecialPool", Optional.of(emulator.storagePath() + "/Volumes/3"));
                ConnectionInfo info = driver.initializeConnection(volume,
                        Connector.iscsi("host1", emulator.value("SWORDFISH_INITIATOR_IQN")));
                assertThat(info.data()).containsEntry("target_iqn", emulator.value("SWORDFISH_TARGET_IQN"))
                        .containsEntry("target_lun", 3);
            } finally {
                emulator.patch(fabric + "/Connections/1", "{\"Links\": " + original + "}");
            }
        }

    }
}
