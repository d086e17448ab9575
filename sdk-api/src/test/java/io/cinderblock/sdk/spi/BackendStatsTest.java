package io.cinderblock.sdk.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("BackendStats: validation and Cinder's stats dictionary")
class BackendStatsTest {
    private static final Instant AT = Instant.parse("2026-11-26T10:00:00Z");

    private static BackendStats.Builder stats() {
        return BackendStats.builder().backendName("lvm-1").vendorName("Open Source").driverVersion("1.0")
                .storageProtocol(StorageProtocol.ISCSI).collectedAt(AT);
    }

    private static PoolStats pool(String name, double total, double free) {
        return PoolStats.builder(name).totalCapacity(Capacity.ofGib(total)).freeCapacity(Capacity.ofGib(free)).build();
    }

    @Test
    @DisplayName("names the missing or blank backend-level key")
    void validation() {
        assertThatThrownBy(() -> stats().pool(pool("a", 1, 1)).backendName(null).build())
                .hasMessageContaining("volume_backend_name is null");
        assertThatThrownBy(() -> stats().pool(pool("a", 1, 1)).vendorName(" ").build())
                .hasMessageContaining("vendor_name is blank");
        assertThatThrownBy(() -> stats().build()).hasMessageContaining("Backend 'lvm-1' reports no pool");
        assertThatThrownBy(() -> stats().pool(pool("a", 1, 1)).pool(pool("a", 2, 2)).build())
                .hasMessageContaining("pool 'a' twice");
        assertThatThrownBy(() -> stats().pool(pool("a", 1, 1)).backendState(null).build())
                .hasMessageContaining("backendState is null");
        assertThatThrownBy(() -> stats().pool(pool("a", 1, 1)).extraCapability("pools", "x").build())
                .hasMessageContaining("'pools' shadows");
    }

    @Test
    @DisplayName("defaults to up and sums the pools' capacities")
    void defaultsAndSums() {
        BackendStats stats = stats().pool(pool("a", 10, 4)).pool(pool("b", 5, 1)).build();
        assertThat(stats.backendState()).isEqualTo(BackendState.Status.UP);
        assertThat(stats.totalCapacity()).isEqualTo(Capacity.ofGib(15));
        assertThat(stats.freeCapacity()).isEqualTo(Capacity.ofGib(5));
        assertThat(stats.withBackendState(BackendState.Status.DOWN).backendState()).isEqualTo(BackendState.Status.DOWN);
    }

    @Test
    @DisplayName("writes Cinder's keys, backend_state always included")
    void toCinderMap() {
        BackendStats stats = stats().pool(pool("a", 10, 4)).backendState(BackendState.Status.DOWN)
                .extraCapability("filter_function", "capabilities.total_volumes < 10").build();
        Map<String, Object> map = stats.toCinderMap();
        assertThat(map).containsEntry("volume_backend_name", "lvm-1").containsEntry("storage_protocol", "iSCSI")
                .containsEntry("total_capacity_gb", 10.0).containsEntry("free_capacity_gb", 4.0)
                .containsEntry("backend_state", "down")
                .containsEntry("filter_function", "capabilities.total_volumes < 10");
        assertThat(map.get("pools")).isEqualTo(List.of(stats.pools().get(0).toCinderMap()));
    }

    @Test
    @DisplayName("round-trips, infinite and unknown capacities included")
    void roundTrip() {
        BackendStats stats = stats()
                .pool(PoolStats.builder("thin").totalCapacity(Capacity.INFINITE).freeCapacity(Capacity.INFINITE)
                        .thinProvisioningSupport(true).thickProvisioningSupport(false).maxOverSubscriptionRatio(20)
                        .build())
                .pool(PoolStats.builder("mystery").totalCapacity(Capacity.UNKNOWN).freeCapacity(Capacity.UNKNOWN).build())
                .pool(pool("plain", 100, 40))
                .backendState(BackendState.Status.DOWN)
                .extraCapability("goodness_function", "100")
                .build();
        Map<String, Object> map = stats.toCinderMap();
        assertThat(map).containsEntry("total_capacity_gb", "unknown").containsEntry("free_capacity_gb", "unknown");
        assertThat(BackendStats.fromCinderMap(map, AT)).isEqualTo(stats);
    }

