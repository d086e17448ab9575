package io.cinderblock.tck;

/**
 * The embedded entry point, as a vendor uses it: the kit against driver-sim (a SIMULATED array,
 * the known-good driver) with default timeouts. Every test must pass.
 */
class SimulatedArrayKitTest extends VolumeDriverConformanceKit {

    @Override
    protected TckFixture fixture() {
        SimDevice device = SimDevice.start();
        return device.fixture().expectCapabilities(java.util.EnumSet.allOf(io.cinderblock.sdk.spi.Capability.class))
                .closeAfterRun(device).build();
    }
}
