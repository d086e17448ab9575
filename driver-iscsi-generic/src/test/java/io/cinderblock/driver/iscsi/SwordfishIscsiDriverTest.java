package io.cinderblock.driver.iscsi;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import io.cinderblock.sdk.testing.RecordingLogger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The driver against the simulated Swordfish array (WireMock on 127.0.0.1), when nothing is broken. */
class SwordfishIscsiDriverTest {
    private static final long GIB = 1L << 30;
    private static final Connector HOST = Connector.iscsi("compute-1", "iqn.2026-11.org.example:compute-1");

    private SwordfishArrayFixture fixture;
    private RecordingLogger context;
    private VolumeDriver driver;

    @BeforeEach
    void start() {
        fixture = SwordfishArrayFixture.http();
        context = new RecordingLogger("iscsi-test");
        driver = fixture.openDriver(Map.of(), context.context());
    }

    @AfterEach
    void stop() {
        driver.close();
        fixture.close();
    }

    private PoolStats pool(BackendStats stats, String name) {
        return stats.pools().stream().filter(p -> p.poolName().equals(name)).findFirst().orElseThrow();
    }

    @Nested
    @DisplayName("stats and state")
    class StatsAndState {
        @Test
        @DisplayName("one Cinder pool per StoragePool, bytes converted to GiB exactly")
        void poolsMapExactly() {
            BackendStats stats = driver.collectStats();

            assertThat(stats.backendName()).isEqualTo("sim-backend");
            assertThat(stats.storageProtocol()).isEqualTo("iSCSI");
            assertThat(stats.backendState()).isEqualTo(BackendState.Status.UP);
            assertThat(stats.pools()).extracting(PoolStats::poolName).containsExactly("GOLD", "SILVER");
            PoolStats gold = pool(stats, "GOLD");
            assertThat(gold.totalCapacity().gib()).isEqualTo(100.0);
            assertThat(gold.freeCapacity().gib()).isEqualTo(80.0);
            assertThat(gold.thickProvisioningSupport()).isTrue();
            assertThat(gold.thinProvisioningSupport()).isFalse();
            assertThat(gold.totalVolumes()).hasValue(1);
            PoolStats silver = pool(stats, "SILVER");
            assertThat(silver.totalCapacity().gib()).isEqualTo(200.0);
            assertThat(silver.freeCapacity().gib()).isEqualTo(150.0);
            assertThat(silver.thinProvisioningSupport()).isTrue();
            assertThat(silver.thickProvisioningSupport()).isFalse();
            assertThat(stats.toCinderMap()).containsEntry("total_capacity_gb", 300.0)
                    .containsEntry("free_capacity_gb", 230.0);
        }

        @Test
        @DisplayName("swordfish_pools restricts the reported pools")
        void poolSelection() {
            try (VolumeDriver only = fixture.openDriver(Map.of(SwordfishDriverProvider.POOLS, "SILVER"), context.context())) {
                assertThat(only.collectStats().pools()).extracting(PoolStats::poolName).containsExactly("SILVER");
                assertThat(only.backendState().isUp()).isTrue();
            }
        }

        @Test
        @DisplayName("UP with Health OK; Health Warning is still UP, with the warning as reason")
        void upAndWarning() {
            BackendState ok = driver.backendState();
            assertThat(ok.isUp()).isTrue();
            assertThat(ok.reason()).contains("Enabled", "OK");

            fixture.array().setStorageStatus("Enabled", "Warning");
            BackendState warning = driver.backendState();
            assertThat(warning.isUp()).isTrue();
            assertThat(warning.reason()).contains("Health Warning");
        }

        @Test
        @DisplayName("a required field missing is a typed error naming the field")
        void missingField() {
            ObjectNode storage = fixture.array().resource(SimulatedSwordfishArray.STORAGE);
            storage.remove("Status");
            fixture.array().putResource(SimulatedSwordfishArray.STORAGE, storage);

            assertThatThrownBy(driver::collectStats).isInstanceOfSatisfying(SwordfishProtocolException.class,
                    e -> assertThat(e.field()).hasValue("Status.State"));
            BackendState state = driver.backendState();
            assertThat(state.isUp()).isFalse();
            assertThat(state.reason()).contains("'Status.State'");
        }
    }

