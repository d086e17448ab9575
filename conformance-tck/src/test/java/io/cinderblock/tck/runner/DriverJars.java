package io.cinderblock.tck.runner;

import io.cinderblock.driver.sim.SimulatedArrayDriverProvider;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import io.cinderblock.sdk.testing.DriverJarBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Driver jars for the runner's tests, made of driver-sim's classes with sdk-testing's {@link DriverJarBuilder}. */
final class DriverJars {
    private static final String SERVICES = "META-INF/services/" + VolumeDriverProvider.class.getName();

    private DriverJars() {}

    /** driver-sim's jar, as a vendor would ship it. */
    static Path simJar(Path dir) {
        return jar(dir.resolve("driver-sim.jar"), Map.of(), List.of());
    }

    /**
     * driver-sim's classes plus {@code extraClasses}; {@code services} replaces its service entry
     * (driver-sim's provider) when it names that entry.
     */
    static Path jar(Path target, Map<String, String> services, List<Class<?>> extraClasses) {
        DriverJarBuilder jar = new DriverJarBuilder().addPackageOf(SimulatedArrayDriverProvider.class);
        if (!services.containsKey(SERVICES)) {
            jar.provider(SimulatedArrayDriverProvider.class);
        }
        services.forEach(jar::addResource);
        extraClasses.forEach(jar::addClass);
        return jar.writeTo(target);
    }

    /** A jar of just these classes (a library beside the driver jar). */
    static Path classesJar(Path target, List<Class<?>> classes) {
        DriverJarBuilder jar = new DriverJarBuilder();
        classes.forEach(jar::addClass);
        return jar.writeTo(target);
    }
}
