package io.cinderblock.service.config;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One backend section of the configuration file.
 *
 * @param section the section name, as listed in {@code enabled_backends}; the service host is
 *     {@code host@section}, as in Cinder
 * @param driverId {@code volume_driver}: the id of a driver found at run time
 * @param volumeBackendName {@code volume_backend_name}, default the section name
 * @param options the driver's own options as text (checked against the driver's descriptor at start-up)
 */
public record BackendSection(String section, String driverId, String volumeBackendName, Map<String, String> options) {
    public BackendSection {
        requireNonNull(section, "section is null");
        requireNonNull(driverId, "driverId is null");
        requireNonNull(volumeBackendName, "volumeBackendName is null");
        options = Map.copyOf(requireNonNull(options, "options is null"));
    }

    /** What the SDK's {@code BackendRegistry.open} takes: {@code volume_driver} plus the options. */
    public Map<String, String> registryConfig() {
        Map<String, String> config = new LinkedHashMap<>(options);
        config.put("volume_driver", driverId);
        return config;
    }

    /** Never shows option values: some may be secrets. */
    @Override
    public String toString() {
        return "BackendSection[" + section + ", driver=" + driverId + ", options=" + options.keySet() + "]";
    }
}