    @Nested
    @DisplayName("provisioning")
    class Provisioning {
        @Test
        @DisplayName("a created volume (201 + Location) appears and its capacity leaves the pool; delete gives it back")
        void createAndDelete() {
            long before = fixture.array().consumedBytes("GOLD");

            Volume volume = driver.createVolume(VolumeSpec.of("v-1", 5).inPool("GOLD"));

            assertThat(volume.poolName()).isEqualTo("GOLD");
            assertThat(volume.providerLocation()).hasValueSatisfying(p -> assertThat(p).startsWith(
                    SimulatedSwordfishArray.VOLUMES + "/"));
            assertThat(fixture.array().volumeNamed("volume-v-1")).hasValueSatisfying(
                    v -> assertThat(v.path("CapacityBytes").asLong()).isEqualTo(5 * GIB));
            assertThat(fixture.array().consumedBytes("GOLD")).isEqualTo(before + 5 * GIB);
            PoolStats gold = pool(driver.collectStats(), "GOLD");
            assertThat(gold.freeCapacity().gib()).isEqualTo(75.0);
            assertThat(gold.totalVolumes()).hasValue(2);

            driver.deleteVolume(volume);
            assertThat(fixture.array().volumeNamed("volume-v-1")).isEmpty();
            assertThat(fixture.array().consumedBytes("GOLD")).isEqualTo(before);
            driver.deleteVolume(volume); // 404 now: still success
        }

        @Test
        @DisplayName("a 202 with a task monitor is polled to completion, for create, extend and delete")
        void asynchronousTasks() {
            fixture.array().asyncOperations(true);

            Volume volume = driver.createVolume(VolumeSpec.of("v-async", 2).inPool("SILVER"));
            assertThat(fixture.array().volumeNamed("volume-v-async")).isPresent();
            assertThat(volume.providerLocation()).isPresent();

            Volume bigger = driver.extendVolume(volume, 3);
            assertThat(bigger.sizeGib()).isEqualTo(3);
            assertThat(fixture.array().volumeNamed("volume-v-async").orElseThrow().path("CapacityBytes").asLong())
                    .isEqualTo(3 * GIB);

            driver.deleteVolume(bigger);
            assertThat(fixture.array().volumeNamed("volume-v-async")).isEmpty();
        }

        @Test
        @DisplayName("a task monitor that ends with a Completed Task resource: the created resources are found by search")
        void completedTaskResources() {
            fixture.array().asyncOperations(true);
            fixture.array().tasksEndAsTaskResources(true);

            Volume volume = driver.createVolume(VolumeSpec.of("v-task", 1).inPool("GOLD"));
            assertThat(volume.providerLocation()).hasValueSatisfying(p -> assertThat(p).startsWith(
                    SimulatedSwordfishArray.VOLUMES + "/"));
            ConnectionInfo info = driver.initializeConnection(volume, HOST);
            assertThat(info.data()).containsEntry("target_iqn", "iqn.2026-11.io.cinderblock:sim-array");
            driver.terminateConnection(volume, HOST);
            driver.deleteVolume(volume);
            assertThat(fixture.array().volumeNamed("volume-v-task")).isEmpty();
            assertThat(fixture.array().connectionCount()).isZero();
        }

        @Test
        @DisplayName("without a pool, the pool with the most free space is used")
        void choosesPool() {
            Volume volume = driver.createVolume(VolumeSpec.of("v-any", 1));
            assertThat(volume.poolName()).isEqualTo("SILVER");
        }

        @Test
        @DisplayName("extend grows by PATCH of CapacityBytes; a size that is not larger is refused")
        void extend() {
            Volume volume = driver.createVolume(VolumeSpec.of("v-grow", 1).inPool("GOLD"));
            long before = fixture.array().consumedBytes("GOLD");

            Volume grown = driver.extendVolume(volume, 4);

            assertThat(grown.sizeGib()).isEqualTo(4);
            assertThat(fixture.array().consumedBytes("GOLD")).isEqualTo(before + 3 * GIB);
            assertThatThrownBy(() -> driver.extendVolume(grown, 2)).isInstanceOfSatisfying(CinderblockException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
            assertThatThrownBy(() -> driver.extendVolume(grown, 4)).isInstanceOfSatisfying(CinderblockException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
            assertThat(fixture.array().consumedBytes("GOLD")).isEqualTo(before + 3 * GIB);
        }

        @Test
        @DisplayName("a thick pool without room refuses with INSUFFICIENT_CAPACITY; an unknown pool with INVALID_ARGUMENT")
        void refusals() {
            assertThatThrownBy(() -> driver.createVolume(VolumeSpec.of("v-huge", 500).inPool("GOLD")))
                    .isInstanceOfSatisfying(CinderblockException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_CAPACITY));
            // The thin pool is not pre-checked: the array itself refuses, and its refusal keeps its meaning.
            assertThatThrownBy(() -> driver.createVolume(VolumeSpec.of("v-huge", 500).inPool("SILVER")))
                    .isInstanceOfSatisfying(CinderblockException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_CAPACITY));
            assertThatThrownBy(() -> driver.createVolume(VolumeSpec.of("v-x", 1).inPool("BRONZE")))
                    .isInstanceOfSatisfying(CinderblockException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                        assertThat(e.getMessage()).contains("'BRONZE'", "'GOLD'");
                    });
            assertThat(fixture.array().volumeNamed("volume-v-huge")).isEmpty();
        }

