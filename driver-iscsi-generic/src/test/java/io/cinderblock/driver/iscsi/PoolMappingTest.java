package io.cinderblock.driver.iscsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.PoolStats;
import java.util.OptionalLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Swordfish StoragePool to Cinder pool mapping, on hand-written pool documents. */
class PoolMappingTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static PoolMapping.Result map(String json) throws Exception {
        JsonNode pool = MAPPER.readTree(json.replace('\'', '"'));
        String path = pool.path("@odata.id").asText();
        return PoolMapping.map(pool, path, Json.lastSegment(path), OptionalLong.of(3), OptionalLong.of(4L << 30), "S1");
    }

    @Test
    @DisplayName("AllocatedBytes is the total, ConsumedBytes the used part; bytes become GiB exactly; provisioned "
            + "is the sum of the volumes, not ProvisionedBytes")
    void allocated() throws Exception {
        PoolStats pool = map("{'@odata.id': '/p/A', 'Id': 'A', 'Capacity': {'Data': {'AllocatedBytes': 1610612736, "
                + "'ConsumedBytes': 536870912, 'ProvisionedBytes': 9663676416}}, 'RemainingCapacityPercent': 66.7}")
                .pool();
        assertThat(pool.poolName()).isEqualTo("A");
        assertThat(pool.totalCapacity()).isEqualTo(Capacity.ofGib(1.5));
        assertThat(pool.freeCapacity()).isEqualTo(Capacity.ofGib(1.0));
        assertThat(pool.provisionedCapacityGib()).hasValue(4.0);
        assertThat(pool.totalVolumes()).hasValue(3);
        assertThat(pool.thickProvisioningSupport()).isTrue();
        assertThat(pool.locationInfo()).hasValue("swordfish:S1:A");
    }

    @Test
    @DisplayName("ProvisionedBytes is the total where the array fills in only that; thin from IsThinProvisioned")
    void provisionedOnly() throws Exception {
        PoolStats pool = map("{'@odata.id': '/p/B', 'Capacity': {'Data': {'ProvisionedBytes': 2147483648, "
                + "'ConsumedBytes': 0}, 'IsThinProvisioned': true}}").pool();
        assertThat(pool.poolName()).isEqualTo("B");
        assertThat(pool.totalCapacity()).isEqualTo(Capacity.ofGib(2));
        assertThat(pool.freeCapacity()).isEqualTo(Capacity.ofGib(2));
        assertThat(pool.thinProvisioningSupport()).isTrue();
        assertThat(pool.thickProvisioningSupport()).isFalse();
    }

    @Test
    @DisplayName("a RemainingCapacityPercent that contradicts the bytes makes free capacity unknown, with a warning")
    void crossCheck() throws Exception {
        PoolMapping.Result result = map("{'@odata.id': '/p/C', 'Capacity': {'Data': {'AllocatedBytes': 1073741824, "
                + "'ConsumedBytes': 536870912}}, 'RemainingCapacityPercent': 90}");
        assertThat(result.pool().freeCapacity()).isEqualTo(Capacity.UNKNOWN);
        assertThat(result.pool().totalCapacity()).isEqualTo(Capacity.ofGib(1));
        assertThat(result.warnings()).singleElement().asString().contains("RemainingCapacityPercent 90.0", "50.0");
    }

    @Test
    @DisplayName("without ConsumedBytes, free comes from RemainingCapacityPercent; without sizes, all is unknown")
    void fallbacks() throws Exception {
        assertThat(map("{'@odata.id': '/p/D', 'Capacity': {'Data': {'AllocatedBytes': 4294967296}}, "
                + "'RemainingCapacityPercent': 25}").pool().freeCapacity()).isEqualTo(Capacity.ofGib(1));
        PoolStats unknown = map("{'@odata.id': '/p/E'}").pool();
        assertThat(unknown.totalCapacity()).isEqualTo(Capacity.UNKNOWN);
        assertThat(unknown.freeCapacity()).isEqualTo(Capacity.UNKNOWN);
    }

    @Test
    @DisplayName("ConsumedBytes above the total is not trusted")
    void overConsumed() throws Exception {
        PoolMapping.Result result = map("{'@odata.id': '/p/F', 'Capacity': {'Data': {'AllocatedBytes': 10, "
                + "'ConsumedBytes': 20}}}");
        assertThat(result.pool().freeCapacity()).isEqualTo(Capacity.UNKNOWN);
        assertThat(result.warnings()).hasSize(1);
    }

    @Test
    @DisplayName("SupportedProvisioningPolicies decides thin and thick")
    void policies() throws Exception {
        PoolStats both = map("{'@odata.id': '/p/G', 'SupportedProvisioningPolicies': ['Thick', 'Thin']}").pool();
        assertThat(both.thinProvisioningSupport()).isTrue();
        assertThat(both.thickProvisioningSupport()).isTrue();
    }

    @Test
    @DisplayName("Swordfish's Fixed is thick provisioning (SNIA mockups: ['Fixed', 'Thin'])")
    void fixedIsThick() throws Exception {
        PoolStats both = map("{'@odata.id': '/p/G', 'SupportedProvisioningPolicies': ['Fixed', 'Thin']}").pool();
        assertThat(both.thinProvisioningSupport()).isTrue();
        assertThat(both.thickProvisioningSupport()).isTrue();
        PoolStats fixed = map("{'@odata.id': '/p/G', 'SupportedProvisioningPolicies': ['Fixed']}").pool();
        assertThat(fixed.thinProvisioningSupport()).isFalse();
        assertThat(fixed.thickProvisioningSupport()).isTrue();
    }

    @Test
    @DisplayName("the pool is named by its URI segment, not by an Id that differs from it")
    void idFromUri() throws Exception {
        PoolStats pool = map("{'@odata.id': '/redfish/v1/Storage/1/StoragePools/P1', 'Id': '1'}").pool();
        assertThat(pool.poolName()).isEqualTo("P1");
        assertThat(pool.locationInfo()).hasValue("swordfish:S1:P1");
    }

    @Test
    @DisplayName("a Disabled or Critical pool reports no free capacity and says why; Warning and no Status are usable")
    void poolStatus() throws Exception {
        String capacity = "'Capacity': {'Data': {'AllocatedBytes': 4294967296, 'ConsumedBytes': 0}}";
        PoolMapping.Result disabled = map("{'@odata.id': '/p/X', " + capacity
                + ", 'Status': {'State': 'Disabled', 'Health': 'OK'}}");
        assertThat(disabled.pool().freeCapacity()).isEqualTo(Capacity.ofGib(0));
        assertThat(disabled.pool().extraCapabilities()).containsEntry("swordfish_pool_status",
                "is in State 'Disabled', not Enabled");
        assertThat(disabled.warnings()).singleElement().asString().contains("pool 'X'", "Disabled");
        PoolMapping.Result critical = map("{'@odata.id': '/p/X', " + capacity
                + ", 'Status': {'State': 'Enabled', 'Health': 'Critical'}}");
        assertThat(critical.pool().freeCapacity()).isEqualTo(Capacity.ofGib(0));
        assertThat(critical.pool().extraCapabilities()).containsEntry("swordfish_pool_status",
                "reports Health 'Critical'");
        PoolMapping.Result warning = map("{'@odata.id': '/p/X', " + capacity
                + ", 'Status': {'State': 'Enabled', 'Health': 'Warning'}}");
        assertThat(warning.pool().freeCapacity()).isEqualTo(Capacity.ofGib(4));
        assertThat(warning.pool().extraCapabilities()).isEmpty();
        assertThat(map("{'@odata.id': '/p/X', " + capacity + "}").pool().freeCapacity()).isEqualTo(Capacity.ofGib(4));
    }

    @Test
    @DisplayName("a field of the wrong type is a typed error naming the field")
    void wrongType() {
        assertThatThrownBy(() -> map("{'@odata.id': '/p/H', 'Capacity': {'Data': {'AllocatedBytes': 'lots'}}}"))
                .isInstanceOfSatisfying(SwordfishProtocolException.class,
                        e -> assertThat(e.field()).hasValue("Capacity.Data.AllocatedBytes"));
    }
}
