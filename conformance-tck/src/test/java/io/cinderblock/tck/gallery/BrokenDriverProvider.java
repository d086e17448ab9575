package io.cinderblock.tck.gallery;

import io.cinderblock.driver.sim.SimulatedArrayDriverProvider;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A driver of the gallery: the correct SIMULATED-array driver with exactly one defect. Subclasses
 * may change the descriptor ({@link #descriptor(DriverDescriptor)}), the options given to the sim
 * driver ({@link #simOptions}), and the opened driver ({@link #wrap}).
 */
abstract class BrokenDriverProvider implements VolumeDriverProvider {
    private final SimulatedArrayDriverProvider sim = new SimulatedArrayDriverProvider();
    private DriverDescriptor descriptor;

    /** The requirement the defect breaks. */
    abstract String breaks();

    /**
     * Other requirements the same defect honestly breaks too (the kit reports them; the gallery
     * asserts the exact set). Empty by default: one defect, one red requirement.
     */
    Set<String> alsoFails() {
        return Set.of();
    }

    /** The fixture for this driver; the sim device's, unchanged, by default. */
    io.cinderblock.tck.TckFixture.Builder fixture(io.cinderblock.tck.TckFixture.Builder simFixture) {
        return simFixture;
    }

    /** The descriptor; the sim's by default. */
    DriverDescriptor descriptor(DriverDescriptor simDescriptor) {
        return simDescriptor;
    }

    /** The sim options derived from this driver's configuration; the same by default. */
    Map<String, String> simOptions(DriverConfig config, Map<String, String> options) {
        return options;
    }

    /** The broken driver around the correct one. */
    abstract VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context);

    @Override
    public synchronized DriverDescriptor descriptor() {
        if (descriptor == null) {
            descriptor = descriptor(sim.descriptor());
        }
        return descriptor;
    }

    @Override
    public final VolumeDriver open(DriverConfig config, DriverContext context) {
        Map<String, String> options = new LinkedHashMap<>();
        for (ConfigOption option : sim.descriptor().options()) {
            config.optionalString(option.name()).ifPresent(value -> options.put(option.name(), value));
        }
        DriverConfig simConfig = DriverConfig.validate(sim.descriptor(), config.backendName(),
                simOptions(config, options));
        return wrap(sim.open(simConfig, context), config, context);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + " (breaks " + breaks() + ")";
    }
}
