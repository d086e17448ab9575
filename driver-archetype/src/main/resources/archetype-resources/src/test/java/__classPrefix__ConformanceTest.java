package ${package};

import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.tck.DeviceFault;
import io.cinderblock.tck.DeviceUnderTest;
import io.cinderblock.tck.TckFixture;
import io.cinderblock.tck.VolumeDriverConformanceKit;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;

/**
 * The cinderblock conformance kit run on this driver, against the SIMULATED array of
 * {@link Simulated${classPrefix}Array}. Every requirement must pass; {@code mvn verify} then checks that
 * every one was counted (tck/KitRunCheck).
 *
 * <p>To certify against a real array, copy this class and return a fixture whose configuration
 * reaches it, with device-fault hooks that really break and heal it (or leave them out: FAULT-8 is
 * then skipped, and reported as such).
 *
 * <p>The display name is the driver id: Surefire names this class's suite in its XML report with it
 * (see the Surefire configuration in pom.xml), so a CI server tells this driver's run from another's.
 */
@DisplayName("${driverId}")
class ${classPrefix}ConformanceTest extends VolumeDriverConformanceKit {

    @Override
    protected TckFixture fixture() {
        Simulated${classPrefix}Array array = Simulated${classPrefix}Array.start();
        return TckFixture.forDriver(${classPrefix}DriverProvider.DRIVER_ID)   // found with ServiceLoader
                .backendName("tck-${driverId}")
                .config(array.driverConfig())
                .device(DeviceUnderTest.simulated("Simulated${classPrefix}Array (in-process)"))   // reports say so
                .deviceFault(DeviceFault.of("simulated controller failed",
                        () -> array.failController("simulated controller A failed"), array::repair))
                // What you mean to offer; CAP-3 fails if the driver declares or offers otherwise.
                .expectCapabilities(Set.of(Capability.CREATE_VOLUME, Capability.EXTEND_VOLUME))
                .closeAfterRun(array)
                .build();
    }
}