    @Test
    @DisplayName("a dictionary without backend_state reads as up")
    void missingStateIsUp() {
        Map<String, Object> map = stats().pool(pool("a", 10, 4)).backendState(BackendState.Status.DOWN).build()
                .toCinderMap();
        map.remove("backend_state");
        assertThat(BackendStats.fromCinderMap(map, AT).backendState()).isEqualTo(BackendState.Status.UP);
        map.put("backend_state", "sideways");
        assertThatThrownBy(() -> BackendStats.fromCinderMap(map, AT))
                .hasMessageContaining("'backend_state' must be 'up' or 'down', got 'sideways'");
        map.put("backend_state", "DOWN");
        assertThat(BackendStats.fromCinderMap(map, AT).backendState()).isEqualTo(BackendState.Status.DOWN);
    }

    @Test
    @DisplayName("a dictionary without pools is one pool named after the backend, as Cinder's scheduler reads it")
    void noPools() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("volume_backend_name", "legacy");
        map.put("vendor_name", "Acme");
        map.put("driver_version", "2.1");
        map.put("storage_protocol", "iSCSI");
        map.put("total_capacity_gb", "infinite");
        map.put("free_capacity_gb", 42);
        map.put("reserved_percentage", 5);
        map.put("thin_provisioning_support", true);
        map.put("QoS_support", false);

        BackendStats stats = BackendStats.fromCinderMap(map, AT);
        assertThat(stats.backendName()).isEqualTo("legacy");
        assertThat(stats.backendState()).isEqualTo(BackendState.Status.UP);
        assertThat(stats.collectedAt()).isEqualTo(AT);
        assertThat(stats.pools()).singleElement().satisfies(pool -> {
            assertThat(pool.poolName()).isEqualTo("legacy");
            assertThat(pool.totalCapacity()).isEqualTo(Capacity.INFINITE);
            assertThat(pool.freeCapacity()).isEqualTo(Capacity.ofGib(42));
            assertThat(pool.reservedPercentage()).isEqualTo(5);
            assertThat(pool.thinProvisioningSupport()).isTrue();
        });
    }

    @Test
    @DisplayName("names the missing or malformed key when reading")
    void readErrors() {
        Map<String, Object> map = new LinkedHashMap<>(stats().pool(pool("a", 1, 1)).build().toCinderMap());
        map.remove("vendor_name");
        assertThatThrownBy(() -> BackendStats.fromCinderMap(map, AT)).hasMessageContaining("Missing key 'vendor_name'");
        map.put("vendor_name", "x");
        map.put("pools", "not a list");
        assertThatThrownBy(() -> BackendStats.fromCinderMap(map, AT)).hasMessageContaining("'pools' must be a list");
        map.put("pools", List.of("not a dict"));
        assertThatThrownBy(() -> BackendStats.fromCinderMap(map, AT)).hasMessageContaining("must be a dictionary");
    }

    @Test
    @DisplayName("toBuilder copies every value, and pools(...) replaces the pools")
    void toBuilderCopies() {
        BackendStats stats = BackendStats.builder().backendName("b").vendorName("v").driverVersion("1")
                .storageProtocol(StorageProtocol.ISCSI).backendState(BackendState.Status.DOWN)
                .extraCapability("filter_function", "true").collectedAt(java.time.Instant.EPOCH)
                .pool(PoolStats.builder("p").totalCapacity(Capacity.ofGib(10)).freeCapacity(Capacity.ofGib(4)).build())
                .build();

        assertThat(stats.toBuilder().build()).isEqualTo(stats);
        BackendStats renamed = stats.toBuilder()
                .pools(java.util.List.of(PoolStats.builder("q").totalCapacity(Capacity.INFINITE).build()))
                .build();
        assertThat(renamed.pools()).extracting(PoolStats::poolName).containsExactly("q");
        assertThat(renamed.backendState()).isEqualTo(BackendState.Status.DOWN);
        assertThat(stats.withBackendState(BackendState.Status.UP).pools()).isEqualTo(stats.pools());
    }
}
