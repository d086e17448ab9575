package io.cinderblock.sdk.spi;

import io.cinderblock.sdk.ApiStatus;

/**
 * The version of this SPI a driver was built against, declared in {@link
 * DriverDescriptor#spiVersion()}. A host accepts drivers of its own major version whose minor
 * version is not newer than its own ({@link #canHost(SpiVersion)}).
 *
 * @param major incremented on a binary-incompatible change; at least 1
 * @param minor incremented when something is added; at least 0
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record SpiVersion(int major, int minor) implements Comparable<SpiVersion> {

    /**
     * The SPI version of this SDK; {@link DriverDescriptor#builder(String)} uses it unless told
     * otherwise.
     *
     * @since 0.1
     */
    public static final SpiVersion CURRENT = new SpiVersion(1, 0);

    /**
     * Checks the numbers.
     *
     * @param major at least 1
     * @param minor at least 0
     * @throws IllegalArgumentException if {@code major < 1} or {@code minor < 0}, quoting both
     * @since 0.1
     */
    public SpiVersion {
        if (major < 1 || minor < 0) {
            throw new IllegalArgumentException("Invalid SPI version " + major + "." + minor);
        }
    }

    /**
     * Whether a driver built for {@code driverVersion} can run on a host of this version: same
     * major, minor not newer. Called by hosts when they discover a driver.
     *
     * @param driverVersion the driver's {@link DriverDescriptor#spiVersion()}; not null
     * @return true if the driver can be hosted
     * @since 0.1
     */
    public boolean canHost(SpiVersion driverVersion) {
        return driverVersion.major == major && driverVersion.minor <= minor;
    }

    /**
     * Orders by major, then minor version.
     *
     * @param other the version to compare with; not null
     * @return negative, zero or positive as this version is older, equal or newer
     * @since 0.1
     */
    @Override
    public int compareTo(SpiVersion other) {
        return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    /**
     * {@return {@code major.minor}, e.g. {@code 1.0}}
     *
     * @since 0.1
     */
    @Override
    public String toString() {
        return major + "." + minor;
    }
}
