package io.cinderblock.sdk.spi;

import io.cinderblock.sdk.ApiStatus;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * An optional operation a driver may offer. A driver declares the capabilities it implements in
 * its {@link DriverDescriptor}; the SDK refuses undeclared operations with {@link
 * io.cinderblock.sdk.error.NotSupportedException} before they reach the driver, and the
 * conformance kit checks both directions.
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public enum Capability {
    /** {@link VolumeDriver#createVolume} and {@link VolumeDriver#deleteVolume}. */
    CREATE_VOLUME,
    /** {@link VolumeDriver#extendVolume}. */
    EXTEND_VOLUME,
    /** {@link VolumeDriver#createSnapshot} and {@link VolumeDriver#deleteSnapshot}. */
    SNAPSHOT,
    /** {@link VolumeDriver#createVolumeFromSnapshot}. */
    VOLUME_FROM_SNAPSHOT,
    /** {@link VolumeDriver#cloneVolume}. */
    CLONE_VOLUME,
    /** {@link VolumeDriver#initializeConnection} and {@link VolumeDriver#terminateConnection}. */
    CONNECTION;

    /** The lower-case name used in configuration files and reports, e.g. {@code create_volume}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The capability with this {@link #wireName()}, if any. */
    public static Optional<Capability> fromWireName(String name) {
        return Arrays.stream(values()).filter(c -> c.wireName().equals(name)).findFirst();
    }
}
