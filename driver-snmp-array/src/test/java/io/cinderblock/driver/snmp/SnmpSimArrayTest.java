package io.cinderblock.driver.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.PoolStats;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The driver against snmpsim serving recorded agent data (not a real array): the {@code
 * example-array} profile on a healthy recording and on its fault variations, and HOST-RESOURCES
 * recordings with a wrapped 32-bit counter and a failed disk.
 */
@DisplayName("snmp-array against snmpsim serving recorded (simulated) agent data")
class SnmpSimArrayTest {
    private static SnmpSimAgent snmpsim;

    @BeforeAll
    static void start() {
        snmpsim = SnmpSimAgent.start("array", "array-health-failed", "array-health-bogus", "array-health-missing",
                "array-health-null", "array-wrong-type", "array-negative", "array-absurd", "array-truncated",
                "array-inconsistent", "host-wrapped", "host-disk-down");
    }

    @AfterAll
    static void stop() {
        if (snmpsim != null) {
            snmpsim.close();
        }
    }

    @Test
    @DisplayName("healthy recording: UP, pools in GiB from MiB Counter64 columns, provisioning declared")
    void healthyArray() {
        try (SnmpArrayDriver driver = SnmpTestSupport.open(snmpsim.config("array", Profiles.EXAMPLE_ARRAY))) {
            BackendState state = driver.backendState();
            assertThat(state.status()).as(state.reason()).isEqualTo(BackendState.Status.UP);
            BackendStats stats = driver.collectStats();
            assertThat(stats.backendState()).isEqualTo(BackendState.Status.UP);
            assertThat(stats.pools()).extracting(PoolStats::poolName).containsExactly("gold", "silver");
            PoolStats gold = stats.pools().get(0);
            assertThat(gold.totalCapacity()).isEqualTo(Capacity.ofGib(10240));
            assertThat(gold.freeCapacity()).isEqualTo(Capacity.ofGib(4096));
            assertThat(stats.toCinderMap()).containsEntry("total_capacity_gb", 12288.0)
                    .containsEntry("storage_protocol", "iSCSI").containsEntry("backend_state", "up");
            assertThat(driver.capabilities()).isNotEmpty();
        }
    }

    @Test
    @DisplayName("DOWN: the health OID says failed; stats carry backend_state down")
    void healthFailed() {
        try (SnmpArrayDriver driver = SnmpTestSupport.open(
                snmpsim.config("array-health-failed", Profiles.EXAMPLE_ARRAY))) {
            BackendState state = driver.backendState();
            assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
            assertThat(state.reason()).startsWith("Health failed").contains("3 (failed)")
                    .contains("1.3.6.1.4.1.32473.1.1.0");
            assertThat(driver.collectStats().backendState()).isEqualTo(BackendState.Status.DOWN);
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "array-health-bogus|lists neither as OK",
        "array-health-missing|NoSuchInstance",
        "array-health-null|Null",
        "array-wrong-type|expects a number",
        "array-negative|negative free capacity",
        "array-absurd|absurd total capacity",
        "array-truncated|truncated table",
        "array-inconsistent|inconsistent capacities",
    })
    @DisplayName("DOWN: malformed or out-of-range reply, with a typed error from collectStats")
    void malformedReplies(String recording, String expected) {
        try (SnmpArrayDriver driver = SnmpTestSupport.open(snmpsim.config(recording, Profiles.EXAMPLE_ARRAY))) {
            BackendState state = driver.backendState();
            assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
            assertThat(state.reason()).startsWith("Malformed or out-of-range reply").contains(expected);
            assertThatThrownBy(driver::collectStats).isInstanceOf(MalformedReplyException.class)
                    .hasMessageContaining(expected);
        }
    }

    @Test
    @DisplayName("a wrapped 32-bit hrStorageSize is reported as unknown, never as a wrong number; still UP")
    void wrappedCounterIsUnknown() {
        Map<String, String> options = snmpsim.config("host-wrapped", Profiles.HOST_RESOURCES);
        try (SnmpArrayDriver driver = SnmpTestSupport.open(options)) {
            BackendStats stats = driver.collectStats();
            PoolStats root = stats.pools().get(0);
            PoolStats huge = stats.pools().get(1);
            assertThat(root.poolName()).isEqualTo("/");
            assertThat(root.totalCapacity().gib() * (1L << 30)).isEqualTo(66053021d * 4096);
            assertThat(huge.poolName()).isEqualTo("/srv/huge");
            assertThat(huge.totalCapacity()).isEqualTo(Capacity.UNKNOWN);
            assertThat(huge.freeCapacity()).isEqualTo(Capacity.UNKNOWN);
            assertThat(huge.extraCapabilities().get("capacity_unknown_reason").toString()).contains("wrapped");
            assertThat(stats.toCinderMap()).containsEntry("total_capacity_gb", "unknown");
            // The network interface that is down is not a storage device: still UP.
            assertThat(driver.backendState().isUp()).isTrue();
        }
    }

    @Test
    @DisplayName("DOWN: hrDeviceStatus of a disk says down(5)")
    void diskDown() {
        try (SnmpArrayDriver driver = SnmpTestSupport.open(snmpsim.config("host-disk-down", Profiles.HOST_RESOURCES))) {
            BackendState state = driver.backendState();
            assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
            assertThat(state.reason()).contains("5 (down)").contains("1.3.6.1.2.1.25.3.2.1.5.393216");
        }
    }
}
