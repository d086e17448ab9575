package io.cinderblock.tck.runner;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.support.SecretScrubber;
import io.cinderblock.tck.DeviceFault;
import io.cinderblock.tck.DeviceUnderTest;
import io.cinderblock.tck.TckFixture;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a certification records besides the results: how the kit was run, on what, against what.
 *
 * @param entryPoint {@code standalone} or {@code embedded}
 * @param device the device under test as the fixture declared it
 * @param configuration the driver options, secrets masked ({@code volume_backend_name} included)
 * @param driverArtifacts every jar (or classes directory) the driver was loaded from, with digests
 * @param deviceFaults the names of the fixture's device-level faults (FAULT-8 runs only with one)
 * @param tuning the fixture's tolerances and timeouts
 * @param environment {@code jdk_vendor}, {@code jdk_version}, {@code os_name}, {@code os_version}, {@code os_arch}
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
public record RunContext(String entryPoint, DeviceUnderTest device, Map<String, String> configuration,
        List<DriverArtifact> driverArtifacts, List<String> deviceFaults, Map<String, String> tuning,
        Map<String, String> environment) {

    /**
     * Copies the collections.
     *
     * @param entryPoint {@code standalone} or {@code embedded}
     * @param device the device under test as the fixture declared it
     * @param configuration the driver options, secrets masked
     * @param driverArtifacts every jar (or classes directory) the driver was loaded from
     * @param deviceFaults the names of the fixture's device-level faults
     * @param tuning the fixture's tolerances and timeouts
     * @param environment the JDK and operating system
     * @throws NullPointerException if a component is null
     * @since 0.1
     */
    public RunContext {
        requireNonNull(entryPoint, "entryPoint is null");
        requireNonNull(device, "device is null");
        configuration = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(configuration));
        driverArtifacts = List.copyOf(driverArtifacts);
        deviceFaults = List.copyOf(deviceFaults);
        tuning = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tuning));
        environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    }

    /**
     * The context of a run of {@code fixture}.
     *
     * @param entryPoint {@code standalone} or {@code embedded}
     * @param fixture the fixture
     * @param artifacts the driver's jars; empty to take the code source of the provider's class
     * @return the context
     * @since 0.1
     */
    static RunContext of(String entryPoint, TckFixture fixture, List<Path> artifacts) {
        DriverDescriptor descriptor = fixture.provider().descriptor();
        List<Path> sources = artifacts.isEmpty() ? codeSource(fixture.provider().getClass()) : artifacts;
        Map<String, String> tuning = new LinkedHashMap<>();
        tuning.put("volume_size_gib", String.valueOf(fixture.volumeSizeGib()));
        tuning.put("capacity_tolerance_gib", String.valueOf(fixture.capacityToleranceGib()));
        tuning.put("deadline_grace", fixture.deadlineGrace().toString());
        tuning.put("settle_timeout", fixture.settleTimeout().toString());
        tuning.put("operation_timeout", fixture.operationTimeout().toString());
        tuning.put("connector", fixture.connector().toString());
        return new RunContext(entryPoint, fixture.device(),
                masked(descriptor, fixture.backendName(), fixture.config()),
                sources.stream().map(DriverArtifact::of).collect(Collectors.toList()),
                fixture.deviceFaults().stream().map(DeviceFault::name).collect(Collectors.toList()), tuning,
                currentEnvironment());
    }

    /**
     * The JVM and OS the run happens on.
     *
     * @since 0.1
     */
    static Map<String, String> currentEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("jdk_vendor", System.getProperty("java.vendor", "unknown"));
        env.put("jdk_version", System.getProperty("java.runtime.version", System.getProperty("java.version", "unknown")));
        env.put("os_name", System.getProperty("os.name", "unknown"));
        env.put("os_version", System.getProperty("os.version", "unknown"));
        env.put("os_arch", System.getProperty("os.arch", "unknown"));
        return env;
    }

    /**
     * The options with every secret option shown as {@link DriverConfig#MASK}, and any secret's text
     * inside another value (a URL with a password, say) scrubbed in all its encodings.
     *
     * @since 0.1
     */
    static Map<String, String> masked(DriverDescriptor descriptor, String backendName, Map<String, String> config) {
        Set<String> secretNames = descriptor.options().stream().filter(ConfigOption::secret).map(ConfigOption::name)
                .collect(Collectors.toSet());
        SecretScrubber scrubber = SecretScrubber.of(config.entrySet().stream()
                .filter(e -> secretNames.contains(e.getKey())).map(Map.Entry::getValue).collect(Collectors.toList()));
        Map<String, String> masked = new TreeMap<>();
        masked.put("volume_backend_name", backendName);
        config.forEach((k, v) -> masked.put(k, secretNames.contains(k) ? DriverConfig.MASK : scrubber.scrub(v)));
        return masked;
    }

    private static List<Path> codeSource(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return List.of();
        }
        try {
            return List.of(Path.of(source.getLocation().toURI()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return List.of();
        }
    }
}
