package io.cinderblock.sdk.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PoolStats: the invariants Cinder's scheduler relies on")
class PoolStatsTest {
    private static PoolStats.Builder pool() {
        return PoolStats.builder("p").totalCapacity(Capacity.ofGib(10)).freeCapacity(Capacity.ofGib(5));
    }

    @Test
    @DisplayName("free never exceeds total")
    void freeExceedsTotal() {
        assertThatThrownBy(() -> pool().freeCapacity(Capacity.ofGib(11)).build())
                .hasMessageContaining("Pool 'p'").hasMessageContaining("free_capacity_gb 11.0 exceeds total_capacity_gb 10.0");
        assertThat(pool().freeCapacity(Capacity.INFINITE).build().freeCapacity()).isEqualTo(Capacity.INFINITE);
        assertThat(pool().totalCapacity(Capacity.UNKNOWN).freeCapacity(Capacity.ofGib(99)).build()).isNotNull();
    }

    @Test
    @DisplayName("each numeric key is range-checked and named")
    void ranges() {
        assertThatThrownBy(() -> pool().reservedPercentage(101).build()).hasMessageContaining("reserved_percentage")
                .hasMessageContaining("101");
        assertThatThrownBy(() -> pool().reservedPercentage(-1).build()).hasMessageContaining("reserved_percentage");
        assertThatThrownBy(() -> pool().maxOverSubscriptionRatio(0.5).build())
                .hasMessageContaining("max_over_subscription_ratio must be >= 1, got 0.5");
        assertThatThrownBy(() -> pool().provisionedCapacityGib(-1).build()).hasMessageContaining("provisioned_capacity_gb");
        assertThatThrownBy(() -> pool().allocatedCapacityGib(Double.NaN).build()).hasMessageContaining("allocated_capacity_gb");
        assertThatThrownBy(() -> pool().totalVolumes(-3).build()).hasMessageContaining("total_volumes must be >= 0, got -3");
        assertThatThrownBy(() -> pool().thickProvisioningSupport(false).build())
                .hasMessageContaining("neither thin nor thick");
    }

    @Test
    @DisplayName("pool names are non-blank and free of '#' and '@'")
    void names() {
        assertThatThrownBy(() -> PoolStats.builder(" ").build()).hasMessageContaining("pool_name");
        assertThatThrownBy(() -> PoolStats.builder("a#b").build()).hasMessageContaining("'a#b'");
        assertThatThrownBy(() -> PoolStats.builder("a@b").build()).hasMessageContaining("'a@b'");
    }

