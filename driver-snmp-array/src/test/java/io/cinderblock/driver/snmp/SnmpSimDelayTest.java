package io.cinderblock.driver.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.spi.BackendState;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Delayed and dropped answers, from snmpsim's {@code delay} variation on recorded data (not a real
 * array). Its own snmpsim instance, since a delay blocks snmpsim's only thread.
 */
@DisplayName("snmp-array against snmpsim with delayed and dropped answers (recorded data)")
class SnmpSimDelayTest {
    private static SnmpSimAgent snmpsim;

    @BeforeAll
    static void start() {
        snmpsim = SnmpSimAgent.start("array", "array-slow", "array-dropped");
    }

    @AfterAll
    static void stop() {
        if (snmpsim != null) {
            snmpsim.close();
        }
    }

    @Test
    @DisplayName("answers delayed within the timeout: UP")
    void slowButInTime() {
        Map<String, String> options = snmpsim.config("array-slow", Profiles.EXAMPLE_ARRAY);
        options.put("snmp_timeout", "2s");
        try (SnmpArrayDriver driver = SnmpTestSupport.open(options)) {
            BackendState state = driver.backendState();
            assertThat(state.status()).as(state.reason()).isEqualTo(BackendState.Status.UP);
        }
    }

    @Test
    @DisplayName("answers dropped (delayed past timeout x tries): DOWN timeout within stateDeadline; stats throw")
    void dropped() throws Exception {
        Map<String, String> options = snmpsim.config("array-dropped", Profiles.EXAMPLE_ARRAY);
        options.put("snmp_timeout", "400ms");
        options.put("snmp_retries", "1");
        try (SnmpArrayDriver driver = SnmpTestSupport.open(options)) {
            long start = System.nanoTime();
            BackendState state = driver.backendState();
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
            assertThat(state.reason()).startsWith("SNMP timeout");
            assertThat(elapsed).isLessThanOrEqualTo(driver.stateDeadline().toMillis());
            assertThatThrownBy(driver::collectStats).isInstanceOf(DeviceUnavailableException.class);
        }
        // Let snmpsim work off the delayed requests before the next test or the shutdown.
        Thread.sleep(3000);
        Map<String, String> healthy = snmpsim.config("array", Profiles.EXAMPLE_ARRAY);
        healthy.put("snmp_timeout", "3s");
        try (SnmpArrayDriver driver = SnmpTestSupport.open(healthy)) {
            assertThat(driver.backendState().isUp()).isTrue();
        }
    }
}
