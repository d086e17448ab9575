package io.cinderblock.driver.snmp;

import io.cinderblock.tck.DeviceFault;
import io.cinderblock.tck.TckFixture;
import io.cinderblock.tck.VolumeDriverConformanceKit;
import java.time.Duration;
import java.util.Map;

/**
 * The conformance kit against the real net-snmp {@code snmpd} ({@link NetSnmpAgent}: private
 * config, generated v3 keys), read through the monitoring profile {@code host-resources} over SNMP
 * v3 authPriv (SHA-256 / AES-128), so that the kit's UDP fault proxy also carries USM engine
 * discovery and encrypted traffic.
 *
 * <p>A monitoring profile has no volume table, so {@code capabilities()} is empty: the kit tests
 * stats, state, faults (through its UDP proxy: refuse, stall, slow; reset does not exist for UDP)
 * and secrets, and checks that provisioning is refused as "not supported" (CAP-1). The device-level
 * fault is the agent stopped with SIGSTOP (its socket stays open, it just never answers, as a hung
 * array does), healed with SIGCONT.
 */
class NetSnmpConformanceTest extends VolumeDriverConformanceKit {

    @Override
    protected TckFixture fixture() {
        NetSnmpAgent agent = NetSnmpAgent.start();
        try {
            Map<String, String> config = agent.v3Config(Profiles.HOST_RESOURCES); // snmp_timeout 1s, 1 retry
            return TckFixture.forDriver(SnmpArrayDriverProvider.DRIVER_ID)
                    .backendName("tck-snmp-net-snmp")
                    .config(config)
                    .deviceFault(DeviceFault.of("snmpd stopped (SIGSTOP)", agent::pause, agent::resume))
                    // Below the 1 s per-request timeout: slow, but every answer arrives in time.
                    .slowLatency(Duration.ofMillis(300))
                    .closeAfterRun(agent)
                    .build();
        } catch (RuntimeException | Error e) {
            agent.close();
            throw e;
        }
    }
}