    @Test
    @DisplayName("extra capabilities are scalar and may not shadow a modelled key")
    void extras() {
        assertThatThrownBy(() -> pool().extraCapability("total_capacity_gb", 3).build())
                .hasMessageContaining("'total_capacity_gb' shadows a modelled key");
        assertThatThrownBy(() -> pool().extraCapability("list", List.of(1)).build())
                .hasMessageContaining("'list' must be a string, number, boolean or null");
        assertThatThrownBy(() -> pool().extraCapability(" ", 1).build()).hasMessageContaining("blank key");
        PoolStats ok = pool().extraCapability("vendor:compression", true).extraCapability("note", null).build();
        assertThat(ok.extraCapabilities()).containsEntry("vendor:compression", true).containsEntry("note", null);
        assertThatThrownBy(() -> ok.extraCapabilities().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    @DisplayName("round-trips through Cinder's pool dictionary")
    void roundTrip() {
        PoolStats full = pool().reservedPercentage(5).provisionedCapacityGib(7).allocatedCapacityGib(6)
                .maxOverSubscriptionRatio(20).thinProvisioningSupport(true).thickProvisioningSupport(false)
                .totalVolumes(3).multiattach(true).qosSupport(true).locationInfo("lvm:host:vg")
                .extraCapability("vendor:dedupe", "on").build();
        assertThat(PoolStats.fromCinderMap(full.toCinderMap())).isEqualTo(full);
        assertThat(full.toBuilder().build()).isEqualTo(full);
    }

    @Test
    @DisplayName("reads Cinder's defaults and its string spellings")
    void readsCinderDefaults() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("pool_name", "p");
        map.put("total_capacity_gb", "infinite");
        map.put("free_capacity_gb", "unknown");
        map.put("thin_provisioning_support", "True");
        map.put("reserved_percentage", "10");
        PoolStats pool = PoolStats.fromCinderMap(map);
        assertThat(pool.totalCapacity()).isEqualTo(Capacity.INFINITE);
        assertThat(pool.freeCapacity()).isEqualTo(Capacity.UNKNOWN);
        assertThat(pool.thinProvisioningSupport()).isTrue();
        assertThat(pool.thickProvisioningSupport()).as("thick defaults to 'not thin'").isFalse();
        assertThat(pool.reservedPercentage()).isEqualTo(10);

        map.remove("free_capacity_gb");
        assertThatThrownBy(() -> PoolStats.fromCinderMap(map)).hasMessageContaining("Missing key 'free_capacity_gb'");
        map.put("free_capacity_gb", 1);
        map.put("total_volumes", 2.5);
        assertThatThrownBy(() -> PoolStats.fromCinderMap(map)).hasMessageContaining("'total_volumes' must be a whole number");
        map.put("total_volumes", 2);
        map.put("multiattach", "maybe");
        assertThatThrownBy(() -> PoolStats.fromCinderMap(map)).hasMessageContaining("'multiattach' must be a boolean");
    }

    @Test
    @DisplayName("refusals say which rule and which Cinder key, so tools need not read messages")
    void typedRefusals() {
        assertThatThrownBy(() -> pool().freeCapacity(Capacity.ofGib(11)).build())
                .isInstanceOfSatisfying(InvalidStatsException.class, e -> {
                    assertThat(e.rule()).isEqualTo(InvalidStatsException.Rule.FREE_WITHIN_TOTAL);
                    assertThat(e.key()).isEqualTo("free_capacity_gb");
                });
        assertThatThrownBy(() -> pool().reservedPercentage(-1).build())
                .isInstanceOfSatisfying(InvalidStatsException.class,
                        e -> assertThat(e.rule()).isEqualTo(InvalidStatsException.Rule.RANGE));
        assertThatThrownBy(() -> pool().thickProvisioningSupport(false).thinProvisioningSupport(false).build())
                .isInstanceOfSatisfying(InvalidStatsException.class,
                        e -> assertThat(e.rule()).isEqualTo(InvalidStatsException.Rule.PROVISIONING_TYPE));
        assertThatThrownBy(() -> Capacity.ofGib(-1))
                .isInstanceOfSatisfying(InvalidStatsException.class,
                        e -> assertThat(e.rule()).isEqualTo(InvalidStatsException.Rule.NON_NEGATIVE));
        Map<String, Object> noFree = new LinkedHashMap<>();
        noFree.put("pool_name", "p");
        noFree.put("total_capacity_gb", 10);
        assertThatThrownBy(() -> PoolStats.fromCinderMap(noFree))
                .isInstanceOfSatisfying(InvalidStatsException.class, e -> {
                    assertThat(e.rule()).isEqualTo(InvalidStatsException.Rule.REQUIRED);
                    assertThat(e.key()).isEqualTo("free_capacity_gb");
                });
        Map<String, Object> badFree = new LinkedHashMap<>(noFree);
        badFree.put("free_capacity_gb", "lots");
        assertThatThrownBy(() -> PoolStats.fromCinderMap(badFree))
                .isInstanceOfSatisfying(InvalidStatsException.class, e -> {
                    assertThat(e.rule()).isEqualTo(InvalidStatsException.Rule.FORMAT);
                    assertThat(e.key()).isEqualTo("free_capacity_gb");
                });
    }
}