        @Test
        @DisplayName("a volume without provider_location is found by name")
        void findsByName() {
            Volume created = driver.createVolume(VolumeSpec.of("v-named", 1).inPool("GOLD"));
            Volume bare = new Volume(created.id(), created.name(), 1, "GOLD", Optional.empty());

            driver.deleteVolume(bare);

            assertThat(fixture.array().volumeNamed("volume-v-named")).isEmpty();
        }
    }

    @Nested
    @DisplayName("discovery and tasks")
    class DiscoveryAndTasks {
        @Test
        @DisplayName("swordfish_storage_id picks the storage; an unknown id is DOWN naming the option and what exists")
        void storageId() {
            try (VolumeDriver chosen = fixture.openDriver(Map.of(SwordfishDriverProvider.STORAGE_ID, "S1"), context.context())) {
                assertThat(chosen.backendState().isUp()).isTrue();
            }
            try (VolumeDriver unknown = fixture.openDriver(Map.of(SwordfishDriverProvider.STORAGE_ID, "S9"), context.context())) {
                assertThat(unknown.backendState().reason()).contains("'S9'", "swordfish_storage_id", "'S1'");
            }
        }

        @Test
        @DisplayName("a Swordfish 1.0 service root with StorageServices instead of Storage works the same")
        void storageServices() {
            ObjectNode root = fixture.array().resource(SimulatedSwordfishArray.ROOT);
            root.set("StorageServices", root.remove("Storage"));
            fixture.array().putResource(SimulatedSwordfishArray.ROOT, root);
            try (VolumeDriver old = fixture.openDriver(Map.of(), context.context())) {
                assertThat(old.collectStats().pools()).hasSize(2);
            }
        }

        @Test
        @DisplayName("swordfish_fabric_id selects the fabric; an unknown one fails the connection, naming it")
        void fabricId() {
            Volume volume = driver.createVolume(VolumeSpec.of("v-f", 1).inPool("GOLD"));
            try (VolumeDriver named = fixture.openDriver(Map.of(SwordfishDriverProvider.FABRIC_ID, "ISCSI"), context.context())) {
                assertThat(named.initializeConnection(volume, HOST).data()).containsKey("target_iqn");
            }
            try (VolumeDriver unknown = fixture.openDriver(Map.of(SwordfishDriverProvider.FABRIC_ID, "FC0"), context.context())) {
                assertThatThrownBy(() -> unknown.initializeConnection(volume, HOST))
                        .isInstanceOf(CinderblockException.class).hasMessageContaining("'FC0'");
            }
        }

        @Test
        @DisplayName("a task that ends in TaskState Exception fails the operation with the task's message")
        void failedTask() {
            fixture.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
                    urlPathEqualTo(SimulatedSwordfishArray.VOLUMES)).atPriority(1).willReturn(aResponse()
                    .withStatus(202).withHeader("Location", "/redfish/v1/TaskService/Tasks/7/Monitor")));
            fixture.server().stubFor(get(urlPathEqualTo("/redfish/v1/TaskService/Tasks/7/Monitor")).atPriority(1)
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                            .withBody("{\"@odata.id\": \"/redfish/v1/TaskService/Tasks/7\", \"TaskState\": \"Exception\","
                                    + " \"TaskStatus\": \"Critical\", \"Messages\": [{\"Message\": \"disk group offline\"}]}")));
            assertThatThrownBy(() -> driver.createVolume(VolumeSpec.of("v-t", 1).inPool("GOLD")))
                    .isInstanceOfSatisfying(CinderblockException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED);
                        assertThat(e.getMessage()).contains("TaskState Exception", "disk group offline");
                    });
        }

        @Test
        @DisplayName("a task that never finishes fails after swordfish_task_timeout")
        void endlessTask() {
            fixture.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
                    urlPathEqualTo(SimulatedSwordfishArray.VOLUMES)).atPriority(1).willReturn(aResponse()
                    .withStatus(202).withHeader("Location", "/redfish/v1/TaskService/TaskMonitors/forever")));
            fixture.server().stubFor(get(urlPathEqualTo("/redfish/v1/TaskService/TaskMonitors/forever")).atPriority(1)
                    .willReturn(aResponse().withStatus(202).withHeader("Retry-After", "1")));
            try (VolumeDriver impatient = fixture.openDriver(Map.of(SwordfishDriverProvider.TASK_TIMEOUT, "2s"),
                    context.context())) {
                assertThatThrownBy(() -> impatient.createVolume(VolumeSpec.of("v-t", 1).inPool("GOLD")))
                        .isInstanceOfSatisfying(CinderblockException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED);
                            assertThat(e.getMessage()).contains("did not finish within 2 s");
                        });
            }
        }
    }

    @Nested
    @DisplayName("connections")
    class Connections {
        @Test
        @DisplayName("initialize returns Cinder iSCSI info from the Connection and target Endpoint; terminate removes it")
        void initializeAndTerminate() {
            Volume volume = driver.createVolume(VolumeSpec.of("v-c", 1).inPool("GOLD"));

            ConnectionInfo info = driver.initializeConnection(volume, HOST);

            assertThat(info.driverVolumeType()).isEqualTo("iscsi");
            assertThat(info.data()).containsEntry("target_iqn", "iqn.2026-11.io.cinderblock:sim-array")
                    .containsEntry("target_portal", "127.0.0.1:3260")
                    .containsEntry("target_lun", 1)
                    .containsEntry("volume_id", "v-c")
                    .doesNotContainKey("auth_method");
            assertThat(fixture.array().connectionCount()).isEqualTo(1);

            ConnectionInfo again = driver.initializeConnection(volume, HOST);
            assertThat(again.data()).isEqualTo(info.data());
            assertThat(fixture.array().connectionCount()).isEqualTo(1);

            driver.terminateConnection(volume, HOST);
            assertThat(fixture.array().connectionCount()).isZero();
            driver.terminateConnection(volume, HOST); // idempotent
        }

        @Test
        @DisplayName("CHAP keys reported by the array become auth_method/username/password, masked in toString")
        void chap() {
            String secret = "chap-" + java.util.UUID.randomUUID();
            fixture.array().enableChap("chap-user", secret);
            Volume volume = driver.createVolume(VolumeSpec.of("v-chap", 1).inPool("GOLD"));

            ConnectionInfo info = driver.initializeConnection(volume, HOST);

            assertThat(info.data()).containsEntry("auth_method", "CHAP").containsEntry("auth_username", "chap-user")
                    .containsEntry("auth_password", secret);
            assertThat(info.toString()).doesNotContain(secret);
        }

        @Test
        @DisplayName("iscsi_portal overrides the portal the array reports")
        void portalOverride() {
            try (VolumeDriver overridden = fixture.openDriver(Map.of(SwordfishDriverProvider.ISCSI_PORTAL,
                    "192.0.2.10:3261"), context.context())) {
                Volume volume = overridden.createVolume(VolumeSpec.of("v-p", 1).inPool("GOLD"));
                assertThat(overridden.initializeConnection(volume, HOST).data())
                        .containsEntry("target_portal", "192.0.2.10:3261");
            }
        }

        @Test
        @DisplayName("a connector without an initiator name is refused")
        void noInitiator() {
            Volume volume = driver.createVolume(VolumeSpec.of("v-n", 1).inPool("GOLD"));
            Connector bare = new Connector("compute-2", Optional.empty(), Optional.empty(), false);
            assertThatThrownBy(() -> driver.initializeConnection(volume, bare))
                    .isInstanceOfSatisfying(CinderblockException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        }
    }

    @Nested
    @DisplayName("authentication")
    class Authentication {
        @Test
        @DisplayName("the session token is reused, renewed once after the array forgets it, and deleted on close")
        void sessionLifecycle() {
            driver.backendState();
            driver.collectStats();
            assertThat(fixture.array().logins()).isEqualTo(1);

            fixture.array().expireSessions();
            assertThat(driver.backendState().isUp()).isTrue();
            assertThat(fixture.array().logins()).isEqualTo(2);

            driver.close();
            assertThat(fixture.array().openSessions()).isZero();
            assertThat(fixture.array().deletedSessions()).isEqualTo(1);
        }

        @Test
        @DisplayName("threads probing and collecting at once share one session")
        void concurrentCallers() throws Exception {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
            try {
                List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    boolean probe = i % 2 == 0;
                    results.add(pool.submit(() -> probe ? driver.backendState().isUp()
                            : driver.collectStats().backendState() == BackendState.Status.UP));
                }
                for (java.util.concurrent.Future<Boolean> result : results) {
                    assertThat(result.get(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(fixture.array().logins()).isEqualTo(1);
        }

        @Test
        @DisplayName("basic auth sends credentials on each request and opens no session")
        void basic() {
            try (VolumeDriver basic = fixture.openDriver(Map.of(SwordfishDriverProvider.AUTH, "basic"), context.context())) {
                assertThat(basic.backendState().isUp()).isTrue();
                assertThat(basic.collectStats().pools()).hasSize(2);
            }
            assertThat(fixture.array().logins()).isZero();
        }

        @Test
        @DisplayName("wrong credentials are DOWN with a reason naming the user, never the password")
        void wrongPassword() {
            String wrongPassword = "wrong-" + java.util.UUID.randomUUID();
            try (VolumeDriver wrong = fixture.openDriver(Map.of(SwordfishDriverProvider.PASSWORD, wrongPassword),
                    context.context())) {
                BackendState state = wrong.backendState();
                assertThat(state.isUp()).isFalse();
                assertThat(state.reason()).contains("credentials rejected", "cinder-").doesNotContain(wrongPassword);
            }
        }

        @Test
        @DisplayName("neither the password nor a session token appears in any log line")
        void noSecretsInLogs() {
            driver.collectStats();
            fixture.array().expireSessions();
            driver.backendState();
            driver.close();

            assertThat(context.records().stream().map(Object::toString).toList()).isNotEmpty();
            String tokensSeen = fixture.server().getAllServeEvents().stream()
                    .map(e -> String.valueOf(e.getRequest().getHeader("X-Auth-Token")))
                    .filter(t -> !t.equals("null")).findFirst().orElseThrow();
            assertThat(context.records().stream().map(Object::toString).toList()).noneMatch(l -> l.contains(fixture.password()) || l.contains(tokensSeen));
        }
    }

    @Nested
    @DisplayName("bad input from the array")
    class BadInput {
        @Test
        @DisplayName("an oversized body is refused")
        void oversized() {
            try (VolumeDriver small = fixture.openDriver(Map.of(SwordfishDriverProvider.MAX_RESPONSE_BYTES, "2048"),
                    context.context())) {
                fixture.server().stubFor(get(urlPathEqualTo("/redfish/v1/Storage")).atPriority(1).willReturn(aResponse()
                        .withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"Members\": [], \"Padding\": \"" + "x".repeat(10_000) + "\"}")));
                assertThatThrownBy(small::collectStats).isInstanceOf(SwordfishProtocolException.class)
                        .hasMessageContaining("larger than 2048 bytes");
                assertThat(small.backendState().reason()).contains("larger than 2048 bytes");
            }
        }

        @Test
        @DisplayName("a redirect to another host is refused; one to the same host is followed")
        void redirects() {
            fixture.server().stubFor(get(urlPathEqualTo("/redfish/v1/Storage")).atPriority(1).willReturn(aResponse()
                    .withStatus(302).withHeader("Location", "http://127.0.0.2:9/redfish/v1/Storage")));
            assertThatThrownBy(driver::collectStats).isInstanceOf(SwordfishProtocolException.class)
                    .hasMessageContaining("another host").hasMessageContaining("127.0.0.2:9");

            fixture.heal();
            fixture.server().resetToDefaultMappings();
            fixture.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.any(
                    com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching("/redfish.*")).atPriority(10)
                    .willReturn(aResponse().withTransformers(SimulatedSwordfishArray.NAME)));
            fixture.server().stubFor(get(urlPathEqualTo("/redfish/v1/Storage")).atPriority(1).willReturn(aResponse()
                    .withStatus(301).withHeader("Location", "/redfish/v1/Storage/")));
            fixture.server().stubFor(get(urlPathEqualTo("/redfish/v1/Storage/")).atPriority(1).willReturn(aResponse()
                    .withStatus(200).withHeader("Content-Type", "application/json")
                    .withBody("{\"Members\": [{\"@odata.id\": \"/redfish/v1/Storage/S1\"}]}")));
            assertThat(driver.collectStats().pools()).hasSize(2);
        }
    }
}
