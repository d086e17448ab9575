package io.cinderblock.driver.snmp;

import io.cinderblock.tck.DeviceFault;
import io.cinderblock.tck.TckFixture;
import io.cinderblock.tck.VolumeDriverConformanceKit;
import java.time.Duration;

/**
 * The conformance kit against a <b>simulated</b> array: {@link SimulatedArrayAgent}, the in-JVM
 * snmp4j-agent agent implementing the example array MIB, read and written through the {@code
 * example-array} profile over SNMP v2c. The profile has a writable volume table, so the backend
 * offers {@code create_volume} and {@code extend_volume} and the kit's provisioning tests run
 * (create, idempotent delete, extend, a volume larger than the pool's free space, free capacity
 * following volumes). The device-level fault is the array's health scalar set to failed(3),
 * healed with ok(1).
 */
class SimulatedArrayConformanceTest extends VolumeDriverConformanceKit {

    @Override
    protected TckFixture fixture() {
        SimulatedArrayAgent array = SimulatedArrayAgent.start();
        try {
            return TckFixture.forDriver(SnmpArrayDriverProvider.DRIVER_ID)
                    .backendName("tck-snmp-simulated-array")
                    .config(array.config()) // snmp_timeout 1s, 1 retry
                    .deviceFault(DeviceFault.of("array health failed(3)", () -> array.setHealth(3),
                            () -> array.setHealth(1)))
                    // Below the 1 s per-request timeout: slow, but every answer arrives in time.
                    .slowLatency(Duration.ofMillis(300))
                    .closeAfterRun(array)
                    .build();
        } catch (RuntimeException | Error e) {
            array.close();
            throw e;
        }
    }
}
